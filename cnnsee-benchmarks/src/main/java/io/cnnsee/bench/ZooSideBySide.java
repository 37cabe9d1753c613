package io.cnnsee.bench;

import io.cnnsee.ImageInput;
import io.cnnsee.InspectableModel;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jModels;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.dl4j.Dl4jZoo;
import io.cnnsee.dl4j.ZooWeights;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A zoo network's default taps for one 224 x 224 picture, on 2 threads, in cnnsee (the network
 * compiled to oneDNN by the generic path) and in ONNX Runtime Java (torchvision's network of the
 * same architecture, its outputs the same taps in shape); and VGG16 on its own pass beside the same
 * network compiled as any graph. All interleaved in rounds in one run, as {@link SideBySide} does:
 * the numbers the oneDNN compiler of any network is measured by. Each pass copies the taps out as
 * float arrays. Random weights: the same work as trained ones.
 * <pre>
 * /usr/bin/python3 cnnsee-benchmarks/scripts/torch_resnet50.py export resnet50-zoo.onnx   # once, benchmark-only
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.ZooSideBySide resnet50-zoo.onnx [ROUNDS] [PASSES]
 * </pre>
 */
public final class ZooSideBySide {

    private ZooSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ZooSideBySide RESNET50_TAPS.onnx [ROUNDS=8] [PASSES=3]   "
                    + "(the ONNX file from cnnsee-benchmarks/scripts/torch_resnet50.py export)");
            System.exit(2);
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<SideBySide.Engine> engines = new ArrayList<>();
        engines.add(cnnsee("resnet50"));
        engines.add(SideBySide.onnxRuntime(Path.of(args[0])));
        engines.add(vgg16(false));
        engines.add(vgg16(true));
        Map<String, List<Double>> times = SideBySide.interleave(engines, rounds, passes);
        System.out.println(Machine.describe(false));
        System.out.println(Machine.nativeBuild());
        System.out.println();
        System.out.println(SideBySide.table("ResNet50, 224 x 224, five taps copied out, 2 threads", part(times, 0, 2), rounds, passes));
        System.out.println(SideBySide.table("VGG16, 224 x 224, five taps copied out, 2 threads", part(times, 2, 4), rounds, passes));
    }

    private static Map<String, List<Double>> part(Map<String, List<Double>> times, int from, int to) {
        Map<String, List<Double>> part = new java.util.LinkedHashMap<>();
        times.entrySet().stream().skip(from).limit(to - from).forEach(e -> part.put(e.getKey(), e.getValue()));
        return part;
    }

    /**
     * cnnsee's VGG16 with random weights, its five block taps read on every pass: on its own
     * oneDNN pass ({@code compiled} false, as {@code cnnsee inspect} runs it), or the same network
     * compiled as any graph is, which the compiler is held to (within 10 %).
     */
    static SideBySide.Engine vgg16(boolean compiled) {
        Vgg16Model vgg16 = Vgg16.builder().weights(Vgg16Weights.random(42)).build();
        InspectableModel model = compiled ? Dl4jModels.builder(vgg16.network()).input(ImageInput.caffe(224)).build() : vgg16;
        List<Tap> taps = compiled ? vgg16.taps().stream().map(t -> model.tap(t.layerName())).toList() : vgg16.taps();
        BufferedImage picture = Pictures.noise(224, 224, 1);
        return new SideBySide.Engine() {
            public String name() {
                return compiled ? "cnnsee VGG16 compiled as any graph" : "cnnsee VGG16 (its own pass)";
            }

            public List<Double> run(int passes) {
                return SideBySide.timed(passes, () -> model.forward(picture, taps), taps.size());
            }

            public void close() {
                if (compiled) {
                    model.close();
                }
                vgg16.close();
            }
        };
    }

    /** The zoo network {@code name} with random weights, its default taps read on every pass. */
    static SideBySide.Engine cnnsee(String name) {
        Dl4jModel model = Dl4jZoo.model(name, ZooWeights.random(42));
        BufferedImage picture = Pictures.noise(224, 224, 1);
        int taps = model.taps().size();
        return new SideBySide.Engine() {
            public String name() {
                return "cnnsee " + name + " (compiled to oneDNN)";
            }

            public List<Double> run(int passes) {
                return SideBySide.timed(passes, () -> model.forward(picture, model.taps()), taps);
            }

            public void close() {
                model.close();
            }
        };
    }
}
