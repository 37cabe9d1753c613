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

    /**
     * The picture's total variation as {@link FeatureVisualizer.Builder#totalVariation} penalises
     * it: the sum over colours and pixels of the squared differences (0..1) with the right and the
     * lower neighbour. Times the weight, what the penalty took from the objective at the end.
     */
    public double totalVariation() {
        int w = image.getWidth();
        int h = image.getHeight();
        double tv = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                int right = x + 1 < w ? image.getRGB(x + 1, y) : p;
                int below = y + 1 < h ? image.getRGB(x, y + 1) : p;
                for (int shift = 0; shift <= 16; shift += 8) {
                    double v = (p >> shift & 0xFF) / 255.0;
                    double r = (right >> shift & 0xFF) / 255.0 - v;
                    double b = (below >> shift & 0xFF) / 255.0 - v;
                    tv += r * r + b * b;
                }
            }
        }
        return tv;
    }
}
