package io.cnnsee;

import io.cnnsee.render.Grid;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * What was seen at one tap: its output, the ranked channels and their grid.
 *
 * @param tap        the observed layer
 * @param featureMap the layer's output for the picture
 * @param ranking    the channels shown, best first
 * @param grid       those channels rendered
 * @param overlays   the best channels, best first, each blended over the picture where it fired
 *                   (as many as the inspector was asked for; none by default); the pictures are
 *                   the inspection's own, to be read, not changed
 */
public record TapInspection(Tap tap, FeatureMap featureMap, Ranking ranking, Grid grid, List<BufferedImage> overlays) {

    public TapInspection {
        Objects.requireNonNull(tap, "tap");
        Objects.requireNonNull(featureMap, "featureMap");
        Objects.requireNonNull(ranking, "ranking");
        Objects.requireNonNull(grid, "grid");
        overlays = List.copyOf(overlays);
        if (overlays.size() > ranking.size()) {
            throw new IllegalArgumentException(overlays.size() + " overlays for " + ranking.size() + " ranked channels");
        }
    }

    /** Without overlays. */
    public TapInspection(Tap tap, FeatureMap featureMap, Ranking ranking, Grid grid) {
        this(tap, featureMap, ranking, grid, List.of());
    }

    /** Width of each output image (feature map) in pixels. */
    public int width() {
        return tap.shape().width();
    }

    /** Height of each output image (feature map) in pixels. */
    public int height() {
        return tap.shape().height();
    }

    /** Number of output images (channels) at this step. */
    public int channelCount() {
        return tap.shape().channels();
    }

    /** {@code "224x224"}: width x height, as the report shows it. */
    public String dimensions() {
        return width() + "x" + height();
    }
}
