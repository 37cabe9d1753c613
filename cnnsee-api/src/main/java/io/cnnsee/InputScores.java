package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A classifying model that scores many network inputs at once, forward only: what perturbation
 * methods run on (Score-CAM's masked pictures, the deletion and insertion curves of
 * {@link Faithfulness}), in batches that cost less per input than single passes.
 */
public interface InputScores extends Classifying {

    /** The network's input: channels x height x width. */
    MapShape inputShape();

    /** {@code image} as the network's input, channel after channel, as the model makes it. */
    float[] networkInput(BufferedImage image);

    /**
     * Every class's score before softmax (its logit), for each input; element i is input i's.
     *
     * @param inputs network inputs, each of the model's input shape
     * @throws IllegalArgumentException if an input is not of the model's input shape
     */
    List<float[]> classScores(List<float[]> inputs);
}
