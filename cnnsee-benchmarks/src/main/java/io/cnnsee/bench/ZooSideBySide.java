package io.cnnsee.bench;

import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jZoo;
import io.cnnsee.dl4j.ZooWeights;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A zoo network's default taps for one 224 x 224 picture, on 2 threads, in cnnsee (the generic
 * path: Deeplearning4j's own layers) and in ONNX Runtime Java (torchvision's network of the same
 * architecture, its outputs the same taps in shape), interleaved in rounds in one run, as
 * {@link SideBySide} does for VGG16: the number a oneDNN compiler of any network is measured by.
 * Each pass copies the taps out as float arrays. Random weights: the same work as trained ones.
 * <pre>
 * /usr/bin/python3 cnnsee-benchmarks/scripts/torch_resnet50.py export resnet50-taps.onnx   # once, benchmark-only
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.ZooSideBySide resnet50-taps.onnx [ROUNDS] [PASSES]
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
        Map<String, List<Double>> times = SideBySide.interleave(engines, rounds, passes);
        System.out.println(Machine.describe(false));
        System.out.println(Machine.nativeBuild());
        System.out.println();
        System.out.println(SideBySide.table("ResNet50, 224 x 224, five taps copied out, 2 threads", times, rounds, passes));
    }

    /** The zoo network {@code name} with random weights, its default taps read on every pass. */
    static SideBySide.Engine cnnsee(String name) {
        Dl4jModel model = Dl4jZoo.model(name, ZooWeights.random(42));
        BufferedImage picture = Pictures.noise(224, 224, 1);
        int taps = model.taps().size();
        return new SideBySide.Engine() {
            public String name() {
                return "cnnsee " + name + " (Deeplearning4j's layers)";
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
