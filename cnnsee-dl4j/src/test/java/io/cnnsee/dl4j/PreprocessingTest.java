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

    @Test
    void picturesOfEveryKindLargeAndSmallCroppedOrNotGiveWhatTheirRgbConversionGives() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int[] types = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_ARGB,
                BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_USHORT_GRAY,
                BufferedImage.TYPE_BYTE_INDEXED};
        // Larger than the input (only some rows are read), smaller (rows read again), and a column.
        int[][] sizes = {{640, 427}, {50, 30}, {3, 300}};
        for (int[] size : sizes) {
            for (int type : types) {
                BufferedImage picture = noise(new BufferedImage(size[0], size[1], type), random);
                // The whole picture made RGB first, as before only rows of it were: the same input.
                BufferedImage rgb = io.cnnsee.ImageLoader.toRgb(picture);
                for (boolean crop : new boolean[] {false, true}) {
                    Preprocessing preprocessing = new Preprocessing(224, crop);
                    // The first value that differs, if any (containsExactly takes seconds on 150 528 values).
                    assertThat(java.util.Arrays.mismatch(preprocessing.apply(picture), preprocessing.apply(rgb)))
                            .as("type %d, %d x %d, crop %s", type, size[0], size[1], crop).isEqualTo(-1);
                }
            }
            // An int RGB picture is read in place, a part of a larger one too: against a copy of its own.
            BufferedImage parent = noise(new BufferedImage(size[0] + 9, size[1] + 5, BufferedImage.TYPE_INT_RGB), random);
            BufferedImage part = parent.getSubimage(6, 3, size[0], size[1]);
            BufferedImage own = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    own.setRGB(x, y, part.getRGB(x, y));
                }
            }
            for (boolean crop : new boolean[] {false, true}) {
                Preprocessing preprocessing = new Preprocessing(224, crop);
                assertThat(java.util.Arrays.mismatch(preprocessing.apply(part), preprocessing.apply(own)))
                        .as("part of a picture, %d x %d, crop %s", size[0], size[1], crop).isEqualTo(-1);
            }
        }
    }

    /** {@code picture} with a random colour set at every pixel, through its own colour model. */
    private static BufferedImage noise(BufferedImage picture, java.util.SplittableRandom random) {
        for (int y = 0; y < picture.getHeight(); y++) {
            for (int x = 0; x < picture.getWidth(); x++) {
                picture.setRGB(x, y, random.nextInt());
            }
        }
        return picture;
    }
}
