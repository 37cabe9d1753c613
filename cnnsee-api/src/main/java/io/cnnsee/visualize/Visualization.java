package io.cnnsee.visualize;

import io.cnnsee.Objective;
import io.cnnsee.Tap;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * The picture one channel wants to see, as {@link FeatureVisualizer} found it, with the
 * objective's value at every step (it should rise).
 *
 * @param tap       the layer
 * @param channel   the channel
 * @param objective what was maximised
 * @param image     the picture, RGB
 * @param history   the objective's value at each step, before that step's update
 * @param seed      the seed it was made from
 */
public record Visualization(Tap tap, int channel, Objective objective, BufferedImage image, double[] history, long seed) {

    public Visualization {
        Objects.requireNonNull(tap, "tap");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(image, "image");
        history = history.clone();
    }

    @Override
    public double[] history() {
        return history.clone();
    }

    /** The objective at the first step and after the last: how far the ascent got. */
    public double first() {
        return history[0];
    }

    public double last() {
        return history[history.length - 1];
    }
}
