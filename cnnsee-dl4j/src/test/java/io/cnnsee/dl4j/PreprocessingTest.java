package io.cnnsee.dl4j;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PreprocessingTest {

    private static final float B = 103.939f;
    private static final float G = 116.779f;
    private static final float R = 123.68f;

    @Test
    void sameSizePicturesBecomeBgrPlanesMinusTheImageNetMeans() {
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0x0A141E); // r 10, g 20, b 30
        image.setRGB(1, 0, 0xFF0000);
        image.setRGB(0, 1, 0x00FF00);
        image.setRGB(1, 1, 0x0000FF);

        float[] x = new Preprocessing(2, false).apply(image);

        // plane 0 = blue, 1 = green, 2 = red; pixel order (0,0), (1,0), (0,1), (1,1)
        assertThat(x).containsExactly(
                30 - B, 0 - B, 0 - B, 255 - B,
                20 - G, 0 - G, 255 - G, 0 - G,
                10 - R, 255 - R, 0 - R, 0 - R);
    }

    @Test
    void resizingIsBilinearWithPixelCentresAligned() {
        // A 2x1 row, red 0 then 100, made 4 wide: source positions -0.25, 0.25, 0.75, 1.25.
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0x000000);
        image.setRGB(1, 0, 0x640000);

        float[] x = new Preprocessing(4, false).apply(image);
        float[] red = new float[16];
        System.arraycopy(x, 32, red, 0, 16);

        float[] firstRow = {red[0], red[1], red[2], red[3]};
        assertThat(firstRow[0]).isCloseTo(0 - R, within(1e-4f));
        assertThat(firstRow[1]).isCloseTo(25 - R, within(1e-4f));
        assertThat(firstRow[2]).isCloseTo(75 - R, within(1e-4f));
        assertThat(firstRow[3]).isCloseTo(100 - R, within(1e-4f));
        assertThat(red[12]).isEqualTo(red[0]); // rows repeat: one source row
    }

    @Test
    void centreCropKeepsTheMiddleSquare() {
        BufferedImage wide = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 4; x++) {
            for (int y = 0; y < 2; y++) {
                wide.setRGB(x, y, (x * 50) << 16);
            }
        }
        float[] cropped = new Preprocessing(2, true).apply(wide);
        assertThat(cropped[8] + R).isCloseTo(50, within(1e-4f));   // red plane, (0,0) = column 1
        assertThat(cropped[9] + R).isCloseTo(100, within(1e-4f));  // (1,0) = column 2
    }

    @Test
    void greyPalette16BitAndAlphaPicturesBecomeTheirRgbValues() {
        BufferedImage gray = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 77);
        assertThat(new Preprocessing(1, false).apply(gray)).containsExactly(77 - B, 77 - G, 77 - R);

        BufferedImage gray16 = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        gray16.getRaster().setSample(0, 0, 0, 65535);
        assertThat(new Preprocessing(1, false).apply(gray16)).containsExactly(255 - B, 255 - G, 255 - R);

        IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {0, 12}, new byte[] {0, 34}, new byte[] {0, 56});
        BufferedImage indexed = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        indexed.getRaster().setSample(0, 0, 0, 1);
        assertThat(new Preprocessing(1, false).apply(indexed)).containsExactly(56 - B, 34 - G, 12 - R);

        BufferedImage alpha = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        alpha.setRGB(0, 0, 0x80_C8_64_32);
        assertThat(new Preprocessing(1, false).apply(alpha)).containsExactly(50 - B, 100 - G, 200 - R);
    }
}
