package io.cnnsee.dl4j;

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

import static org.bytedeco.dnnl.global.dnnl.algorithm;

/**
 * A Deeplearning4j activation as oneDNN's element-wise algorithm with its two parameters: what a
 * compiled graph fuses into the primitive before it or runs as a step of its own. Softmax is not
 * element-wise and is not one of these.
 */
record OnednnActivation(algorithm function, float alpha, float beta) {

    /** The identity: nothing to run. */
    static final OnednnActivation IDENTITY = new OnednnActivation(null, 0f, 0f);
    static final OnednnActivation RELU = new OnednnActivation(algorithm.eltwise_relu, 0f, 0f);

    /**
     * The activation as oneDNN's ({@link #IDENTITY} for none); empty when oneDNN has no exact
     * equivalent (the layer then runs on Deeplearning4j).
     */
    static Optional<OnednnActivation> of(IActivation activation) {
        if (activation == null || activation instanceof ActivationIdentity) {
            return Optional.of(IDENTITY);
        }
        OnednnActivation a = null;
        if (activation instanceof ActivationReLU relu) {
            double threshold = relu.getThreshold() == null ? 0 : relu.getThreshold();
            double slope = relu.getNegativeSlope() == null ? 0 : relu.getNegativeSlope();
            if (threshold == 0 && relu.getMax() == null) {
                a = new OnednnActivation(algorithm.eltwise_relu, (float) slope, 0f);
            } else if (threshold == 0 && slope == 0) {
                a = new OnednnActivation(algorithm.eltwise_clip, 0f, relu.getMax().floatValue());
            }
        } else if (activation instanceof ActivationLReLU l) {
            a = new OnednnActivation(algorithm.eltwise_relu, (float) l.getAlpha(), 0f);
        } else if (activation instanceof ActivationReLU6) {
            a = new OnednnActivation(algorithm.eltwise_clip, 0f, 6f);
        } else if (activation instanceof ActivationHardTanH) {
            a = new OnednnActivation(algorithm.eltwise_clip, -1f, 1f);
        } else if (activation instanceof ActivationELU e) {
            a = new OnednnActivation(algorithm.eltwise_elu, (float) e.getAlpha(), 0f);
        } else if (activation instanceof ActivationSigmoid) {
            a = new OnednnActivation(algorithm.eltwise_logistic, 0f, 0f);
        } else if (activation instanceof ActivationTanH) {
            a = new OnednnActivation(algorithm.eltwise_tanh, 0f, 0f);
        } else if (activation instanceof ActivationSoftPlus) {
            a = new OnednnActivation(algorithm.eltwise_soft_relu, 0f, 0f);
        } else if (activation instanceof ActivationSwish) {
            a = new OnednnActivation(algorithm.eltwise_swish, 1f, 0f);
        }
        return Optional.ofNullable(a);
    }

    boolean identity() {
        return function == null;
    }
}
