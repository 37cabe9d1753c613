package io.cnnsee.bench;

import io.cnnsee.Objective;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.visualize.FeatureVisualizer;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;

/**
 * Feature visualisation of VGG16 {@code block4_conv3} channels at 224 x 224 against the forward
 * pass, side by side in one JVM, taking turns in rounds (the order turning each round), since
 * these machines drift by a third from minute to minute: the forward pass to the layer on
 * cnnsee's oneDNN pass, the input gradient of a channel's mean (forward and backward), a step of
 * one channel, a step of 16 channels as one batch against the same 16 one after another, and the
 * input gradient of a class score (what saliency maps are made of). VGG16 with its top, random
 * weights: the same work as trained ones.
 * <pre>
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.VisualizeSideBySide [ROUNDS=7]
 * </pre>
 */
public final class VisualizeSideBySide {

    private static final String LAYER = "block4_conv3";

    private VisualizeSideBySide() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        System.out.println(table(rounds, 8, 2));
    }

    /**
     * The measurements as a Markdown table: medians over {@code rounds}, a step of one channel
     * timed over {@code steps} steps, the 16 channels' over {@code batchSteps}.
     */
    static String table(int rounds, int steps, int batchSteps) {
        try (Vgg16Model vgg16 = Vgg16.builder().includeTop(true).weights(Vgg16Weights.random(42)).build()) {
            BufferedImage picture = Pictures.noise(224, 224, 1);
            float[] input = vgg16.networkInput(picture);
            List<Integer> sixteen = IntStream.range(0, 16).boxed().toList();
            List<DoubleSupplier> parts = List.of(
                    () -> perCall(3, () -> vgg16.forward(picture, List.of(vgg16.tap(LAYER)))),
                    () -> perCall(3, () -> vgg16.inputGradient(input, Objective.channelMean(LAYER, 0))),
                    () -> time(steps, () -> FeatureVisualizer.builder(vgg16).layer(LAYER).channels(0).steps(steps).seed(1)
                            .build().run(0)),
                    () -> time(16 * batchSteps, () -> FeatureVisualizer.builder(vgg16).layer(LAYER).channels(sixteen)
                            .steps(batchSteps).seed(1).batch(16).build().run()),
                    () -> time(16 * batchSteps, () -> FeatureVisualizer.builder(vgg16).layer(LAYER).channels(sixteen)
                            .steps(batchSteps).seed(1).batch(1).build().run()),
                    () -> perCall(3, () -> vgg16.inputGradient(input, Objective.classLogit(1))));
            List<List<Double>> times = new ArrayList<>();
            parts.forEach(p -> times.add(new ArrayList<>()));
            List<Double> batchRatios = new ArrayList<>();
            for (int r = -1; r < rounds; r++) { // round -1 warms everything up
                double[] round = new double[parts.size()];
                for (int i = 0; i < parts.size(); i++) {
                    int at = Math.floorMod(i + r, parts.size());
                    round[at] = parts.get(at).getAsDouble();
                }
                System.err.printf(Locale.ROOT, "round %d: forward %.1f, gradient %.1f, step %.1f, batch %.1f, one by one %.1f, "
                        + "class score's gradient %.1f ms%n", r, round[0], round[1], round[2], round[3], round[4], round[5]);
                if (r >= 0) {
                    for (int i = 0; i < round.length; i++) {
                        times.get(i).add(round[i]);
                    }
                    batchRatios.add(round[3] / round[4]);
                }
            }
            double forward = Paired.quantile(times.get(0), 0.5);
            double gradient = Paired.quantile(times.get(1), 0.5);
            double step = Paired.quantile(times.get(2), 0.5);
            double batch = Paired.quantile(times.get(3), 0.5);
            double oneByOne = Paired.quantile(times.get(4), 0.5);
            double classScore = Paired.quantile(times.get(5), 0.5);
            return String.format(Locale.ROOT, "| VGG16 `%s`, 224 x 224, 2 cores, median of %d rounds | ms | |%n| --- | ---: | --- |%n"
                            + "| forward pass to the layer (cnnsee's oneDNN pass) | %.1f | 1 |%n"
                            + "| input gradient of a channel's mean: forward and backward on oneDNN | %.1f | %.2f |%n"
                            + "| of which backward (gradient less forward) | %.1f | %.2f |%n"
                            + "| one channel's step (%d steps timed together) | %.1f | **%.2f** |%n"
                            + "| of which the rest: parameterisation, random view, penalties, Adam | %.1f | %.2f |%n"
                            + "| a channel's step in a batch of 16 (`batch(16)`, %d steps) | %.1f | |%n"
                            + "| a channel's step one after another (`batch(1)`) | %.1f | |%n"
                            + "| batch / one after another, median of the rounds' ratios (range) | **%.2f** (%.2f to %.2f) | |%n"
                            + "| input gradient of a class score (saliency; the dense layers on ND4J) | %.1f | %.2f |%n",
                    LAYER, rounds, forward, gradient, gradient / forward, gradient - forward, (gradient - forward) / forward,
                    steps, step, step / forward, step - gradient, (step - gradient) / forward, batchSteps, batch, oneByOne,
                    Paired.quantile(batchRatios, 0.5), batchRatios.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    batchRatios.stream().mapToDouble(Double::doubleValue).max().orElse(0), classScore, classScore / forward);
        }
    }

    /** Milliseconds per call of {@code work}, called {@code times} times. */
    private static double perCall(int times, Runnable work) {
        return time(times, () -> {
            for (int i = 0; i < times; i++) {
                work.run();
            }
        });
    }

    /** Milliseconds per unit: {@code work} once, divided by {@code units}. */
    private static double time(int units, Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e6 / units;
    }
}
