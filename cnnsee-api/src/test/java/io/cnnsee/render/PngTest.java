package io.cnnsee.render;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/** The PNG encoder's files decode, with Java's own reader, to exactly the pixels encoded. */
class PngTest {

    static BufferedImage decode(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("a PNG that Java's reader reads").isNotNull();
        return image;
    }

    static void assertSameRgb(BufferedImage actual, BufferedImage expected) {
        assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
        assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertThat(actual.getRGB(x, y) & 0xFFFFFF).as("pixel (%d, %d)", x, y)
                        .isEqualTo(expected.getRGB(x, y) & 0xFFFFFF);
            }
        }
    }

    /** Noise, flat areas, repeated rows and runs: every filter gets chosen somewhere. */
    static BufferedImage mixed(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        SplittableRandom random = new SplittableRandom(5);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb;
                if (y < height / 3) {
                    rgb = random.nextInt(0x1000000);
                } else if (y < 2 * height / 3) {
                    rgb = (x / 7) * 0x030507;
                } else {
                    rgb = x * 0x010101 + y * 0x020000;
                }
                image.setRGB(x, y, rgb & 0xFFFFFF);
            }
        }
        return image;
    }

    @Test
    void picturesOfEveryKindComeBackPixelForPixel() throws Exception {
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_BGR}) {
            BufferedImage image = mixed(97, 61, type);
            assertSameRgb(decode(Png.encode(image)), image);
        }
        BufferedImage grey = new BufferedImage(30, 20, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(3, 4, 0, 200);
        assertSameRgb(decode(Png.encode(grey)), grey);
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        one.setRGB(0, 0, 0x123456);
        assertSameRgb(decode(Png.encode(one)), one);
        BufferedImage column = mixed(1, 50, BufferedImage.TYPE_INT_RGB);
        assertSameRgb(decode(Png.encode(column)), column);
    }

    /**
     * Pictures of several bands, of each kind: rows of a band are filtered against the last row
     * of the band before (read again, through getRGB for kinds other than int RGB), and narrow
     * pictures, where the filter estimate's every-fourth-pixel sample has one or no pixel.
     */
    @Test
    void picturesOfSeveralBandsAndNarrowOnesComeBackPixelForPixel() throws Exception {
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_BGR}) {
            BufferedImage tall = mixed(700, 1000, type);
            byte[] png = Png.encode(tall);
            assertSameRgb(decode(png), tall);
            // The premise: some band starts with a row filtered Up, against the band before's last row.
            int stride = 1 + 3 * 700;
            int rowsPerBand = Png.BAND_BYTES / stride;
            byte[] raw = inflateImageData(png, 1000 * stride);
            boolean upAtABandStart = false;
            for (int y = rowsPerBand; y < 1000; y += rowsPerBand) {
                upAtABandStart |= raw[y * stride] == 2;
            }
            assertThat(upAtABandStart).as("a band starting with an Up row, type %d", type).isTrue();
            for (int width = 1; width <= 9; width++) {
                BufferedImage narrow = mixed(width, 40, type);
                assertSameRgb(decode(Png.encode(narrow)), narrow);
            }
        }
    }

    /** The filtered rows a PNG's image data holds. */
    private static byte[] inflateImageData(byte[] png, int length) throws Exception {
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        int idatLength = (png[33] & 0xFF) << 24 | (png[34] & 0xFF) << 16 | (png[35] & 0xFF) << 8 | (png[36] & 0xFF);
        inflater.setInput(png, 41, idatLength);
        byte[] raw = new byte[length];
        assertThat(inflater.inflate(raw)).isEqualTo(length);
        inflater.end();
        return raw;
    }

    @Test
    void aSubimageIsEncodedAsItselfNotItsParent() throws Exception {
        BufferedImage parent = mixed(80, 60, BufferedImage.TYPE_INT_RGB);
        BufferedImage part = parent.getSubimage(13, 7, 31, 29);
        assertSameRgb(decode(Png.encode(part)), part);
    }

    @Test
    void theFileIsWellFormed() {
        byte[] png = Png.encode(mixed(10, 10, BufferedImage.TYPE_INT_RGB));
        assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G', (byte) '\r', (byte) '\n', (byte) 0x1A, (byte) '\n');
        // IHDR: length 13, then width 10, height 10, 8 bits, truecolour, and a CRC over type and data.
        assertThat(java.util.Arrays.copyOfRange(png, 8, 16)).containsExactly(0, 0, 0, 13, 'I', 'H', 'D', 'R');
        assertThat(java.util.Arrays.copyOfRange(png, 16, 29)).containsExactly(0, 0, 0, 10, 0, 0, 0, 10, 8, 2, 0, 0, 0);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        long stored = (png[29] & 0xFFL) << 24 | (png[30] & 0xFF) << 16 | (png[31] & 0xFF) << 8 | (png[32] & 0xFF);
        assertThat(stored).isEqualTo(crc.getValue());
        assertThat(java.util.Arrays.copyOfRange(png, png.length - 12, png.length))
                .containsExactly(0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82);
    }

    @Test
    void picturesWithAlphaKeepIt() throws Exception {
        BufferedImage image = new BufferedImage(20, 10, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(3, 4, 0x80FF2040);
        image.setRGB(5, 6, 0xFF00FF00);
        BufferedImage decoded = decode(Png.encode(image));
        assertThat(decoded.getColorModel().hasAlpha()).isTrue();
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                assertThat(decoded.getRGB(x, y)).as("pixel (%d, %d)", x, y).isEqualTo(image.getRGB(x, y));
            }
        }
    }

    @Test
    void everyRowFilterIsChosenWhereItFits() throws Exception {
        // A black first row keeps None (every filter ties), a row repeating the noise above it
        // takes Up, a horizontal ramp takes Sub.
        BufferedImage image = new BufferedImage(64, 6, BufferedImage.TYPE_INT_RGB);
        SplittableRandom random = new SplittableRandom(9);
        for (int x = 0; x < 64; x++) {
            image.setRGB(x, 1, random.nextInt(0x1000000));
            image.setRGB(x, 2, image.getRGB(x, 1));
            image.setRGB(x, 3, x * 0x030303);
        }
        byte[] png = Png.encode(image);
        assertSameRgb(decode(png), image);
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        int idatLength = (png[33] & 0xFF) << 24 | (png[34] & 0xFF) << 16 | (png[35] & 0xFF) << 8 | (png[36] & 0xFF);
        inflater.setInput(png, 41, idatLength);
        byte[] raw = new byte[6 * (1 + 64 * 3)];
        assertThat(inflater.inflate(raw)).isEqualTo(raw.length);
        inflater.end();
        int[] filters = new int[6];
        for (int y = 0; y < 6; y++) {
            filters[y] = raw[y * (1 + 64 * 3)];
        }
        assertThat(filters[0]).as("row 0").isEqualTo(0);
        assertThat(filters[2]).as("row 2").isEqualTo(2);
        assertThat(filters[3]).as("row 3").isEqualTo(1);
    }

    @Test
    void severalPicturesAtOnceGiveTheBytesOfOneAtATime() throws Exception {
        // Tall enough for several bands, plus kinds that go through Java's encoder.
        BufferedImage tall = mixed(700, 1000, BufferedImage.TYPE_INT_RGB);
        assertThat((long) tall.getHeight() * (1 + 3 * tall.getWidth())).isGreaterThan(3L * Png.BAND_BYTES);
        BufferedImage alpha = new BufferedImage(5, 5, BufferedImage.TYPE_INT_ARGB);
        alpha.setRGB(1, 1, 0x40112233);
        List<BufferedImage> images = List.of(tall, mixed(33, 17, BufferedImage.TYPE_3BYTE_BGR), alpha,
                mixed(3, 1, BufferedImage.TYPE_INT_RGB));
        List<byte[]> all = Png.encodeAll(images);
        assertThat(all).hasSize(images.size());
        for (int i = 0; i < images.size(); i++) {
            assertThat(all.get(i)).as("picture %d", i).isEqualTo(Png.encode(images.get(i)));
        }
        assertSameRgb(decode(all.get(0)), tall);
        assertThat(decode(all.get(2)).getRGB(1, 1)).isEqualTo(0x40112233);
    }

    @Test
    void repetitiveGridsCompressWell() {
        BufferedImage flat = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        assertThat(Png.encode(flat).length).as("a black 400 x 300 picture").isLessThan(2_000);
    }
}
