package io.cnnsee.dl4j.engine.graph;

import java.util.Objects;

/**
 * What a {@link Node} computes from its inputs. Shapes are the nodes'; an op holds only what the
 * shapes do not say. Spatial pairs ({@code stride}, {@code padBegin} ...) are {@code {rows, columns}}.
 */
public sealed interface Op {

    /** The picture, as the network takes it. */
    record Input() implements Op {
    }

    /**
     * A convolution, grouped when {@code groups > 1} (depthwise when it equals the input's
     * channels). {@code weights} is {@code [out, in / groups, kh, kw]}; {@code bias} {@code [out]}
     * or {@code null}. With {@code addsSecondInput}, the node's second input is added to the
     * result before {@code activation} (a residual sum fused in), written over that input's
     * memory where {@code overwritesAddend}. {@code winograd} asks for Winograd's algorithm.
     */
    record Conv(Tensor weights, Tensor bias, int groups, int[] stride, int[] dilation, int[] padBegin, int[] padEnd,
                boolean addsSecondInput, boolean overwritesAddend, Activation activation, boolean winograd) implements Op {
        public Conv {
            Objects.requireNonNull(weights, "weights");
            Objects.requireNonNull(activation, "activation");
        }

        public static Conv of(Tensor weights, Tensor bias, int groups, int[] stride, int[] dilation, int[] padBegin, int[] padEnd) {
            return new Conv(weights, bias, groups, stride, dilation, padBegin, padEnd, false, false, Activation.IDENTITY, false);
        }

        public int[] kernel() {
            long[] d = weights.dims();
            return new int[] {(int) d[2], (int) d[3]};
        }

        public Conv withWeights(Tensor w, Tensor b) {
            return new Conv(w, b, groups, stride, dilation, padBegin, padEnd, addsSecondInput, overwritesAddend, activation, winograd);
        }

        public Conv withAdd(boolean overwrites) {
            return new Conv(weights, bias, groups, stride, dilation, padBegin, padEnd, true, overwrites, activation, winograd);
        }

        public Conv withActivation(Activation a) {
            return new Conv(weights, bias, groups, stride, dilation, padBegin, padEnd, addsSecondInput, overwritesAddend, a, winograd);
        }

        public Conv withWinograd(boolean w) {
            return new Conv(weights, bias, groups, stride, dilation, padBegin, padEnd, addsSecondInput, overwritesAddend, activation, w);
        }
    }

    /** {@code scale x + shift} per channel: a batch normalisation at inference. */
    record ChannelAffine(float[] scale, float[] shift) implements Op {
    }

    /** An element-wise function alone. */
    record Eltwise(Activation activation) implements Op {
    }

    /** Max or average pooling; an average counts the padding in its divisor where {@code countPadding}. */
    record Pool(boolean max, boolean countPadding, int[] kernel, int[] stride, int[] padBegin, int[] padEnd) implements Op {
    }

    /** Max or average over the whole map, into a {@code c x 1 x 1} map or a flat vector as the node's shape says. */
    record GlobalPool(boolean max) implements Op {
    }

    /** Zeros around the map. */
    record ZeroPad(int top, int bottom, int left, int right) implements Op {
    }

    /** The map with rows and columns cut off its edges. */
    record Crop(int top, int bottom, int left, int right) implements Op {
    }

    /** Each value repeated over a block of {@code rows x columns} (nearest-neighbour upsampling). */
    record Upsample(int rows, int columns) implements Op {
    }

    /** The inputs side by side along their channels. */
    record Concat() implements Op {
    }

    /** Inputs of one shape combined element by element, then {@code activation}. */
    record Combine(Kind kind, Activation activation) implements Op {
        public enum Kind { ADD, SUBTRACT, PRODUCT, MAX, AVERAGE }
    }

    /**
     * A dense layer: {@code weights} is {@code [out, in]}, where a spatial input is read as its
     * channel-major values ({@code [out, c, h, w]} in effect); {@code bias} {@code [out]} or {@code null}.
     */
    record Dense(Tensor weights, Tensor bias, Activation activation) implements Op {
        public Dense withActivation(Activation a) {
            return new Dense(weights, bias, a);
        }
    }

    /**
     * A map times one factor per channel that another node computes ({@code c x 1 x 1}), broadcast
     * over the map: squeeze-and-excitation. {@code mapInput} says which input (0 or 1) is the map.
     */
    record ChannelScale(int mapInput) implements Op {
    }

    /**
     * Layer normalisation over the channels at each position:
     * {@code gamma (x - mean) / sqrt(variance + epsilon) + beta} (ConvNeXt's).
     */
    record LayerNorm(float[] gamma, float[] beta, float epsilon) implements Op {
    }

    /** Softmax over a flat vector. */
    record Softmax() implements Op {
    }

    /** A map as a flat vector: channel-major, or position-major where {@code channelsLast}. */
    record Flatten(boolean channelsLast) implements Op {
    }

    /** The input as it is: dropout at inference, a no-op preprocessor. */
    record Identity() implements Op {
    }

    /** A layer run by its own framework, and why the compiler does not translate it. */
    record Host(HostLayer layer, String why) implements Op {
    }
}
