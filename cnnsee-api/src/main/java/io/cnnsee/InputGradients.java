package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A model that differentiates with respect to its input: what saliency and feature visualisation
 * need.
 */
public interface InputGradients extends Capability {

    /** How the model makes a picture its input, and back: what feature visualisation optimises through. */
    ImageInput imageInput();

    /**
     * {@code image} as the network's input: resized and scaled as the model does it, channel after
     * channel ({@link InspectableModel#inputShape()}), the input {@link #inputGradient} differentiates at.
     */
    float[] networkInput(BufferedImage image);

    /**
     * {@code objective}'s value at {@code input} (as {@link #networkInput} makes it, or any values
     * of the input's shape) and its gradient with respect to the input, from one forward and one
     * backward pass.
     *
     * @throws IllegalArgumentException naming the layers, channels or classes there are, when the
     *                                  objective reads one the model does not have
     */
    InputGradient inputGradient(float[] input, Objective objective);

    /**
     * {@link #inputGradient} for several inputs, each with its own objective: element i is input
     * i's. Engines that run them as one batch, which costs less per input, override this; by
     * default they go one by one.
     *
     * @throws IllegalArgumentException if the lists differ in length or are empty
     */
    default List<InputGradient> inputGradients(List<float[]> inputs, List<Objective> objectives) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(objectives, "objectives");
        if (inputs.isEmpty() || inputs.size() != objectives.size()) {
            throw new IllegalArgumentException("One objective per input, and at least one: got " + inputs.size()
                    + " inputs and " + objectives.size() + " objectives");
        }
        List<InputGradient> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            out.add(inputGradient(inputs.get(i), objectives.get(i)));
        }
        return out;
    }
}
