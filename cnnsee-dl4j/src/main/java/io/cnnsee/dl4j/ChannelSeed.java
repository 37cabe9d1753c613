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
        INDArray seed = Nd4j.zeros(activation.dataType(), activation.shape());
        double value = addTo(seed, activation, type, 0, channel, centre, 1);
        return new ChannelSeed(value, seed);
    }

    /**
     * Adds {@code weight} times the term's gradient for picture {@code example} of a batch to
     * {@code seed} (the activation's shape) and returns the term's value for that picture: one seed
     * for a batch whose pictures each have their own objective.
     */
    static double addTo(INDArray seed, INDArray activation, InputType type, int example, int channel, boolean centre,
                        double weight) {
        if (!(type instanceof InputType.InputTypeConvolutional conv)) {
            throw new IllegalArgumentException("A channel term needs a spatial map, not " + type);
        }
        boolean nhwc = conv.getFormat() == CNN2DFormat.NHWC;
        long h = conv.getHeight();
        long w = conv.getWidth();
        if (centre) {
            long y = h / 2;
            long x = w / 2;
            long[] at = nhwc ? new long[] {example, y, x, channel} : new long[] {example, channel, y, x};
            seed.putScalar(at, seed.getDouble(at) + weight);
            return activation.getDouble(at);
        }
        INDArrayIndex[] plane = nhwc
                ? new INDArrayIndex[] {NDArrayIndex.point(example), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(channel)}
                : new INDArrayIndex[] {NDArrayIndex.point(example), NDArrayIndex.point(channel), NDArrayIndex.all(), NDArrayIndex.all()};
        seed.get(plane).addi(weight / (h * w));
        return activation.get(plane).meanNumber().doubleValue();
    }

    /**
     * As {@link #addTo(INDArray, INDArray, InputType, int, int, boolean, double)} for one picture
     * held channel-major ({@code activation} and {@code seed} both {@code [c, h, w]}).
     */
    static double addTo(float[] seed, float[] activation, int h, int w, int channel, boolean centre, double weight) {
        int plane = channel * h * w;
        if (centre) {
            int at = plane + (h / 2) * w + w / 2;
            seed[at] += (float) weight;
            return activation[at];
        }
        float share = (float) (weight / (h * w));
        double sum = 0;
        for (int i = plane; i < plane + h * w; i++) {
            seed[i] += share;
            sum += activation[i];
        }
        return sum / (h * w);
    }
}
