package io.cnnsee.dl4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Which weights a zoo model gets: the zoo's ImageNet weights (downloaded once into the cache,
 * checked with the zoo's checksum), a {@code ModelSerializer} zip of one's own, or random ones,
 * drawn from a seed and labelled as untrained everywhere. Never random unless asked.
 */
public final class ZooWeights {

    private final WeightsCache cache;
    private final Path file;
    private final Long seed;

    private ZooWeights(WeightsCache cache, Path file, Long seed) {
        this.cache = cache;
        this.file = file;
        this.seed = seed;
    }

    /** The ImageNet weights Deeplearning4j's zoo publishes, through the default cache. */
    public static ZooWeights imagenet() {
        return imagenet(WeightsCache.defaults());
    }

    /** The ImageNet weights through {@code cache} (its folder, progress and addresses). */
    public static ZooWeights imagenet(WeightsCache cache) {
        return new ZooWeights(Objects.requireNonNull(cache, "cache"), null, null);
    }

    /** A zip the zoo model was saved to (the downloaded file, or one's own fine-tuned copy). */
    public static ZooWeights file(Path file) {
        Objects.requireNonNull(file, "file");
        return new ZooWeights(null, file, null);
    }

    /** Untrained weights drawn with {@code seed}. */
    public static ZooWeights random(long seed) {
        return new ZooWeights(null, null, seed);
    }

    public boolean isRandom() {
        return seed != null;
    }

    long seed() {
        if (seed == null) {
            throw new IllegalStateException("Not random weights");
        }
        return seed;
    }

    /**
     * The zip to restore: from the cache (downloaded if missing) or as given.
     *
     * @throws WeightsUnavailableException when the zoo file can be neither found nor fetched
     */
    Path locate(OfficialWeightsFile official) {
        if (seed != null) {
            throw new IllegalStateException("Random weights have no file");
        }
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new WeightsUnavailableException("No weights file at " + file.toAbsolutePath() + ": give the zip of "
                        + official.model() + " from Deeplearning4j's zoo (" + official.urls().get(0) + ")", null);
            }
            return file;
        }
        return cache.resolve(official);
    }

    @Override
    public String toString() {
        return seed != null ? "random (seed " + seed + ")" : file != null ? "file " + file : "ImageNet (zoo)";
    }
}
