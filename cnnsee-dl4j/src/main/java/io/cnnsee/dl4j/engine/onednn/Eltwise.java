package io.cnnsee.dl4j.engine.onednn;

import io.cnnsee.dl4j.engine.graph.Activation;

import static org.bytedeco.dnnl.global.dnnl.algorithm;

/**
 * An {@link Activation} as oneDNN's element-wise algorithm, forward, and backward from its input,
 * or from its output where the activation allows ({@link Activation#differentiableFromOutput}).
 */
public record Eltwise(algorithm forward, algorithm fromOutput, float alpha, float beta) {

    /** {@code null} for the identity. */
    public static Eltwise of(Activation a) {
        float alpha = a.alpha();
        float beta = a.beta();
        return switch (a.kind()) {
            case IDENTITY -> null;
            case RELU -> new Eltwise(algorithm.eltwise_relu, algorithm.eltwise_relu_use_dst_for_bwd, alpha, 0f);
            case CLIP -> new Eltwise(algorithm.eltwise_clip_v2, algorithm.eltwise_clip_v2_use_dst_for_bwd, alpha, beta);
            case ELU -> new Eltwise(algorithm.eltwise_elu, algorithm.eltwise_elu_use_dst_for_bwd, alpha, 0f);
            case SIGMOID -> new Eltwise(algorithm.eltwise_logistic, algorithm.eltwise_logistic_use_dst_for_bwd, 0f, 0f);
            case TANH -> new Eltwise(algorithm.eltwise_tanh, algorithm.eltwise_tanh_use_dst_for_bwd, 0f, 0f);
            case SOFTPLUS -> new Eltwise(algorithm.eltwise_soft_relu, null, 0f, 0f);
            case SWISH -> new Eltwise(algorithm.eltwise_swish, null, alpha, 0f);
            case GELU_ERF -> new Eltwise(algorithm.eltwise_gelu_erf, null, 0f, 0f);
            case GELU_TANH -> new Eltwise(algorithm.eltwise_gelu_tanh, null, 0f, 0f);
            case HARD_SWISH -> new Eltwise(algorithm.eltwise_hardswish, null, 0f, 0f);
        };
    }
}
