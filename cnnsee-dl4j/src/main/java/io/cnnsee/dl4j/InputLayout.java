package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** How a Deeplearning4j network holds a picture: channels first, channels last, or flattened. */
enum InputLayout {
    /** [1, channels, height, width], Deeplearning4j's usual layout. */
    NCHW,
    /** [1, height, width, channels], as Keras networks imported with their own layout. */
    NHWC,
    /** [1, channels * height * width], for networks that reshape a flat input (convolutionalFlat). */
    FLAT;

    /** The network input for one picture, given channel after channel as {@link ImageInput#toChannelsFirst} makes it. */
    INDArray toArray(float[] channelsFirst, ImageInput input, DataType dataType) {
        int c = input.channels();
        int h = input.height();
        int w = input.width();
        INDArray chw = Nd4j.create(channelsFirst, new long[] {1, c, h, w}, 'c');
        INDArray out = switch (this) {
            case NCHW -> chw;
            case NHWC -> chw.permute(0, 2, 3, 1).dup('c');
            case FLAT -> chw.reshape('c', 1, (long) c * h * w);
        };
        return out.dataType() == dataType ? out : out.castTo(dataType);
    }

    /** The input type Deeplearning4j's configuration speaks of for {@code input}. */
    InputType inputType(ImageInput input) {
        return switch (this) {
            case NCHW -> InputType.convolutional(input.height(), input.width(), input.channels(), CNN2DFormat.NCHW);
            case NHWC -> InputType.convolutional(input.height(), input.width(), input.channels(), CNN2DFormat.NHWC);
            case FLAT -> InputType.convolutionalFlat(input.height(), input.width(), input.channels());
        };
    }

    /** A gradient with respect to the network input, as channel after channel, row after row. */
    float[] toChannelsFirst(INDArray gradient, ImageInput input) {
        INDArray chw = switch (this) {
            case NCHW, FLAT -> gradient;
            case NHWC -> gradient.permute(0, 3, 1, 2);
        };
        float[] values = chw.dup('c').data().asFloat();
        if (values.length != input.shape().size()) {
            throw new IllegalStateException("An input gradient of " + values.length + " values for an input of " + input.shape());
        }
        return values;
    }

    /**
     * A spatial activation of one picture as floats channel after channel, row after row, from
     * [1, c, h, w] or, for {@code format} NHWC, [1, h, w, c].
     */
    static float[] channelsFirst(INDArray activation, CNN2DFormat format) {
        INDArray chw = format == CNN2DFormat.NHWC ? activation.permute(0, 3, 1, 2) : activation;
        return chw.dup('c').data().asFloat();
    }
}
