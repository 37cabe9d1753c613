package io.cnnsee.render;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static io.cnnsee.Pictures.noise;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Scaling down is an exact area average: checked against the overlap of every source pixel with every output pixel. */
class ResizeTest {

    /**
     * Output pixel (x, y) of {@code picture} scaled to {@code tw} x {@code th}, worked out in two
     * dimensions at once: in units of 1/tw and 1/th of a source pixel, source pixel (i, j) spans
     * [i tw, (i + 1) tw) x [j th, (j + 1) th) and output pixel (x, y) spans [x w, (x + 1) w) x
     * [y h, (y + 1) h); each source pixel weighs the area of the overlap; rounded half up.
     */
    static int expected(BufferedImage picture, int tw, int th, int x, int y) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        long[] sums = new long[3];
        for (int j = 0; j < h; j++) {
            long overlapY = Math.min((j + 1L) * th, (y + 1L) * h) - Math.max((long) j * th, (long) y * h);
            if (overlapY <= 0) {
                continue;
            }
            for (int i = 0; i < w; i++) {
                long overlapX = Math.min((i + 1L) * tw, (x + 1L) * w) - Math.max((long) i * tw, (long) x * w);
                if (overlapX <= 0) {
                    continue;
                }
                int p = picture.getRGB(i, j);
                for (int c = 0; c < 3; c++) {
                    sums[c] += overlapX * overlapY * ((p >> (16 - 8 * c)) & 0xFF);
                }
            }
        }
        long area = (long) w * h;
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
            rgb = (rgb << 8) | (int) ((2 * sums[c] + area) / (2 * area));
        }
        return rgb;
    }

    static void assertAreaAverage(BufferedImage picture, int maxSide, int tw, int th) {
        BufferedImage fitted = Resize.fit(picture, maxSide);
        assertThat(fitted.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(fitted.getWidth()).isEqualTo(tw);
        assertThat(fitted.getHeight()).isEqualTo(th);
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                assertThat(fitted.getRGB(x, y) & 0xFFFFFF).as("(%d, %d)", x, y).isEqualTo(expected(picture, tw, th, x, y));
            }
        }
    }

    @Test
    void everyOutputPixelIsTheAverageOfTheAreaItCovers() {
        assertAreaAverage(noise(37, 23, 1), 10, 10, 6);       // 3.7 and 3.83 source pixels per output pixel
        assertAreaAverage(noise(23, 37, 2), 10, 6, 10);       // a portrait
        assertAreaAverage(noise(64, 32, 3), 16, 16, 8);       // exactly 4
        assertAreaAverage(noise(110, 55, 4), 100, 100, 50);   // 1.1: most output pixels take parts of two
        assertAreaAverage(noise(2, 300, 5), 240, 2, 240);     // the width kept (1.6 rounds to 2), the height scaled
        assertAreaAverage(noise(300, 1, 6), 7, 7, 1);
    }

    @Test
    void aSubImageIsScaledFromItsOwnPixels() {
        BufferedImage parent = noise(90, 70, 7);
        BufferedImage part = parent.getSubimage(13, 9, 50, 40);
        BufferedImage copy = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        copy.setData(part.getData());
        assertThat(pixels(Resize.fit(part, 20))).isEqualTo(pixels(Resize.fit(copy, 20)));
        assertAreaAverage(copy, 20, 20, 16);
    }

    @Test
    void aPictureSmallEnoughIsCopiedAsItIs() {
        BufferedImage picture = noise(30, 20, 8);
        BufferedImage fitted = Resize.fit(picture, 30);
        assertThat(fitted).isNotSameAs(picture);
        assertThat(pixels(fitted)).isEqualTo(pixels(picture));
    }

    @Test
    void aNonPositiveSideIsRefused() {
        assertThatThrownBy(() -> Resize.fit(noise(4, 4, 9), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSide must be at least 1, was 0");
    }

    static int[] pixels(BufferedImage picture) {
        return picture.getRGB(0, 0, picture.getWidth(), picture.getHeight(), null, 0, picture.getWidth());
    }
}
