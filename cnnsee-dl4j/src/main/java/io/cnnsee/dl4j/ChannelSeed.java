package io.cnnsee.dl4j;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A channel term of an objective read from a spatial activation of one picture: its value, and
 * its gradient with respect to that activation, in the activation's own layout (channels first
 * or last): {@code 1 / (H W)} over the channel for its mean, 1 at the centre for its centre unit.
 */
record ChannelSeed(double value, INDArray gradient) {

    static ChannelSeed of(INDArray activation, InputType type, int channel, boolean centre) {
        if (!(type instanceof InputType.InputTypeConvolutional conv)) {
            throw new IllegalArgumentException("A channel term needs a spatial map, not " + type);
        }
        boolean nhwc = conv.getFormat() == CNN2DFormat.NHWC;
        long h = conv.getHeight();
        long w = conv.getWidth();
        INDArray seed = Nd4j.zeros(activation.dataType(), activation.shape());
        double value;
        if (centre) {
            long y = h / 2;
            long x = w / 2;
            long[] at = nhwc ? new long[] {0, y, x, channel} : new long[] {0, channel, y, x};
            value = activation.getDouble(at);
            seed.putScalar(at, 1.0);
        } else {
            INDArrayIndex[] plane = nhwc
                    ? new INDArrayIndex[] {NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(channel)}
                    : new INDArrayIndex[] {NDArrayIndex.point(0), NDArrayIndex.point(channel), NDArrayIndex.all(), NDArrayIndex.all()};
            value = activation.get(plane).meanNumber().doubleValue();
            seed.get(plane).assign(1.0 / (h * w));
        }
        return new ChannelSeed(value, seed);
    }
}
