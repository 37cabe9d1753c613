package io.cnnsee;

import java.util.List;

/**
 * A classifying model that runs its class scores on from a layer's output, forward only: what
 * Ablation-CAM changes a layer's channels with. Only layers that nothing before them reaches past
 * (no connection across them) can be started from.
 */
public interface LayerScores extends Classifying {

    /** Whether {@link #classScoresFrom} can start at {@code tap}. */
    boolean scoresFrom(Tap tap);

    /**
     * Every class's logit for each of {@code outputs} put in place of {@code tap}'s output (channel
     * after channel, of the tap's shape); element i is output i's.
     *
     * @throws IllegalArgumentException if the model cannot start at {@code tap}, or an output is not of its shape
     */
    List<float[]> classScoresFrom(Tap tap, List<float[]> outputs);
}
