package io.cnnsee.bench;

import io.cnnsee.ClassGradient;
import io.cnnsee.InspectableModel;
import io.cnnsee.Objective;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jZoo;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.dl4j.ZooWeights;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the one engine costs beside its forward pass, interleaved in one run as {@link SideBySide}
 * does: on the zoo's ResNet50 (random weights, 224 x 224, 2 threads) the forward pass with its
 * default taps (and ONNX Runtime Java on the same architecture when its file is given), 8 pictures
 * as batches and one by one, a class score's gradient to the input (vanilla saliency), a Grad-CAM pass, a
 * channel's gradient to the input (a feature-visualisation step's network work), and SmoothGrad's
 * 25 noisy copies as one call (batches) against 25 calls; likewise on VGG16, beside ONNX Runtime
 * Java on torchvision's VGG16 when its file is given. The ONNX files come from the benchmark-only
 * scripts (docs/performance.md).
 * <pre>
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.EngineSideBySide resnet50-zoo.onnx vgg16-taps.onnx [ROUNDS] [PASSES]
 * </pre>
 */
public final class EngineSideBySide {

    private EngineSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        Path onnx = args.length > 0 && Files.isRegularFile(Path.of(args[0])) ? Path.of(args[0]) : null;
        Path vggOnnx = args.length > 1 && Files.isRegularFile(Path.of(args[1])) ? Path.of(args[1]) : null;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int passes = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        BufferedImage picture = Pictures.noise(224, 224, 1);

        Dl4jModel resnet = Dl4jZoo.model("resnet50", ZooWeights.random(42));
        float[] x = resnet.networkInput(picture);
        Tap last = resnet.taps().get(resnet.taps().size() - 1);
        Tap fourth = resnet.taps().get(3);
        List<SideBySide.Engine> zoo = new ArrayList<>();
        zoo.add(engine("ResNet50 forward, 5 taps", passes, () -> resnet.forward(picture, resnet.taps()), null));
        if (onnx != null) {
            zoo.add(named("ONNX Runtime Java, ResNet50 in the zoo's layout", SideBySide.onnxRuntime(onnx)));
        }
        List<BufferedImage> eight = Collections.nCopies(8, picture);
        zoo.add(engine("ResNet50 8 pictures, 5 taps (batches)", passes, () -> resnet.forwardAll(eight, resnet.taps()), null));
        zoo.add(engine("ResNet50 8 pictures, 5 taps, one by one", passes, () -> {
            Object maps = null;
            for (BufferedImage p : eight) {
                maps = resnet.forward(p, resnet.taps());
            }
            return maps;
        }, null));
        zoo.add(engine("ResNet50 class score's gradient to the input", passes,
                () -> resnet.inputGradient(x, Objective.classLogit(7)), null));
        zoo.add(engine("ResNet50 Grad-CAM pass (class gradient at " + last.layerName() + ")", passes,
                () -> resnet.classGradient(picture, ClassGradient.MOST_PROBABLE_CLASS, List.of(last)), null));
        zoo.add(engine("ResNet50 channel's gradient to the input (" + fourth.layerName() + ")", passes,
                () -> resnet.inputGradient(x, Objective.channelMean(fourth.layerName(), 11)), null));
        io.cnnsee.visualize.FeatureVisualizer visualizer = io.cnnsee.visualize.FeatureVisualizer.builder(resnet)
                .layer(fourth.layerName()).channels(11).steps(4).build();
        zoo.add(engine("ResNet50 feature visualisation, one channel, 4 steps (" + fourth.layerName() + ")", passes,
                visualizer::run, null));
        List<float[]> copies = Collections.nCopies(25, x);
        List<Objective> objectives = Collections.nCopies(25, Objective.classLogit(7));
        zoo.add(engine("ResNet50 SmoothGrad, 25 copies in one call (batches)", passes,
                () -> resnet.inputGradients(copies, objectives), null));
        zoo.add(engine("ResNet50 SmoothGrad, 25 copies one by one", passes, () -> {
            Object g = null;
            for (float[] c : copies) {
                g = resnet.inputGradient(c, Objective.classLogit(7));
            }
            return g;
        }, null));

        Vgg16Model vgg16 = Vgg16.builder().includeTop(true).weights(Vgg16Weights.random(42)).build();
        float[] vx = vgg16.networkInput(picture);
        Tap block5 = vgg16.taps().get(vgg16.taps().size() - 1);
        List<SideBySide.Engine> vgg = new ArrayList<>();
        vgg.add(engine("VGG16 forward, 5 taps", passes, () -> vgg16.forward(picture, vgg16.taps()), null));
        if (vggOnnx != null) {
            vgg.add(named("ONNX Runtime Java, torchvision's VGG16", SideBySide.onnxRuntime(vggOnnx)));
        }
        vgg.add(engine("VGG16 8 pictures, 5 taps (batches)", passes, () -> vgg16.forwardAll(eight, vgg16.taps()), null));
        vgg.add(engine("VGG16 class score's gradient to the input", passes,
                () -> vgg16.inputGradient(vx, Objective.classLogit(7)), null));
        vgg.add(engine("VGG16 Grad-CAM pass (class gradient at " + block5.layerName() + ")", passes,
                () -> vgg16.classGradient(picture, ClassGradient.MOST_PROBABLE_CLASS, List.of(block5)), null));

        List<SideBySide.Engine> all = new ArrayList<>(zoo);
        all.addAll(vgg);
        Map<String, List<Double>> times = SideBySide.interleave(all, rounds, passes);
        resnet.close();
        vgg16.close();
        System.out.println(Machine.describe(false));
        System.out.println(Machine.nativeBuild());
        System.out.println();
        System.out.println(SideBySide.table("ResNet50 (zoo), 224 x 224, 2 threads", part(times, 0, zoo.size()), rounds, passes));
        System.out.println(SideBySide.table("VGG16, 224 x 224, 2 threads", part(times, zoo.size(), all.size()), rounds, passes));
    }

    private static Map<String, List<Double>> part(Map<String, List<Double>> times, int from, int to) {
        Map<String, List<Double>> part = new java.util.LinkedHashMap<>();
        times.entrySet().stream().skip(from).limit(to - from).forEach(e -> part.put(e.getKey(), e.getValue()));
        return part;
    }

    /** {@code engine} under another name: each engine's times are kept by its name. */
    private static SideBySide.Engine named(String name, SideBySide.Engine engine) {
        return new SideBySide.Engine() {
            public String name() {
                return name;
            }

            public List<Double> run(int passes) throws Exception {
                return engine.run(passes);
            }

            public void close() throws Exception {
                engine.close();
            }
        };
    }

    /** {@code passes} timed calls of {@code work}; closes {@code owned} at the end. */
    static SideBySide.Engine engine(String name, int passes, Supplier<?> work, InspectableModel owned) {
        return new SideBySide.Engine() {
            public String name() {
                return name;
            }

            public List<Double> run(int n) {
                List<Double> t = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long start = System.nanoTime();
                    if (work.get() == null) {
                        throw new IllegalStateException(name + " gave nothing");
                    }
                    t.add((System.nanoTime() - start) / 1e6);
                }
                return t;
            }

            public void close() {
                if (owned != null) {
                    owned.close();
                }
            }
        };
    }
}
