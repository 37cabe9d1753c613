package io.cnnsee.render;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Inflater;

import static io.cnnsee.render.PngTest.assertSameRgb;
import static io.cnnsee.render.PngTest.decode;
import static org.assertj.core.api.Assertions.assertThat;

/** Pictures of a palette of 256 opaque colours (grids) are written as palette PNGs, losslessly. */
class PalettePngTest {

    private static int[] colours(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] colours = new int[256];
        for (int i = 0; i < colours.length; i++) {
            colours[i] = random.nextInt(0x1000000);
        }
        return colours;
    }

    /** Noise, flat stripes and a ramp of indices, over a palette of 256 random colours. */
    static BufferedImage mixed(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, colours(3), 0, false, -1, java.awt.image.DataBuffer.TYPE_BYTE));
        SplittableRandom random = new SplittableRandom(5);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int index = y < height / 3 ? random.nextInt(256) : y < 2 * height / 3 ? x / 7 : x + y;
                image.getRaster().setSample(x, y, 0, index & 0xFF);
            }
        }
        return image;
    }

    /** The chunk of {@code type}: its data, after its CRC is checked. */
    private static byte[] chunk(byte[] png, String type) {
        int at = 8;
        while (at < png.length) {
            int length = (png[at] & 0xFF) << 24 | (png[at + 1] & 0xFF) << 16 | (png[at + 2] & 0xFF) << 8 | (png[at + 3] & 0xFF);
            String name = new String(png, at + 4, 4, StandardCharsets.US_ASCII);
            if (name.equals(type)) {
                CRC32 crc = new CRC32();
                crc.update(png, at + 4, 4 + length);
                int end = at + 8 + length;
                long stored = (png[end] & 0xFFL) << 24 | (png[end + 1] & 0xFF) << 16 | (png[end + 2] & 0xFF) << 8 | (png[end + 3] & 0xFF);
                assertThat(stored).as(type + "'s CRC").isEqualTo(crc.getValue());
                return Arrays.copyOfRange(png, at + 8, end);
            }
            at += 12 + length;
        }
        throw new AssertionError("no " + type + " chunk");
    }

    private static void assertPalettePng(byte[] png, BufferedImage image) throws Exception {
        byte[] header = chunk(png, "IHDR");
        assertThat(header[8]).as("bits per index").isEqualTo((byte) 8);
        assertThat(header[9]).as("colour type: palette").isEqualTo((byte) 3);
        IndexColorModel model = (IndexColorModel) image.getColorModel();
        byte[] palette = chunk(png, "PLTE");
        assertThat(palette).hasSize(3 * 256);
        for (int i = 0; i < 256; i++) {
            int rgb = (palette[3 * i] & 0xFF) << 16 | (palette[3 * i + 1] & 0xFF) << 8 | (palette[3 * i + 2] & 0xFF);
            assertThat(rgb).as("palette entry %d", i).isEqualTo(model.getRGB(i) & 0xFFFFFF);
        }
        BufferedImage decoded = decode(png);
        assertThat(decoded.getColorModel()).isInstanceOf(IndexColorModel.class);
        int w = image.getWidth();
        int h = image.getHeight();
        assertThat(decoded.getWidth()).isEqualTo(w);
        assertThat(decoded.getHeight()).isEqualTo(h);
        // Index for index (a million pixels asserted one by one took seconds): the same palette, so the same colours.
        int[] expected = image.getRaster().getSamples(0, 0, w, h, 0, new int[w * h]);
        int[] actual = decoded.getRaster().getSamples(0, 0, w, h, 0, new int[w * h]);
        int mismatch = Arrays.mismatch(actual, expected);
        assertThat(mismatch).as(mismatch < 0 ? "" : "first differing index at (%d, %d)", mismatch % w, mismatch / w).isEqualTo(-1);
    }

    @Test
    void palettePicturesComeBackIndexForIndex() throws Exception {
        BufferedImage tall = mixed(700, 1000);
        assertThat((long) tall.getHeight() * (1 + tall.getWidth())).as("several bands").isGreaterThan(2L * Png.BAND_BYTES);
        for (BufferedImage image : List.of(tall, mixed(1, 1), mixed(1, 50), mixed(9, 3), mixed(1358, 454))) {
            assertPalettePng(Png.encode(image), image);
        }
    }

    @Test
    void aSubimageIsEncodedAsItselfNotItsParent() throws Exception {
        BufferedImage part = mixed(80, 60).getSubimage(13, 7, 31, 29);
        assertPalettePng(Png.encode(part), part);
    }

    @Test
    void everyRowFilterIsChosenWhereItFits() throws Exception {
        // An all-zero first row keeps None (every filter ties), a row repeating the noise above it
        // takes Up, a ramp of indices takes Sub.
        BufferedImage image = mixed(64, 6);
        SplittableRandom random = new SplittableRandom(9);
        for (int x = 0; x < 64; x++) {
            image.getRaster().setSample(x, 0, 0, 0);
            image.getRaster().setSample(x, 1, 0, random.nextInt(256));
            image.getRaster().setSample(x, 2, 0, image.getRaster().getSample(x, 1, 0));
            image.getRaster().setSample(x, 3, 0, 3 * x);
        }
        byte[] png = Png.encode(image);
        assertPalettePng(png, image);
        Inflater inflater = new Inflater();
        inflater.setInput(chunk(png, "IDAT"));
        byte[] raw = new byte[6 * (1 + 64)];
        assertThat(inflater.inflate(raw)).isEqualTo(raw.length);
        assertThat(inflater.finished()).isTrue();
        inflater.end();
        assertThat(raw[0]).as("row 0").isEqualTo((byte) 0);
        assertThat(raw[2 * 65]).as("row 2").isEqualTo((byte) 2);
        assertThat(raw[3 * 65]).as("row 3").isEqualTo((byte) 1);
    }

    @Test
    void severalPicturesAtOnceGiveTheBytesOfOneAtATime() {
        List<BufferedImage> images = List.of(mixed(700, 1000), PngTest.mixed(33, 17, BufferedImage.TYPE_INT_RGB), mixed(5, 4));
        List<byte[]> all = Png.encodeAll(images);
        for (int i = 0; i < images.size(); i++) {
            assertThat(all.get(i)).as("picture %d", i).isEqualTo(Png.encode(images.get(i)));
        }
    }

    @Test
    void otherPalettesGoThroughJavasEncoderAndKeepTheirPixels() throws Exception {
        // 16 colours, and 256 with one transparent: not written here, but written right.
        BufferedImage small = new BufferedImage(20, 10, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 16, Arrays.copyOf(colours(4), 16), 0, false, -1, java.awt.image.DataBuffer.TYPE_BYTE));
        BufferedImage transparent = new BufferedImage(20, 10, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, colours(4), 0, false, 7, java.awt.image.DataBuffer.TYPE_BYTE));
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                small.getRaster().setSample(x, y, 0, (x + y) % 16);
                transparent.getRaster().setSample(x, y, 0, x + y);
            }
        }
        assertSameRgb(decode(Png.encode(small)), small);
        BufferedImage decoded = decode(Png.encode(transparent));
        assertThat(decoded.getRGB(7, 0) >>> 24).as("the transparent pixel's alpha").isZero();
        assertThat(decoded.getRGB(6, 0)).isEqualTo(transparent.getRGB(6, 0));
    }

    @Test
    void aPaletteGridIsAThirdOfTheBytesOfTheSameGridInRgb() {
        BufferedImage indexed = mixed(700, 300);
        BufferedImage rgb = io.cnnsee.ImageLoader.toRgb(indexed);
        assertSameRgb(rgb, indexed);

        byte[] palette = Png.encode(indexed);
        byte[] truecolour = Png.encode(rgb);

        assertThat(palette.length).isLessThan(truecolour.length / 2);
    }
}
