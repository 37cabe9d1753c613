package io.cnnsee.bench;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.dl4j.NativeBuild;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.report.ReportWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleSupplier;

/**
 * The targets that compare two things, measured as pairs: each round times one and then the other
 * in the same JVM, seconds apart, and the ratio is taken per round. On a shared 2-core virtual
 * machine whose speed drifts by a third from minute to minute, separate JMH runs compare
 * different machines; pairs do not.
 *
 * <pre>java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.Paired [rounds]</pre>
 *
 * Prints a Markdown table: per comparison, the median of each side, and the median and quartiles
 * of the per-round ratio.
 */
public final class Paired {

    /** VGG16 without top: 15.35 G multiply-adds per 224 x 224 picture. */
    static final double PASS_GFLOP = 30.7;
    static final int BATCH = 8;
    static final int GEMM_N = 4096;

    private Paired() {
    }

    public static void main(String[] args) throws IOException {
        NativeBuild.select();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        BufferedImage picture = Pictures.sample();
        List<BufferedImage> pictures = Collections.nCopies(BATCH, picture);
        List<String> rows = new ArrayList<>();

        try (Vgg16Model notop = Vgg16.builder().convolutions(ConvolutionAlgorithm.WINOGRAD).weights(Vgg16Weights.random(42)).build()) {
            FeatureMapInspector inspector = FeatureMapInspector.builder().model(notop).build();
            System.err.println(Machine.nativeBuild()); // once the model has loaded it
            Path dir = Files.createTempDirectory("cnnsee-paired");
            try {
                // The ceiling: oneDNN's sgemm, n = 4096, against the pass as the inspector runs it.
                try (INDArray a = Nd4j.rand(DataType.FLOAT, GEMM_N, GEMM_N);
                     INDArray b = Nd4j.rand(DataType.FLOAT, GEMM_N, GEMM_N);
                     INDArray c = Nd4j.create(DataType.FLOAT, GEMM_N, GEMM_N)) {
                    double flop = 2.0 * GEMM_N * GEMM_N * GEMM_N / 1e9;
                    // The multiply's 200 MB of matrices push the network out of the caches: of the
                    // three passes after it, the median counts.
                    rows.add(compare("GFLOP/s: forward pass (no top, Winograd) vs sgemm " + GEMM_N, rounds, 2,
                            () -> PASS_GFLOP / median3(() -> seconds(() -> notop.forward(picture, notop.taps()))),
                            () -> flop / seconds(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0)), false));
                    try (Vgg16Model direct = Vgg16.builder().convolutions(ConvolutionAlgorithm.DIRECT)
                            .weights(Vgg16Weights.random(42)).build()) {
                        rows.add(compare("GFLOP/s: forward pass (no top, direct) vs sgemm " + GEMM_N, rounds, 2,
                                () -> PASS_GFLOP / median3(() -> seconds(() -> direct.forward(picture, direct.taps()))),
                                () -> flop / seconds(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0)), false));
                        FeatureMapInspector directInspector = FeatureMapInspector.builder().model(direct).build();
                        rows.add(compare("ms, direct: inspect vs forward pass", rounds * 2, 2,
                                () -> millis(() -> directInspector.run(picture, "sample.png")),
                                () -> millis(() -> direct.forward(picture, direct.taps())), true));
                        rows.add(compare("ms per picture, no top, direct: batch of " + BATCH + " vs one at a time", rounds, 1,
                                () -> millis(() -> direct.forwardAll(pictures, direct.taps())) / BATCH,
                                () -> millis(() -> pictures.forEach(p -> direct.forward(p, direct.taps()))) / BATCH, false));
                    }
                }
                rows.add(compare("ms, Winograd: inspect vs forward pass", rounds * 2, 2,
                        () -> millis(() -> inspector.run(picture, "sample.png")),
                        () -> millis(() -> notop.forward(picture, notop.taps())), true));
                rows.add(compare("ms, Winograd: inspect and write the report vs forward pass", rounds * 2, 2,
                        () -> millis(() -> write(inspector.run(picture, "sample.png"), dir)),
                        () -> millis(() -> notop.forward(picture, notop.taps())), true));
                // Each picture's report in a folder of its own, as for pictures not inspected before
                // (the row above replaces the same files, which frees the old ones' blocks as it goes).
                int[] folders = {0};
                rows.add(compare("ms, Winograd: inspect and write the report into a new folder vs forward pass", rounds * 2, 2,
                        () -> millis(() -> write(inspector.run(picture, "sample.png"), dir.resolve("new-" + folders[0]++))),
                        () -> millis(() -> notop.forward(picture, notop.taps())), true));
                DoubleSupplier passesOneAtATime = () -> millis(() -> pictures.forEach(p -> notop.forward(p, notop.taps()))) / BATCH;
                // What the command line does with several pictures: two at a time, one on each lane.
                ExecutorService two = Executors.newFixedThreadPool(2);
                try {
                    rows.add(compare("ms per picture, Winograd: inspect from two threads vs forward pass", rounds, 1,
                            () -> millis(() -> inTwoThreads(two, () -> inspector.run(picture, "sample.png"))) / BATCH,
                            passesOneAtATime, true));
                    rows.add(compare("ms per picture, Winograd: inspect and write the report from two threads vs forward pass",
                            rounds, 1,
                            () -> millis(() -> inTwoThreads(two, () -> write(inspector.run(picture, "sample.png"), dir))) / BATCH,
                            passesOneAtATime, true));
                } finally {
                    two.shutdown();
                }
                // A batch runs one picture on each core (two lanes, one thread each): it can gain at most
                // what the pass loses by running on two threads, so each run states that of its machine.
                rows.add(compare("ms per picture, Winograd: forward pass on one thread vs on two", rounds, 1,
                        () -> millis(() -> onOneThread(() -> pictures.subList(0, 4).forEach(p -> notop.forward(p, notop.taps())))) / 4,
                        () -> millis(() -> pictures.subList(0, 4).forEach(p -> notop.forward(p, notop.taps()))) / 4, false));
                rows.add(compare("ms per picture, no top, Winograd: batch of " + BATCH + " vs one at a time", rounds, 1,
                        () -> millis(() -> notop.forwardAll(pictures, notop.taps())) / BATCH,
                        passesOneAtATime, false));
            } finally {
                Folders.delete(dir);
            }
        }
        try (Vgg16Model top = Vgg16.builder().includeTop(true).convolutions(ConvolutionAlgorithm.WINOGRAD).weights(Vgg16Weights.random(42)).build()) {
            var taps = List.of(top.classifier());
            rows.add(compare("ms per picture, with top, Winograd: batch of " + BATCH + " vs one at a time", rounds, 1,
                    () -> millis(() -> top.forwardAll(pictures, taps)) / BATCH,
                    () -> millis(() -> pictures.forEach(p -> top.forward(p, taps))) / BATCH, false));
        }
        System.out.println("| comparison | first, median | second, median | first / second per round: median (quartiles) | rounds |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        rows.forEach(System.out::println);
    }

    /** {@code BATCH} runs of {@code work}, half on each of two threads at once. */
    private static void inTwoThreads(ExecutorService two, Runnable work) {
        Callable<Void> half = () -> {
            for (int i = 0; i < BATCH / 2; i++) {
                work.run();
            }
            return null;
        };
        try {
            for (Future<Void> f : two.invokeAll(List.of(half, half))) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Runs {@code work} with one OpenMP thread on the calling thread, as each lane of a batch runs
     * (a per-thread setting; cnnsee-dl4j's own helper for it is internal), then sets back what it had.
     */
    private static void onOneThread(Runnable work) {
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();
        ops.setOmpNumThreads(1);
        try {
            work.run();
        } finally {
            ops.setOmpNumThreads(before);
        }
    }

    private static Inspection write(Inspection inspection, Path dir) {
        try {
            ReportWriter.write(inspection, dir);
            return inspection;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Times {@code first} and {@code second} alternately for {@code rounds} rounds after
     * {@code warmup} rounds (which also alternate the order, so neither always runs second).
     */
    static String compare(String what, int rounds, int warmup, DoubleSupplier first, DoubleSupplier second,
                          boolean asShare) {
        List<Double> a = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        for (int r = -warmup; r < rounds; r++) {
            double x;
            double y;
            if (r % 2 == 0) {
                x = first.getAsDouble();
                y = second.getAsDouble();
            } else {
                y = second.getAsDouble();
                x = first.getAsDouble();
            }
            if (r >= 0) {
                a.add(x);
                b.add(y);
                ratio.add(x / y);
            }
            System.err.printf(Locale.ROOT, "%s, round %d: %.1f vs %.1f%n", what, r, x, y);
        }
        String median = asShare ? String.format(Locale.ROOT, "%.2f (%.2f – %.2f): %+.0f %%", quantile(ratio, 0.5),
                quantile(ratio, 0.25), quantile(ratio, 0.75), 100 * (quantile(ratio, 0.5) - 1))
                : String.format(Locale.ROOT, "%.2f (%.2f – %.2f)", quantile(ratio, 0.5), quantile(ratio, 0.25), quantile(ratio, 0.75));
        return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %s | %d |", what, quantile(a, 0.5), quantile(b, 0.5), median, rounds);
    }

    private static double median3(DoubleSupplier measurement) {
        List<Double> three = new ArrayList<>(List.of(measurement.getAsDouble(), measurement.getAsDouble(),
                measurement.getAsDouble()));
        return quantile(three, 0.5);
    }

    static double quantile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        double position = q * (sorted.size() - 1);
        int low = (int) Math.floor(position);
        int high = Math.min(low + 1, sorted.size() - 1);
        return sorted.get(low) + (position - low) * (sorted.get(high) - sorted.get(low));
    }

    private static double millis(Runnable task) {
        long start = System.nanoTime();
        task.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static double seconds(Runnable task) {
        return millis(task) / 1000;
    }
}
