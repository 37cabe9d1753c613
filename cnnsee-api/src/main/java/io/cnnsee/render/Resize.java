package io.cnnsee.render;

import io.cnnsee.ImageLoader;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Objects;

/** Pictures made small enough to show in a report. */
public final class Resize {

    private Resize() {
    }

    /**
     * {@code picture} as 8-bit RGB, scaled down (proportions kept) so that neither side exceeds
     * {@code maxSide}; a copy at its own size if it is small enough. Large reductions go by
     * halves, so that every source pixel counts, as in an area average.
     */
    public static BufferedImage fit(BufferedImage picture, int maxSide) {
        Objects.requireNonNull(picture, "picture");
        if (maxSide < 1) {
            throw new IllegalArgumentException("maxSide must be at least 1, was " + maxSide);
        }
        BufferedImage current = ImageLoader.toRgb(picture);
        int w = current.getWidth();
        int h = current.getHeight();
        double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int targetW = Math.max(1, (int) Math.round(w * scale));
        int targetH = Math.max(1, (int) Math.round(h * scale));
        do {
            w = Math.max(targetW, w / 2 >= targetW ? w / 2 : targetW);
            h = Math.max(targetH, h / 2 >= targetH ? h / 2 : targetH);
            BufferedImage next = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = next.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(current, 0, 0, w, h, null);
            } finally {
                g.dispose();
            }
            current = next;
        } while (w != targetW || h != targetH);
        return current;
    }
}
