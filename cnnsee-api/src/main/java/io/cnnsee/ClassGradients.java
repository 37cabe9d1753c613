package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.List;

/** A classifying model that differentiates a class score with respect to its layers: what Grad-CAM is made of. */
public interface ClassGradients extends Classifying {

    /**
     * The gradient of one class score (before softmax) with respect to the outputs of
     * {@code taps}, with those outputs and the class probabilities, from one forward and one
     * backward pass.
     *
     * @param classIndex the class, or {@link ClassGradient#MOST_PROBABLE_CLASS} for the picture's most probable
     * @param taps       the layers, at least one; convolutional layers for Grad-CAM
     * @throws IllegalArgumentException if the class is not one of the model's, or a tap cannot be differentiated
     */
    ClassGradient classGradient(BufferedImage image, int classIndex, List<Tap> taps);
}
