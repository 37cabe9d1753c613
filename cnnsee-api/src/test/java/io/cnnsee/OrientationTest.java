package io.cnnsee;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * EXIF orientation, as phones write it: pictures are turned upright on reading. The expected
 * picture is made from the EXIF table of where the stored first row and first column go, not from
 * the loader's own mapping.
 */
class OrientationTest {

    private final ImageLoader loader = ImageLoader.defaults();

    /** EXIF's table: for orientation i, the side the stored 0th row and the 0th column are shown on. */
    private static final String[][] SIDES = {
            null,
            {"top", "left"}, {"top", "right"}, {"bottom", "right"}, {"bottom", "left"},
            {"left", "top"}, {"right", "top"}, {"right", "bottom"}, {"left", "bottom"}};

    /** Where stored pixel (sx, sy) of a w x h picture is shown, after the table. */
    private static int[] shownAt(int orientation, int sx, int sy, int w, int h) {
        String row = SIDES[orientation][0];
        String column = SIDES[orientation][1];
        boolean swapped = row.equals("left") || row.equals("right");
        int outW = swapped ? h : w;
        int outH = swapped ? w : h;
        int dx = 0;
        int dy = 0;
        switch (row) {
            case "top" -> dy = sy;
            case "bottom" -> dy = outH - 1 - sy;
            case "left" -> dx = sy;
            default -> dx = outW - 1 - sy;
        }
        switch (column) {
            case "left" -> dx = sx;
            case "right" -> dx = outW - 1 - sx;
            case "top" -> dy = sx;
            default -> dy = outH - 1 - sx;
        }
        return new int[] {dx, dy};
    }

    /** A JPEG of {@code picture} with an APP1 Exif segment stating {@code orientation}, after JFIF's APP0. */
    static byte[] jpegWithOrientation(BufferedImage picture, int orientation, ByteOrder order) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(picture, "jpeg", out);
        byte[] jpeg = out.toByteArray();
        int app0End = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
        byte[] tiff = tiffDirectory(orientation, order);
        ByteBuffer app1 = ByteBuffer.allocate(4 + 6 + tiff.length).order(ByteOrder.BIG_ENDIAN);
        app1.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + 6 + tiff.length));
        app1.put("Exif".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0).put(tiff);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        joined.write(jpeg, 0, app0End);
        joined.write(app1.array());
        joined.write(jpeg, app0End, jpeg.length - app0End);
        return joined.toByteArray();
    }

    /** A TIFF header and a first directory of two entries: a resolution unit, then the orientation. */
    static byte[] tiffDirectory(int orientation, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + 2 * 12 + 4).order(order);
        b.put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M');
        b.put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M');
        b.putShort((short) 42).putInt(8).putShort((short) 2);
        b.putShort((short) 0x0128).putShort((short) 3).putInt(1).putShort((short) 2).putShort((short) 0);
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0);
        return b.array();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyExifOrientationOfAJpegIsTurnedUpright(int orientation) throws Exception {
        BufferedImage picture = Pictures.noise(30, 20, orientation);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            byte[] file = jpegWithOrientation(picture, orientation, order);
            BufferedImage stored = ImageLoader.toRgb(ImageIO.read(new ByteArrayInputStream(file))); // not turned
            BufferedImage shown = ImageLoader.toRgb(loader.read(new ByteArrayInputStream(file), "phone.jpg"));
            boolean swapped = orientation >= 5;
            assertThat(shown.getWidth()).isEqualTo(swapped ? 20 : 30);
            assertThat(shown.getHeight()).isEqualTo(swapped ? 30 : 20);
            for (int sy = 0; sy < 20; sy++) {
                for (int sx = 0; sx < 30; sx++) {
                    int[] at = shownAt(orientation, sx, sy, 30, 20);
                    assertThat(shown.getRGB(at[0], at[1])).as("orientation %d, %s, pixel (%d, %d)", orientation, order, sx, sy)
                            .isEqualTo(stored.getRGB(sx, sy));
                }
            }
        }
    }

    @Test
    void aTiffsOwnOrientationTagIsHonoured() throws Exception {
        BufferedImage picture = Pictures.noise(7, 5, 3);
        byte[] tiff = TiffFiles.rgb(picture, 6);
        BufferedImage shown = ImageLoader.toRgb(loader.read(new ByteArrayInputStream(tiff), "scan.tif"));
        assertThat(shown.getWidth()).isEqualTo(5);
        assertThat(shown.getHeight()).isEqualTo(7);
        for (int sy = 0; sy < 5; sy++) {
            for (int sx = 0; sx < 7; sx++) {
                int[] at = shownAt(6, sx, sy, 7, 5);
                assertThat(shown.getRGB(at[0], at[1]) & 0xFFFFFF).isEqualTo(picture.getRGB(sx, sy) & 0xFFFFFF);
            }
        }
        BufferedImage plain = ImageLoader.toRgb(loader.read(new ByteArrayInputStream(TiffFiles.rgb(picture, 1)), "plain.tif"));
        assertThat(plain.getRGB(6, 4) & 0xFFFFFF).isEqualTo(picture.getRGB(6, 4) & 0xFFFFFF);
    }

    @Test
    void aMeaninglessOrientationLeavesThePictureAsStored() throws Exception {
        BufferedImage picture = Pictures.noise(12, 8, 4);
        byte[] file = jpegWithOrientation(picture, 9, ByteOrder.BIG_ENDIAN);
        BufferedImage shown = loader.read(new ByteArrayInputStream(file), "odd.jpg");
        assertThat(shown.getWidth()).isEqualTo(12);
        assertThat(shown.getHeight()).isEqualTo(8);
    }
}
