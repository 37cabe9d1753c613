package io.cnnsee.atlas;

import io.cnnsee.ChannelRanker;
import io.cnnsee.ImageLoader;
import io.cnnsee.InspectableModel;
import io.cnnsee.Tap;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What excites each channel across a collection of pictures (Zeiler and Fergus' "top 9", Lucid's
 * dataset examples), on this machine: every picture through the model once, each worker keeping
 * an {@link AtlasSummary} of its share, merged at the end. Pictures that cannot be read are
 * skipped, counted and listed with the reason; they never stop the run.
 * <pre>{@code
 * AtlasSummary atlas = Atlas.builder(model).top(9).build().run(pictures, progress);
 * AtlasWriter.write(atlas, model, Path.of("atlas"));
 * }</pre>
 */
public final class Atlas {

    /** Told after each picture: how many are done (skipped included) of how many. */
    public interface Progress {
        void update(long done, long total, long skipped);
    }

    private final InspectableModel model;
    private final List<Tap> taps;
    private final int k;
    private final ChannelRanker ranker;
    private final int workers;
    private final ImageLoader loader;

    private Atlas(Builder b) {
        this.model = b.model;
        List<Tap> chosen = new ArrayList<>();
        if (b.layers == null) {
            chosen.addAll(b.model.taps());
        } else {
            for (String layer : b.layers) {
                chosen.add(b.model.tap(layer));
            }
        }
        this.taps = List.copyOf(chosen);
        this.k = b.k;
        this.ranker = b.ranker;
        this.workers = b.workers;
        this.loader = b.loader;
    }

    public static Builder builder(InspectableModel model) {
        return new Builder(Objects.requireNonNull(model, "model"));
    }

    public List<Tap> taps() {
        return taps;
    }

    /** An empty summary for these taps, k and statistic: what a worker starts from. */
    public AtlasSummary emptySummary() {
        return new AtlasSummary(taps, k, ranker.name());
    }

    /** Adds one picture (read from {@code file}) to {@code summary}, or counts it as skipped with why. */
    public void add(AtlasSummary summary, Path file) {
        add(summary, file.toString(), () -> loader.read(file));
    }

    /**
     * Adds the picture called {@code name}, read by {@code reader} (from any file system), to
     * {@code summary}, or counts it as skipped with why.
     */
    public void add(AtlasSummary summary, String name, java.util.function.Supplier<BufferedImage> reader) {
        BufferedImage picture = summary.skippedPictures().read(name, reader);
        if (picture != null) {
            summary.add(name, model.forward(picture, taps), ranker);
        }
    }

    /** How this atlas reads pictures (its limits), for readers of other file systems. */
    public ImageLoader loader() {
        return loader;
    }

    /** The atlas of {@code pictures}, on {@code workers} threads. */
    public AtlasSummary run(List<Path> pictures, Progress progress) {
        Objects.requireNonNull(pictures, "pictures");
        int n = Math.max(1, Math.min(workers, pictures.size()));
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "cnnsee-atlas");
            t.setDaemon(true);
            return t;
        });
        AtomicLong done = new AtomicLong();
        AtomicLong skipped = new AtomicLong();
        AtomicLong next = new AtomicLong();
        try {
            List<Future<AtlasSummary>> parts = new ArrayList<>();
            for (int w = 0; w < n; w++) {
                parts.add(pool.submit(() -> {
                    AtlasSummary mine = emptySummary();
                    for (long i = next.getAndIncrement(); i < pictures.size(); i = next.getAndIncrement()) {
                        long before = mine.skipped();
                        add(mine, pictures.get((int) i));
                        long s = skipped.addAndGet(mine.skipped() - before);
                        if (progress != null) {
                            progress.update(done.incrementAndGet(), pictures.size(), s);
                        }
                    }
                    return mine;
                }));
            }
            AtlasSummary all = emptySummary();
            for (Future<AtlasSummary> part : parts) {
                all.merge(part.get());
            }
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the atlas was collected", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Options of an atlas. */
    public static final class Builder {
        private final InspectableModel model;
        private List<String> layers;
        private int k = 9;
        private ChannelRanker ranker = ChannelRanker.MAX;
        private int workers = 2;
        private ImageLoader loader = ImageLoader.defaults();

        private Builder(InspectableModel model) {
            this.model = model;
        }

        /** The taps, by layer name; the model's default taps by default. */
        public Builder taps(List<String> layers) {
            this.layers = List.copyOf(layers);
            return this;
        }

        /** Pictures kept per channel; 9 by default. */
        public Builder top(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("Keep at least 1 picture per channel, was " + k);
            }
            this.k = k;
            return this;
        }

        /** The statistic pictures are ranked by, per channel: {@link ChannelRanker#MAX} by default, or any ranker. */
        public Builder by(ChannelRanker ranker) {
            this.ranker = Objects.requireNonNull(ranker, "ranker");
            return this;
        }

        /** Threads passing pictures through the model at once; 2 by default (the model's two lanes). */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("At least 1 worker, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        public Builder imageLoader(ImageLoader loader) {
            this.loader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        public Atlas build() {
            return new Atlas(this);
        }
    }
}
