package io.cnnsee;

import java.util.Objects;

/**
 * Where a model's weights came from, for reports and logs.
 *
 * @param source  what a person reads, e.g. {@code "ImageNet (Keras vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5)"}
 * @param license the weights' licence and attribution, or empty if none applies
 * @param random  true when the weights are random: everything made with them must say so
 */
public record WeightsInfo(String source, String license, boolean random) {

    public WeightsInfo {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(license, "license");
    }

    /** Random weights drawn with {@code seed}, which carry no licence and show nothing learned. */
    public static WeightsInfo random(long seed) {
        return new WeightsInfo("random weights (seed " + seed + "), not trained: the maps show no learned features", "", true);
    }

    @Override
    public String toString() {
        return license.isEmpty() ? source : source + "; " + license;
    }
}
