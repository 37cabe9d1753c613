package io.cnnsee.dl4j;

import io.cnnsee.WeightsInfo;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Which weights a VGG16 gets: the ImageNet weights Keras publishes (the default), a weights
 * file of your own in the same layout, or random weights, which are only ever an explicit choice
 * and are named as such in everything made with them.
 *
 * <p>The ImageNet weights are looked for, in order: the system property {@code cnnsee.weights}
 * or the environment variable {@code CNNSEE_WEIGHTS} (a file); the cache folder
 * ({@link WeightsCache}); else they are downloaded from the Keras address, then its mirror, and
 * kept in the cache once their MD5 matches. They are licensed CC BY 4.0 by the Visual Geometry
 * Group, University of Oxford ({@link #LICENSE}).
 */
public final class Vgg16Weights {

    /** System property naming a weights file to use instead of the cache. */
    public static final String WEIGHTS_PROPERTY = "cnnsee.weights";
    /** Environment variable naming a weights file to use instead of the cache. */
    public static final String WEIGHTS_ENV = "CNNSEE_WEIGHTS";

    /** The weights' licence and attribution, shown in every report made with them. */
    public static final String LICENSE = "VGG16 ImageNet weights by Karen Simonyan and Andrew Zisserman, "
            + "Visual Geometry Group, University of Oxford, licensed CC BY 4.0 "
            + "(https://creativecommons.org/licenses/by/4.0/); Keras port by François Chollet";

    private static final String KERAS = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/";
    private static final String MIRROR = "https://github.com/fchollet/deep-learning-models/releases/download/v0.1/";

    /** The official file with the dense top (553 MB). */
    public static final OfficialWeightsFile WITH_TOP = official("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
            "64373286793e3c8b2b4e3219cbf3544b");
    /** The official file without the top (58.9 MB). */
    public static final OfficialWeightsFile NO_TOP = official("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "6d6bbae143d832006294945121d1f1fc");

    private enum Kind { IMAGENET, FILE, RANDOM }

    private final Kind kind;
    private final Path file;
    private final long seed;
    private final WeightsCache cache;

    private Vgg16Weights(Kind kind, Path file, long seed, WeightsCache cache) {
        this.kind = kind;
        this.file = file;
        this.seed = seed;
        this.cache = cache;
    }

    private static OfficialWeightsFile official(String name, String md5) {
        return new OfficialWeightsFile(name, md5, List.of(URI.create(KERAS + name), URI.create(MIRROR + name)));
    }

    /** The ImageNet weights, found or downloaded through the default cache. */
    public static Vgg16Weights imagenet() {
        return imagenet(null);
    }

    /** The ImageNet weights, found or downloaded through {@code cache}. */
    public static Vgg16Weights imagenet(WeightsCache cache) {
        return new Vgg16Weights(Kind.IMAGENET, null, 0, cache);
    }

    /** The weights in {@code file}, a Keras HDF5 weights file in the official layout. */
    public static Vgg16Weights file(Path file) {
        return new Vgg16Weights(Kind.FILE, Objects.requireNonNull(file, "file"), 0, null);
    }

    /** Random weights drawn with {@code seed}: the network has learned nothing, and reports say so. */
    public static Vgg16Weights random(long seed) {
        return new Vgg16Weights(Kind.RANDOM, null, seed, null);
    }

    public boolean isRandom() {
        return kind == Kind.RANDOM;
    }

    /** The seed of random weights. */
    long seed() {
        return seed;
    }

    /** The official file a network with or without top needs. */
    public static OfficialWeightsFile officialFile(boolean includeTop) {
        return includeTop ? WITH_TOP : NO_TOP;
    }

    /**
     * The file to read for a network with or without top; null for random weights. May download.
     *
     * @throws WeightsUnavailableException when the ImageNet weights can be neither found nor fetched
     */
    Path locate(boolean includeTop) {
        return switch (kind) {
            case RANDOM -> null;
            case FILE -> file;
            case IMAGENET -> {
                String property = System.getProperty(WEIGHTS_PROPERTY);
                if (property != null && !property.isBlank()) {
                    yield Path.of(property);
                }
                String env = System.getenv(WEIGHTS_ENV);
                if (env != null && !env.isBlank()) {
                    yield Path.of(env);
                }
                yield (cache != null ? cache : WeightsCache.defaults()).resolve(officialFile(includeTop));
            }
        };
    }

    /** What reports say about these weights once read from {@code path}. */
    WeightsInfo info(Path path) {
        return switch (kind) {
            case RANDOM -> WeightsInfo.random(seed);
            case IMAGENET -> new WeightsInfo("ImageNet, from " + path.getFileName(), LICENSE, false);
            case FILE -> isOfficialName(path)
                    ? new WeightsInfo("ImageNet, from " + path.getFileName(), LICENSE, false)
                    : new WeightsInfo("from " + path.getFileName(), "", false);
        };
    }

    private static boolean isOfficialName(Path path) {
        String name = String.valueOf(path.getFileName());
        return name.equals(WITH_TOP.fileName()) || name.equals(NO_TOP.fileName());
    }

    @Override
    public String toString() {
        return switch (kind) {
            case RANDOM -> "random weights (seed " + seed + ")";
            case IMAGENET -> "ImageNet weights";
            case FILE -> "weights from " + file;
        };
    }
}
