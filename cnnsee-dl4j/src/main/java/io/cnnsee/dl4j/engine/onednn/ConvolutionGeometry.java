package io.cnnsee.dl4j.engine.onednn;

import io.cnnsee.dl4j.engine.graph.Op;

/**
 * A convolution's settings as oneDNN's descriptions take them, forward and backward alike: the
 * kernel's dimensions (grouped ones as {@code [g, out / g, in / g, kh, kw]}), strides, dilations
 * counted from 0, and the padding before and after.
 */
record ConvolutionGeometry(long[] weights, long[] strides, long[] dilates, long[] padBegin, long[] padEnd) {

    static ConvolutionGeometry of(Op.Conv c) {
        long[] w = c.weights().dims();
        long[] weights = c.groups() == 1 ? w : new long[] {c.groups(), w[0] / c.groups(), w[1], w[2], w[3]};
        return new ConvolutionGeometry(weights, new long[] {c.stride()[0], c.stride()[1]},
                new long[] {c.dilation()[0] - 1L, c.dilation()[1] - 1L}, new long[] {c.padBegin()[0], c.padBegin()[1]},
                new long[] {c.padEnd()[0], c.padEnd()[1]});
    }
}
