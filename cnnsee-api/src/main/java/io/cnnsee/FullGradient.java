package io.cnnsee;

import java.util.List;
import java.util.Objects;

/**
 * What FullGrad reads of one class score for one picture (Srinivas and Fleuret 2019): the network's
 * input and the score's gradient with respect to it, and for each layer with a bias over a map
 * (a convolution's bias, a batch normalisation's shift) that bias and the gradient with respect to
 * the layer's output before its activation. Computed by {@link BiasGradients#fullGradient}.
 *
 * @param classIndex    the class whose score was differentiated
 * @param score         that class's score before softmax (its logit)
 * @param probability   the class's probability
 * @param input         the network's input, channels x height x width ({@code inputGradient}'s tap)
 * @param inputGradient the score's gradient with respect to {@code input}
 * @param biases        the layers with a bias, in the network's order
 */
public record FullGradient(int classIndex, float score, float probability, FeatureMap input, FeatureMap inputGradient,
                           List<Bias> biases) {

    /**
     * One layer's bias and the gradient with respect to the layer's output before its activation.
     *
     * @param values   one value per channel of {@code gradient}: a convolution's bias, or a batch
     *                 normalisation's {@code beta - mean gamma / sqrt(variance + epsilon)}
     * @param gradient the gradient, named after the layer
     */
    public record Bias(float[] values, FeatureMap gradient) {
        public Bias {
            Objects.requireNonNull(gradient, "gradient");
            if (values.length != gradient.channelCount()) {
                throw new IllegalArgumentException(gradient.tap().layerName() + " has " + gradient.channelCount()
                        + " channels but " + values.length + " biases");
            }
            values = values.clone();
        }

        @Override
        public float[] values() {
            return values.clone();
        }

        /** The layer's name. */
        public String layer() {
            return gradient.tap().layerName();
        }
    }

    public FullGradient {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(inputGradient, "inputGradient");
        biases = List.copyOf(biases);
        if (!input.shape().equals(inputGradient.shape())) {
            throw new IllegalArgumentException("The input is " + input.shape() + " but its gradient " + inputGradient.shape());
        }
    }
}
