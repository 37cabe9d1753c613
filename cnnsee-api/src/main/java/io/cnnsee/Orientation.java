package io.cnnsee;

import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The EXIF orientation of a picture (TIFF tag 274), which phones write instead of turning the
 * pixels: a portrait shot is stored on its side with orientation 6. Read from a JPEG's APP1
 * {@code Exif} segment, a TIFF's first directory, or a WebP's {@code EXIF} chunk; applied so that
 * the picture is upright, as viewers show it.
 */
final class Orientation {

    /** Stored as it is shown. */
    static final int NORMAL = 1;
    private static final int TAG = 0x0112;

    private Orientation() {
    }

    /**
     * The orientation (1 to 8) that {@code stream}'s header states, 1 when it states none or
     * makes no sense; {@code stream} is put back where it was.
     */
    static int read(ImageInputStream stream, String format) throws IOException {
        stream.mark();
        ByteOrder order = stream.getByteOrder();
        try {
            int value = switch (format) {
                case "jpeg" -> fromJpeg(stream);
                case "tif", "tiff" -> fromTiff(stream, stream.getStreamPosition());
                case "webp" -> fromWebp(stream);
                default -> NORMAL;
            };
            return value >= 1 && value <= 8 ? value : NORMAL;
        } catch (EOFException e) {
            return NORMAL; // damaged: the decoder will say so
        } finally {
            stream.setByteOrder(order);
            stream.reset();
        }
    }

    private static int fromJpeg(ImageInputStream stream) throws IOException {
        if (stream.read() != 0xFF || stream.read() != 0xD8) {
            return NORMAL;
        }
        for (int segments = 0; segments < 1000; segments++) {
            if (stream.read() != 0xFF) {
                return NORMAL;
            }
            int marker = stream.read();
            while (marker == 0xFF) {
                marker = stream.read();
            }
            if (marker < 0 || marker == 0xDA || marker == 0xD9) {
                return NORMAL; // image data or the end: EXIF comes before
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue;
            }
            stream.setByteOrder(ByteOrder.BIG_ENDIAN);
            int length = stream.readUnsignedShort();
            if (length < 2) {
                return NORMAL;
            }
            long next = stream.getStreamPosition() + length - 2;
            if (marker == 0xE1 && length >= 16) {
                byte[] id = new byte[6];
                stream.readFully(id);
                if (new String(id, 0, 4, StandardCharsets.US_ASCII).equals("Exif") && id[4] == 0 && id[5] == 0) {
                    return fromTiff(stream, stream.getStreamPosition());
                }
            }
            stream.seek(next);
        }
        return NORMAL;
    }

    /** Orientation in the first directory of the TIFF structure starting at {@code start}. */
    private static int fromTiff(ImageInputStream stream, long start) throws IOException {
        stream.seek(start);
        int b0 = stream.read();
        int b1 = stream.read();
        if (b0 == 'I' && b1 == 'I') {
            stream.setByteOrder(ByteOrder.LITTLE_ENDIAN);
        } else if (b0 == 'M' && b1 == 'M') {
            stream.setByteOrder(ByteOrder.BIG_ENDIAN);
        } else {
            return NORMAL;
        }
        if (stream.readUnsignedShort() != 42) {
            return NORMAL;
        }
        long ifd = stream.readUnsignedInt();
        stream.seek(start + ifd);
        int entries = stream.readUnsignedShort();
        for (int i = 0; i < Math.min(entries, 1000); i++) {
            int tag = stream.readUnsignedShort();
            int type = stream.readUnsignedShort();
            stream.readUnsignedInt(); // count
            if (tag == TAG && type == 3) { // SHORT, held in the first two bytes of the value
                return stream.readUnsignedShort();
            }
            stream.skipBytes(4);
        }
        return NORMAL;
    }

    private static int fromWebp(ImageInputStream stream) throws IOException {
        stream.setByteOrder(ByteOrder.LITTLE_ENDIAN);
        byte[] riff = new byte[12];
        stream.readFully(riff);
        if (!new String(riff, 0, 4, StandardCharsets.US_ASCII).equals("RIFF")
                || !new String(riff, 8, 4, StandardCharsets.US_ASCII).equals("WEBP")) {
            return NORMAL;
        }
        for (int chunks = 0; chunks < 1000; chunks++) {
            byte[] fourcc = new byte[4];
            stream.readFully(fourcc);
            long size = stream.readUnsignedInt();
            long next = stream.getStreamPosition() + size + (size & 1);
            if (new String(fourcc, StandardCharsets.US_ASCII).equals("EXIF")) {
                long at = stream.getStreamPosition();
                byte[] head = new byte[6];
                stream.readFully(head);
                // Some writers put JPEG's "Exif\0\0" before the TIFF structure.
                boolean prefixed = new String(head, 0, 4, StandardCharsets.US_ASCII).equals("Exif");
                return fromTiff(stream, prefixed ? at + 6 : at);
            }
            stream.seek(next);
        }
        return NORMAL;
    }

    /**
     * {@code image} turned upright for {@code orientation}: 2 mirrored, 3 turned half round, 4
     * flipped, 5 transposed, 6 turned a quarter clockwise, 7 transversed, 8 a quarter anticlockwise.
     */
    static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation == NORMAL || orientation < 1 || orientation > 8) {
            return image;
        }
        BufferedImage rgb = ImageLoader.toRgb(image);
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        boolean swaps = orientation >= 5;
        int outW = swaps ? h : w;
        int outH = swaps ? w : h;
        int[] source = rgb.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[outW * outH];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                out[y * outW + x] = source[sy * w + sx];
            }
        }
        BufferedImage upright = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
        upright.setRGB(0, 0, outW, outH, out, 0, outW);
        return upright;
    }
}
