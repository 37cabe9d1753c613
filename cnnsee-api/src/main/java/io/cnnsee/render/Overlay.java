package io.cnnsee.render;

import io.cnnsee.Channel;
import io.cnnsee.ImageLoader;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Where in the picture a channel fired: the channel upsampled to the picture's size, coloured,
 * and blended over the picture.
 *
 * <p>Upsampling is bilinear with pixel centres aligned (the inverse of the model's resize), so the
 * map covers the whole picture as the model saw it resized (not centre-cropped). Values are scaled
 * by the channel's own minimum and maximum of finite values (a constant channel gives the first
 * colour), then each output pixel is {@code round((1 - alpha) * picture + alpha * colour)} per
 * colour component.
 */
public final class Overlay {

    private Overlay() {
    }

    /**
     * {@code channel} over {@code picture}.
     *
     * @param alpha the colour's weight, from 0 (the picture alone) to 1 (the map alone)
     */
    public static BufferedImage blend(BufferedImage picture, Channel channel, Colormap colormap, double alpha) {
        Objects.requireNonNull(picture, "picture");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(colormap, "colormap");
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be between 0 and 1, was " + alpha);
        }
        BufferedImage rgb = ImageLoader.toRgb(picture);
        int width = rgb.getWidth();
        int height = rgb.getHeight();
        float[] map = channel.toArray();
        int w = channel.width();
        int h = channel.height();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : map) {
            if (Float.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double range = max > min ? max - min : 0;

        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            double sy = clamp((y + 0.5) * h / height - 0.5, h - 1);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            rgb.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                double sx = clamp((x + 0.5) * w / width - 0.5, w - 1);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double v = (1 - fy) * ((1 - fx) * map[y0 * w + x0] + fx * map[y0 * w + x1])
                        + fy * ((1 - fx) * map[y1 * w + x0] + fx * map[y1 * w + x1]);
                double t = range > 0 ? (v - min) / range : 0;
                int colour = colormap.colorOf(t);
                int p = row[x];
                row[x] = mix(p >> 16 & 0xFF, colour >> 16 & 0xFF, alpha) << 16
                        | mix(p >> 8 & 0xFF, colour >> 8 & 0xFF, alpha) << 8
                        | mix(p & 0xFF, colour & 0xFF, alpha);
            }
            out.setRGB(0, y, width, 1, row, 0, width);
        }
        return out;
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static int mix(int picture, int colour, double alpha) {
        return (int) Math.round((1 - alpha) * picture + alpha * colour);
    }
}
