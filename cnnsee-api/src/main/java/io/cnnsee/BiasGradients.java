package io.cnnsee;

import java.awt.image.BufferedImage;

/**
 * A classifying model that differentiates a class score with respect to its input and to the
 * output of every layer with a bias: what FullGrad is made of ({@link FullGrad}).
 */
public interface BiasGradients extends ClassGradients {

    /**
     * The gradient of one class score (before softmax) with respect to the network's input and to
     * the output, before its activation, of each convolution with a bias and each batch
     * normalisation, with those layers' biases; from one forward and one backward pass.
     *
     * @param classIndex the class, or {@link ClassGradient#MOST_PROBABLE_CLASS} for the picture's most probable
     * @throws IllegalArgumentException if the class is not one of the model's
     */
    FullGradient fullGradient(BufferedImage image, int classIndex);
}
