package io.cnnsee;

import io.cnnsee.render.Filters;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * The kernels of a network's first convolution, which look at the pixels themselves: kernel after
 * kernel, each as its red, green and blue planes of {@code size} x {@code size} weights, row by row.
 *
 * @param layerName the convolution's name in the model, e.g. {@code block1_conv1}
 * @param count     number of kernels (output channels)
 * @param size      height and width of each kernel
 * @param values    {@code count * 3 * size * size} weights
 */
public record FirstLayerKernels(String layerName, int count, int size, float[] values) {

    public FirstLayerKernels {
        Objects.requireNonNull(layerName, "layerName");
        Objects.requireNonNull(values, "values");
        if (count < 1 || size < 1 || values.length != count * 3 * size * size) {
            throw new IllegalArgumentException(count + " kernels of 3 x " + size + " x " + size + " need "
                    + (long) count * 3 * size * size + " values, got " + values.length);
        }
        values = values.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** The kernels as colour tiles (see {@link Filters#render}). */
    public BufferedImage render(int scale, int columns) {
        return Filters.render(values, count, size, scale, columns);
    }
}
