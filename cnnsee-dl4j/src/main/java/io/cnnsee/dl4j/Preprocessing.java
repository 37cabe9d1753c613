package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Turns a picture into VGG16's input, exactly as Keras' {@code vgg16.preprocess_input} ("caffe"
 * mode) does after {@code load_img}: RGB to BGR, the ImageNet channel means subtracted, no
 * scaling ({@link ImageInput#caffe}, which says how pictures are resized). Immutable and
 * thread-safe. Output is channels-first: B, G, R planes of size x size floats.
 */
final class Preprocessing {

    /** ImageNet means of the B, G and R channels that Keras subtracts. */
    static final float[] BGR_MEANS = {103.939f, 116.779f, 123.68f};

    private final ImageInput input;

    /**
     * @param size       output height and width
     * @param centerCrop whether to crop the central square before resizing (keeps proportions)
     */
    public Preprocessing(int size, boolean centerCrop) {
        if (size < 1) {
            throw new IllegalArgumentException("Input size must be at least 1, was " + size);
        }
        this.input = ImageInput.caffe(size).withCenterCrop(centerCrop);
    }

    public int size() {
        return input.height();
    }

    public boolean centerCrop() {
        return input.centerCrop();
    }

    /** The same conventions as an {@link ImageInput}. */
    public ImageInput input() {
        return input;
    }

    /** The network input for {@code image}: 3 x size x size floats, B, G, R planes, means subtracted. */
    public float[] apply(BufferedImage image) {
        return input.toChannelsFirst(Objects.requireNonNull(image, "image"));
    }
}
