package io.cnnsee.render;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * The kernels of a network's first convolution as small colour pictures: what each of its
 * channels looks for in the pixels. Each kernel (3 colour planes of k x k weights) is scaled by its
 * own minimum and maximum to 0..255, so red, green and blue show the weights of the red, green and
 * blue inputs; a constant kernel is mid-grey. Tiles are enlarged by whole pixels and laid out in
 * rows, one pixel of white between them.
 */
public final class Filters {

    private Filters() {
    }

    /**
     * @param kernels {@code count} kernels one after the other, each as planes red, green, blue of
     *                {@code size} x {@code size} weights, row by row
     * @param scale   screen pixels per weight
     * @param columns tiles per row
     */
    public static BufferedImage render(float[] kernels, int count, int size, int scale, int columns) {
        Objects.requireNonNull(kernels, "kernels");
        if (count < 1 || size < 1 || scale < 1 || columns < 1) {
            throw new IllegalArgumentException("count, size, scale and columns must be at least 1, were "
                    + count + ", " + size + ", " + scale + ", " + columns);
        }
        int per = 3 * size * size;
        if (kernels.length != count * per) {
            throw new IllegalArgumentException(count + " kernels of 3 x " + size + " x " + size + " need "
                    + count * per + " values, got " + kernels.length);
        }
        int cols = Math.min(columns, count);
        int rows = (count + cols - 1) / cols;
        int tile = size * scale;
        BufferedImage out = new BufferedImage(cols * tile + cols - 1, rows * tile + rows - 1, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, 0xFFFFFF);
            }
        }
        for (int k = 0; k < count; k++) {
            int base = k * per;
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = base; i < base + per; i++) {
                min = Math.min(min, kernels[i]);
                max = Math.max(max, kernels[i]);
            }
            int left = (k % cols) * (tile + 1);
            int top = (k / cols) * (tile + 1);
            for (int ky = 0; ky < size; ky++) {
                for (int kx = 0; kx < size; kx++) {
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        float v = kernels[base + (c * size + ky) * size + kx];
                        int level = max > min ? (int) Math.round(255.0 * (v - min) / (max - min)) : 128;
                        rgb = rgb << 8 | level;
                    }
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            out.setRGB(left + kx * scale + dx, top + ky * scale + dy, rgb);
                        }
                    }
                }
            }
        }
        return out;
    }
}
