package io.cnnsee.dl4j.engine.frontend;

import io.cnnsee.dl4j.engine.graph.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;

import java.util.Optional;

import static io.cnnsee.dl4j.engine.graph.Activation.Kind;

/** A Deeplearning4j activation as the compiler's, where it has an exact one. Softmax is not element-wise and is not one. */
final class Dl4jActivations {

    private Dl4jActivations() {
    }

    /** The activation, {@link Activation#IDENTITY} for none; empty when there is no exact equivalent. */
    static Optional<Activation> of(IActivation activation) {
        if (activation == null || activation instanceof ActivationIdentity) {
            return Optional.of(Activation.IDENTITY);
        }
        Activation a = null;
        if (activation instanceof ActivationReLU relu) {
            double threshold = relu.getThreshold() == null ? 0 : relu.getThreshold();
            double slope = relu.getNegativeSlope() == null ? 0 : relu.getNegativeSlope();
            if (threshold == 0 && relu.getMax() == null) {
                a = new Activation(Kind.RELU, (float) slope, 0f);
            } else if (threshold == 0 && slope == 0) {
                a = new Activation(Kind.CLIP, 0f, relu.getMax().floatValue());
            }
        } else if (activation instanceof ActivationLReLU l) {
            a = new Activation(Kind.RELU, (float) l.getAlpha(), 0f);
        } else if (activation instanceof ActivationReLU6) {
            a = new Activation(Kind.CLIP, 0f, 6f);
        } else if (activation instanceof ActivationHardTanH) {
            a = new Activation(Kind.CLIP, -1f, 1f);
        } else if (activation instanceof ActivationELU e) {
            a = new Activation(Kind.ELU, (float) e.getAlpha(), 0f);
        } else if (activation instanceof ActivationSigmoid) {
            a = new Activation(Kind.SIGMOID, 0f, 0f);
        } else if (activation instanceof ActivationTanH) {
            a = new Activation(Kind.TANH, 0f, 0f);
        } else if (activation instanceof ActivationSoftPlus) {
            a = new Activation(Kind.SOFTPLUS, 0f, 0f);
        } else if (activation instanceof ActivationSwish) {
            a = new Activation(Kind.SWISH, 1f, 0f);
        }
        return Optional.ofNullable(a);
    }
}
