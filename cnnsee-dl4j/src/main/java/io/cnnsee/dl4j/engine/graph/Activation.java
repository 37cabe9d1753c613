package io.cnnsee.dl4j.engine.graph;

/**
 * An element-wise function: what a node applies after its own result, or all that an activation
 * node does. {@code alpha} and {@code beta} as {@link Kind} says.
 */
public record Activation(Kind kind, float alpha, float beta) {

    public enum Kind {
        IDENTITY,
        /** {@code x > 0 ? x : alpha x}. */
        RELU,
        /** {@code min(max(x, alpha), beta)}. */
        CLIP,
        /** {@code x > 0 ? x : alpha (e^x - 1)}. */
        ELU,
        SIGMOID,
        TANH,
        /** {@code log(1 + e^x)}. */
        SOFTPLUS,
        /** {@code x sigmoid(alpha x)}. */
        SWISH,
        /** {@code x Phi(x)}, with the error function. */
        GELU_ERF,
        /** GELU's tanh approximation. */
        GELU_TANH,
        /** {@code x relu6(x + 3) / 6}. */
        HARD_SWISH
    }

    public static final Activation IDENTITY = new Activation(Kind.IDENTITY, 0f, 0f);
    public static final Activation RELU = new Activation(Kind.RELU, 0f, 0f);

    public boolean identity() {
        return kind == Kind.IDENTITY;
    }

    /**
     * Whether its derivative follows from its output alone, so that a pass that is differentiated
     * may fuse it into the step before and keep only the output.
     */
    public boolean differentiableFromOutput() {
        return switch (kind) {
            case IDENTITY, SIGMOID, TANH, CLIP -> true;
            case RELU, ELU -> alpha >= 0;
            default -> false;
        };
    }
}
