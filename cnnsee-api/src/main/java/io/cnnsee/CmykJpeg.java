package io.cnnsee;

import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * CMYK JPEGs, which Java decodes with wrong colours: it ignores Adobe's inverted storage and its
 * YCCK transform. This reads the two facts it needs from the markers and converts the raw samples
 * to RGB itself, naively (no ICC profile), as most viewers without colour management do.
 */
final class CmykJpeg {

    /** What the JPEG markers say: the number of colour components and Adobe's transform, or -1. */
    record Header(int components, int adobeTransform) {
        static final Header UNKNOWN = new Header(0, -1);

        boolean isCmyk() {
            return components == 4;
        }
    }

    private CmykJpeg() {
    }

    /** Reads the markers up to the image data, then puts {@code stream} back where it was. */
    static Header scan(ImageInputStream stream) throws IOException {
        stream.mark();
        try {
            if (stream.read() != 0xFF || stream.read() != 0xD8) {
                return Header.UNKNOWN;
            }
            int components = 0;
            int transform = -1;
            for (int segments = 0; segments < 1000; segments++) {
                if (stream.read() != 0xFF) {
                    break;
                }
                int marker = stream.read();
                while (marker == 0xFF) {
                    marker = stream.read();
                }
                if (marker < 0 || marker == 0xDA || marker == 0xD9) {
                    break; // image data, end, or end of file: everything needed comes before
                }
                if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                    continue; // markers without a length
                }
                int length = stream.readUnsignedShort();
                if (length < 2) {
                    break;
                }
                long next = stream.getStreamPosition() + length - 2;
                if (isStartOfFrame(marker) && length >= 8) {
                    stream.skipBytes(5); // precision, height, width
                    components = stream.readUnsignedByte();
                } else if (marker == 0xEE && length >= 14) {
                    byte[] id = new byte[5];
                    stream.readFully(id);
                    if ("Adobe".equals(new String(id, StandardCharsets.US_ASCII))) {
                        stream.skipBytes(6); // version, flags0, flags1
                        transform = stream.readUnsignedByte();
                    }
                }
                stream.seek(next);
            }
            return new Header(components, transform);
        } catch (java.io.EOFException e) {
            return Header.UNKNOWN; // damaged: the decoder will say so
        } finally {
            stream.reset();
        }
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /**
     * The RGB picture of the raw 4-band raster of a CMYK JPEG. With Adobe's marker the samples are
     * stored inverted (255 - ink), and transform 2 means the first three are YCC of those.
     */
    static BufferedImage toRgb(Raster raster, int adobeTransform) throws javax.imageio.IIOException {
        if (raster.getNumBands() != 4 || raster.getSampleModel().getSampleSize(0) != 8) {
            throw new javax.imageio.IIOException("a CMYK JPEG with " + raster.getNumBands() + " components of "
                    + raster.getSampleModel().getSampleSize(0) + " bits is not supported");
        }
        boolean inverted = adobeTransform >= 0;
        int w = raster.getWidth();
        int h = raster.getHeight();
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w * 4];
        int[] out = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int c = row[4 * x];
                int m = row[4 * x + 1];
                int ye = row[4 * x + 2];
                int k = row[4 * x + 3];
                if (adobeTransform == 2) {
                    // YCC to RGB as libjpeg does it; the inverted CMY are 255 minus that.
                    double lum = c;
                    double cb = m - 128.0;
                    double cr = ye - 128.0;
                    c = 255 - clamp(lum + 1.402 * cr);
                    m = 255 - clamp(lum - 0.344136 * cb - 0.714136 * cr);
                    ye = 255 - clamp(lum + 1.772 * cb);
                }
                if (!inverted) {
                    c = 255 - c;
                    m = 255 - m;
                    ye = 255 - ye;
                    k = 255 - k;
                }
                // Now c, m, ye, k hold 255 - ink: each colour is what its ink and the black leave.
                out[x] = rgbOf(c * k, m * k, ye * k);
            }
            rgb.setRGB(0, y, w, 1, out, 0, w);
        }
        return rgb;
    }

    private static int rgbOf(int r255, int g255, int b255) {
        return (div255(r255) << 16) | (div255(g255) << 8) | div255(b255);
    }

    private static int div255(int v) {
        return (v + 127) / 255;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
