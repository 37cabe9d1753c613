package io.cnnsee;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Baseline TIFF files written byte by byte: uncompressed 8-bit RGB in one strip, with an orientation tag. */
final class TiffFiles {

    private TiffFiles() {
    }

    static byte[] rgb(BufferedImage picture, int orientation) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        int entries = 10;
        int ifdSize = 2 + entries * 12 + 4;
        int bitsAt = 8 + ifdSize;
        int dataAt = bitsAt + 6;
        ByteBuffer b = ByteBuffer.allocate(dataAt + w * h * 3).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) entries);
        entry(b, 256, 3, 1, w);              // ImageWidth
        entry(b, 257, 3, 1, h);              // ImageLength
        entry(b, 258, 3, 3, bitsAt);         // BitsPerSample: 8, 8, 8 (at bitsAt)
        entry(b, 259, 3, 1, 1);              // Compression: none
        entry(b, 262, 3, 1, 2);              // PhotometricInterpretation: RGB
        entry(b, 273, 4, 1, dataAt);         // StripOffsets
        entry(b, 274, 3, 1, orientation);    // Orientation
        entry(b, 277, 3, 1, 3);              // SamplesPerPixel
        entry(b, 278, 3, 1, h);              // RowsPerStrip
        entry(b, 279, 4, 1, w * h * 3);      // StripByteCounts
        b.putInt(0);
        b.putShort((short) 8).putShort((short) 8).putShort((short) 8);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = picture.getRGB(x, y);
                b.put((byte) (rgb >> 16)).put((byte) (rgb >> 8)).put((byte) rgb);
            }
        }
        return b.array();
    }

    private static void entry(ByteBuffer b, int tag, int type, int count, int value) {
        b.putShort((short) tag).putShort((short) type).putInt(count);
        if (type == 3 && count == 1) {
            b.putShort((short) value).putShort((short) 0);
        } else {
            b.putInt(value);
        }
    }
}
