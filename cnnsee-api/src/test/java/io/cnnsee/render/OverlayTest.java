package io.cnnsee.render;

import io.cnnsee.Channel;
import io.cnnsee.FeatureMap;
import io.cnnsee.MapShape;
import io.cnnsee.Tap;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Overlay pixels equal the blend formula, computed here independently, at sampled points. */
class OverlayTest {

    /** Channel 1 of a 2-channel 2 x 3 map: values 0, 10, 20 / 30, 40, 50. */
    static Channel channel() {
        Tap tap = new Tap("block 1", "conv", new MapShape(2, 2, 3));
        return FeatureMap.copyOf(tap, new float[] {9, 9, 9, 9, 9, 9, 0, 10, 20, 30, 40, 50}).channel(1);
    }

    static BufferedImage picture(int width, int height) {
        BufferedImage p = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                p.setRGB(x, y, (x * 20) << 16 | (y * 30) << 8 | 200);
            }
        }
        return p;
    }

    /** The map's value under output pixel (x, y), by the textbook formula. */
    static double expectedValue(int x, int y, int width, int height) {
        double[][] m = {{0, 10, 20}, {30, 40, 50}};
        double sx = Math.max(0, Math.min(2, (x + 0.5) * 3 / width - 0.5));
        double sy = Math.max(0, Math.min(1, (y + 0.5) * 2 / height - 0.5));
        int x0 = (int) sx;
        int y0 = (int) sy;
        int x1 = Math.min(x0 + 1, 2);
        int y1 = Math.min(y0 + 1, 1);
        double a = sx - x0;
        double b = sy - y0;
        return m[y0][x0] * (1 - a) * (1 - b) + m[y0][x1] * a * (1 - b) + m[y1][x0] * (1 - a) * b + m[y1][x1] * a * b;
    }

    @Test
    void everyPixelIsTheBlendOfThePictureAndTheColouredMap() {
        int width = 12;
        int height = 8;
        BufferedImage pic = picture(width, height);
        double alpha = 0.4;
        BufferedImage out = Overlay.blend(pic, channel(), Colormap.VIRIDIS, alpha);
        assertThat(out.getWidth()).isEqualTo(width);
        assertThat(out.getHeight()).isEqualTo(height);
        int[][] samples = {{0, 0}, {11, 7}, {5, 3}, {6, 4}, {2, 6}, {9, 1}};
        for (int[] s : samples) {
            int x = s[0];
            int y = s[1];
            int colour = Colormap.VIRIDIS.colorOf(expectedValue(x, y, width, height) / 50.0);
            int p = pic.getRGB(x, y);
            int expected = 0;
            for (int shift : new int[] {16, 8, 0}) {
                long c = Math.round(0.6 * (p >> shift & 0xFF) + 0.4 * (colour >> shift & 0xFF));
                expected |= (int) c << shift;
            }
            assertThat(Integer.toHexString(out.getRGB(x, y) & 0xFFFFFF)).as("pixel (%d, %d)", x, y)
                    .isEqualTo(Integer.toHexString(expected));
        }
        // The corners take the map's corners: 0 (first colour) top left, 50 (last colour) bottom right.
        assertThat(expectedValue(0, 0, width, height)).isEqualTo(0);
        assertThat(expectedValue(11, 7, width, height)).isEqualTo(50);
    }

    @Test
    void alphaZeroIsThePictureAndOneIsTheMap() {
        BufferedImage pic = picture(6, 4);
        BufferedImage none = Overlay.blend(pic, channel(), Colormap.MAGMA, 0);
        BufferedImage all = Overlay.blend(pic, channel(), Colormap.MAGMA, 1);
        assertThat(none.getRGB(3, 2)).isEqualTo(pic.getRGB(3, 2));
        assertThat(all.getRGB(0, 0) & 0xFFFFFF).isEqualTo(Colormap.MAGMA.rgb(0));
        assertThat(all.getRGB(5, 3) & 0xFFFFFF).isEqualTo(Colormap.MAGMA.rgb(255));
        assertThatThrownBy(() -> Overlay.blend(pic, channel(), Colormap.MAGMA, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("alpha must be between 0 and 1, was 1.5");
    }

    @Test
    void aConstantChannelGivesTheFirstColourEverywhere() {
        Channel constant = FeatureMap.copyOf(new Tap("b", "c", new MapShape(1, 2, 2)), new float[] {3, 3, 3, 3}).channel(0);
        BufferedImage out = Overlay.blend(picture(4, 4), constant, Colormap.GRAY, 1);
        assertThat(out.getRGB(1, 2) & 0xFFFFFF).isEqualTo(Colormap.GRAY.rgb(0));
    }
}
