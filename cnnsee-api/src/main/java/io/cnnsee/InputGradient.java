package io.cnnsee;

import java.util.Objects;

/**
 * An objective's value for one network input and its gradient with respect to that input, in
 * the network input's own units (after scaling and mean subtraction), channel after channel, row
 * after row: the raw material of saliency maps and feature visualisation.
 *
 * @param objective what was differentiated
 * @param value     its value
 * @param shape     the input's shape, channels x height x width
 * @param gradient  d value / d input, {@code shape.size()} values
 */
public record InputGradient(Objective objective, double value, MapShape shape, float[] gradient) {

    public InputGradient {
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(gradient, "gradient");
        if (gradient.length != shape.size()) {
            throw new IllegalArgumentException("An input of " + shape + " has " + shape.size() + " gradient values, not "
                    + gradient.length);
        }
        gradient = gradient.clone();
    }

    @Override
    public float[] gradient() {
        return gradient.clone();
    }
}
