package io.cnnsee.render;

import io.cnnsee.ImageLoader;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Objects;

/** Pictures made small enough to show in a report. */
public final class Resize {

    private Resize() {
    }

    /**
     * {@code picture} as 8-bit RGB, scaled down (proportions kept) so that neither side exceeds
     * {@code maxSide}; a copy at its own size if it is small enough. Each output pixel is the
     * average of the source area it covers, parts of pixels counted by the part they cover, rounded
     * to the nearest level: every source pixel counts, in proportion.
     */
    public static BufferedImage fit(BufferedImage picture, int maxSide) {
        Objects.requireNonNull(picture, "picture");
        if (maxSide < 1) {
            throw new IllegalArgumentException("maxSide must be at least 1, was " + maxSide);
        }
        int w = picture.getWidth();
        int h = picture.getHeight();
        double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int targetW = Math.max(1, (int) Math.round(w * scale));
        int targetH = Math.max(1, (int) Math.round(h * scale));
        if (targetW == w && targetH == h) {
            return ImageLoader.copyRgb(picture);
        }
        return areaAverage(ImageLoader.toRgb(picture), targetW, targetH);
    }

    /**
     * {@code picture} at about {@code side} pixels on its longer side: a small one enlarged by the
     * largest whole factor that fits, each pixel a square block (nearest neighbour, so a unit's few
     * pixels stay sharp rather than blur), a large one as {@link #fit}.
     */
    public static BufferedImage enlarged(BufferedImage picture, int side) {
        Objects.requireNonNull(picture, "picture");
        int w = picture.getWidth();
        int h = picture.getHeight();
        int factor = side / Math.max(w, h);
        if (factor <= 1) {
            return fit(picture, side);
        }
        BufferedImage rgb = ImageLoader.toRgb(picture);
        BufferedImage out = new BufferedImage(w * factor, h * factor, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w * factor];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                java.util.Arrays.fill(row, x * factor, (x + 1) * factor, rgb.getRGB(x, y));
            }
            for (int k = 0; k < factor; k++) {
                out.setRGB(0, y * factor + k, w * factor, 1, row, 0, w * factor);
            }
        }
        return out;
    }

    /**
     * {@code source} (8-bit RGB, at least as large as the target either way) averaged down to
     * {@code targetW} x {@code targetH}. Positions are counted in fractions of a source pixel, 1 /
     * {@code targetW} across and 1 / {@code targetH} down, so every weight is a whole number: output
     * column {@code x} covers source fractions {@code x * w} to {@code (x + 1) * w}, and the weights
     * of an output pixel add up to {@code w * h}. For each output row its source rows are added
     * down, per source column, then the columns across. (Java2D's bilinear scaling by halves took
     * twice as long for a photograph, and is an area average only for powers of two.)
     */
    private static BufferedImage areaAverage(BufferedImage source, int targetW, int targetH) {
        int w = source.getWidth();
        int h = source.getHeight();
        // Per output column: its first and last source column and their weights; columns between weigh targetW.
        int[] first = new int[targetW];
        int[] last = new int[targetW];
        long[] firstWeight = new long[targetW];
        long[] lastWeight = new long[targetW];
        for (int x = 0; x < targetW; x++) {
            long from = (long) x * w;
            long to = from + w;
            first[x] = (int) (from / targetW);
            last[x] = (int) ((to - 1) / targetW);
            firstWeight[x] = Math.min(to, (first[x] + 1L) * targetW) - from;
            lastWeight[x] = to - (long) last[x] * targetW;
        }
        int[] row = new int[w];
        // A column's sum down an output row's source rows is at most h * 255: an int holds it.
        int[] red = new int[w];
        int[] green = new int[w];
        int[] blue = new int[w];
        long total = (long) w * h;
        BufferedImage out = new BufferedImage(targetW, targetH, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        var raster = source.getRaster();
        for (int y = 0; y < targetH; y++) {
            long from = (long) y * h;
            long to = from + h;
            int top = (int) (from / targetH);
            int bottom = (int) ((to - 1) / targetH);
            java.util.Arrays.fill(red, 0);
            java.util.Arrays.fill(green, 0);
            java.util.Arrays.fill(blue, 0);
            for (int sy = top; sy <= bottom; sy++) {
                int weight = (int) (Math.min(to, (sy + 1L) * targetH) - Math.max(from, (long) sy * targetH));
                raster.getDataElements(0, sy, w, 1, row);
                for (int i = 0; i < w; i++) {
                    int p = row[i];
                    red[i] += weight * ((p >> 16) & 0xFF);
                    green[i] += weight * ((p >> 8) & 0xFF);
                    blue[i] += weight * (p & 0xFF);
                }
            }
            for (int x = 0; x < targetW; x++) {
                int a = first[x];
                int b = last[x];
                long r = firstWeight[x] * red[a];
                long g = firstWeight[x] * green[a];
                long bl = firstWeight[x] * blue[a];
                if (b > a) {
                    long ri = 0;
                    long gi = 0;
                    long bi = 0;
                    for (int i = a + 1; i < b; i++) {
                        ri += red[i];
                        gi += green[i];
                        bi += blue[i];
                    }
                    r += ri * targetW + lastWeight[x] * red[b];
                    g += gi * targetW + lastWeight[x] * green[b];
                    bl += bi * targetW + lastWeight[x] * blue[b];
                }
                pixels[y * targetW + x] = (int) ((r + total / 2) / total) << 16 | (int) ((g + total / 2) / total) << 8
                        | (int) ((bl + total / 2) / total);
            }
        }
        return out;
    }
}
