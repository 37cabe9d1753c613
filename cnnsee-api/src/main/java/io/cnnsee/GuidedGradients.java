package io.cnnsee;

import java.util.List;

/**
 * A model that differentiates with respect to its input with each ReLU's way back guided
 * (Springenberg et al. 2015): only positive gradients pass, and only where the ReLU's input was
 * positive. What Guided Backpropagation and Guided Grad-CAM are made of.
 */
public interface GuidedGradients extends InputGradients {

    /**
     * {@link #inputGradients}, guided: element i is input i's objective value (unchanged) and its
     * guided gradient.
     *
     * @throws IllegalArgumentException if the lists differ in length or are empty
     */
    List<InputGradient> guidedInputGradients(List<float[]> inputs, List<Objective> objectives);
}
