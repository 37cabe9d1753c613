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
     * {@code channel} over {@code picture}, scaled by the channel's own minimum and maximum.
     *
     * @param alpha the colour's weight, from 0 (the picture alone) to 1 (the map alone)
     */
    public static BufferedImage blend(BufferedImage picture, Channel channel, Colormap colormap, double alpha) {
        Objects.requireNonNull(channel, "channel");
        float[] map = channel.toArray();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : map) {
            if (Float.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        ValueRange range = max >= min ? new ValueRange(min, max) : new ValueRange(0, 0);
        return blend(picture, channel, range, colormap, alpha);
    }

    /**
     * {@code channel} over {@code picture}, with {@code range} mapped onto the colormap (values
     * outside it clamped): for maps with a natural scale, such as Grad-CAM's 0 to its maximum.
     *
     * @param alpha the colour's weight, from 0 (the picture alone) to 1 (the map alone)
     */
    public static BufferedImage blend(BufferedImage picture, Channel channel, ValueRange range, Colormap colormap,
                                      double alpha) {
        Objects.requireNonNull(picture, "picture");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(colormap, "colormap");
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be between 0 and 1, was " + alpha);
        }
        BufferedImage rgb = ImageLoader.toRgb(picture);
        int width = rgb.getWidth();
        int height = rgb.getHeight();
        float[] up = upsample(channel.toArray(), channel.width(), channel.height(), width, height);
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            rgb.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int colour = colormap.colorOf(range.normalize(up[y * width + x]));
                int p = row[x];
                row[x] = mix(p >> 16 & 0xFF, colour >> 16 & 0xFF, alpha) << 16
                        | mix(p >> 8 & 0xFF, colour >> 8 & 0xFF, alpha) << 8
                        | mix(p & 0xFF, colour & 0xFF, alpha);
            }
            out.setRGB(0, y, width, 1, row, 0, width);
        }
        return out;
    }

    /**
     * {@code map} ({@code w} x {@code h}, row-major) resized to {@code width} x {@code height}
     * bilinearly with pixel centres aligned, row-major.
     */
    public static float[] upsample(float[] map, int w, int h, int width, int height) {
        Objects.requireNonNull(map, "map");
        if (w < 1 || h < 1 || width < 1 || height < 1 || map.length != w * h) {
            throw new IllegalArgumentException("Cannot resize a " + w + "x" + h + " map of " + map.length
                    + " values to " + width + "x" + height);
        }
        float[] out = new float[width * height];
        for (int y = 0; y < height; y++) {
            double sy = clamp((y + 0.5) * h / height - 0.5, h - 1);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < width; x++) {
                double sx = clamp((x + 0.5) * w / width - 0.5, w - 1);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                out[y * width + x] = (float) ((1 - fy) * ((1 - fx) * map[y0 * w + x0] + fx * map[y0 * w + x1])
                        + fy * ((1 - fx) * map[y1 * w + x0] + fx * map[y1 * w + x1]));
            }
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
