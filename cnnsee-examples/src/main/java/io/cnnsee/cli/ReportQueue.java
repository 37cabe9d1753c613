package io.cnnsee.cli;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.ImageLoader;
import io.cnnsee.Inspection;
import io.cnnsee.Prediction;
import io.cnnsee.UnreadablePictureException;
import io.cnnsee.report.ReportIndex;
import io.cnnsee.report.ReportWriter;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pictures inspected two at a time, each on a lane of the model (one core each), and a report
 * written for each: one picture's ranking, rendering and report run beside the other's forward
 * pass, and the next picture is decoded meanwhile (docs/performance.md). Reports are named, and
 * announced, in the order given.
 */
final class ReportQueue {

    /** Pictures inspected at once: two, one on each lane of the model. */
    private static final int PICTURES_AT_ONCE = 2;

    /**
     * One picture inspected and its report written: what is told of it, not the inspection itself
     * (its maps and picture, tens of MB, go as soon as the report is written).
     */
    private record Done(Path report, Optional<Prediction> seen, double seconds) {
    }

    /** A picture handed to a worker: its number in the list, its file, what the worker will give. */
    private record Pending(int number, Path image, Future<Done> done) {
    }

    private final FeatureMapInspector inspector;
    private final FeatureMapInspector randomised;
    private final Path out;
    private final PrintWriter stdout;
    private final PrintWriter err;
    private final boolean verbose;
    private final List<ReportIndex.Entry> written = new ArrayList<>();
    private int total;
    private int failures;

    /**
     * @param randomised the same inspector on random weights, for a sanity check beside each report; or null
     */
    ReportQueue(FeatureMapInspector inspector, FeatureMapInspector randomised, Path out, PrintWriter stdout,
                PrintWriter err, boolean verbose) {
        this.inspector = inspector;
        this.randomised = randomised;
        this.out = out;
        this.stdout = stdout;
        this.err = err;
        this.verbose = verbose;
    }

    /** Inspects {@code images} and writes their reports; returns the reports written, in order. */
    List<ReportIndex.Entry> run(List<Path> images) {
        total = images.size();
        Set<String> taken = new HashSet<>();
        int atOnce = Math.min(PICTURES_AT_ONCE, images.size());
        ExecutorService workers = Executors.newFixedThreadPool(atOnce, r -> {
            Thread t = new Thread(r, "cnnsee-inspect");
            t.setDaemon(true);
            return t;
        });
        ArrayDeque<Pending> inFlight = new ArrayDeque<>();
        try {
            for (int i = 0; i < images.size(); i++) {
                Path image = images.get(i);
                err.printf("[%d/%d] %s ...%n", i + 1, total, image);
                err.flush();
                long start = System.nanoTime();
                try {
                    BufferedImage picture = ImageLoader.defaults().read(image);
                    long reading = System.nanoTime() - start;
                    Path folder = out.resolve(ReportFolders.unique(ReportFolders.nameFor(image), taken));
                    // At most one decoded picture waits beside those being inspected.
                    while (inFlight.size() > atOnce) {
                        finish(inFlight.poll());
                    }
                    inFlight.add(new Pending(i + 1, image, workers.submit(() -> inspect(picture, image, folder, reading))));
                } catch (UnreadablePictureException e) {
                    failed(image, e);
                }
            }
            while (!inFlight.isEmpty()) {
                finish(inFlight.poll());
            }
        } finally {
            workers.shutdownNow();
        }
        return List.copyOf(written);
    }

    /** Pictures that could not be inspected or reported. */
    int failures() {
        return failures;
    }

    private Done inspect(BufferedImage picture, Path image, Path folder, long reading) throws IOException {
        // The time given is the picture's own work, reading included, not its wait for a worker.
        long start = System.nanoTime() - reading;
        String name = String.valueOf(image.getFileName());
        Inspection result = inspector.run(picture, name);
        Path report = randomised == null ? ReportWriter.write(result, folder).html()
                : ReportWriter.writeSanityCheck(result, randomised.run(picture, name), folder).html();
        return new Done(report, result.predictions().stream().findFirst(), (System.nanoTime() - start) / 1e9);
    }

    /** Waits for {@code pending}'s report and announces it: a done line, and its path on stdout. */
    private void finish(Pending pending) {
        Path image = pending.image();
        try {
            Done done = await(pending.done());
            written.add(new ReportIndex.Entry(done.report(), String.valueOf(image.getFileName())));
            err.printf(Locale.ROOT, "[%d/%d] %s: done in %.1f s%s%n", pending.number(), total, image,
                    done.seconds(), done.seen().map(p -> String.format(Locale.ROOT, "; sees %s (%.1f %%)", p.label(),
                            100 * p.probability())).orElse(""));
            stdout.println(done.report());
        } catch (IllegalArgumentException | IOException e) {
            failed(image, e);
        } finally {
            stdout.flush();
        }
    }

    private void failed(Path image, Exception e) {
        failures++;
        err.println("cnnsee: " + image + ": " + Failures.oneLine(e));
        if (verbose) {
            e.printStackTrace(err);
        }
    }

    /** What a worker gave, its exceptions as they were thrown. */
    private static Done await(Future<Done> done) throws IOException {
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while a picture was inspected", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }
}
