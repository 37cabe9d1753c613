package io.cnnsee;

import java.util.Objects;

/**
 * One observed layer of a model: where its output is read and what it is called in a report.
 *
 * @param displayName what a person reads, e.g. {@code "block 1"}
 * @param layerName   the model's own name of the layer, e.g. {@code "block1_conv2"}
 * @param shape       the shape of the layer's output for the model's input size
 */
public record Tap(String displayName, String layerName, MapShape shape) {

    public Tap {
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(layerName, "layerName");
        Objects.requireNonNull(shape, "shape");
        if (layerName.isBlank()) {
            throw new IllegalArgumentException("A tap needs a layer name, was blank");
        }
    }

    /** A tap whose display name is its layer name. */
    public static Tap of(String layerName, MapShape shape) {
        return new Tap(layerName, layerName, shape);
    }

    @Override
    public String toString() {
        return displayName.equals(layerName)
                ? layerName + " (" + shape + ")"
                : displayName + " / " + layerName + " (" + shape + ")";
    }
}
