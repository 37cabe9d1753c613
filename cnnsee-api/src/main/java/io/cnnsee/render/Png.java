package io.cnnsee.render;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinTask;
import java.util.zip.CRC32;

/**
 * PNG encoding tuned for reports, lossless. Encoding is most of the cost of writing a report
 * (docs/performance.md), so 8-bit RGB pictures (grids, overlays, the inspected picture) are
 * encoded here: each row filtered with whichever of None, Sub and Up leaves the smallest bytes, then
 * deflated by {@link RunLengthDeflate} in bands of rows, which {@link #encodeAll} spreads over the
 * cores. About 2.5 times as fast as Java's encoder at its fastest setting; a report's pictures come
 * out 4 to 16 % larger (grids alone about a quarter), losslessly either way. Other kinds
 * (alpha, grey, 16 bits, palettes) go through Java's own encoder, which keeps them as they are.
 */
public final class Png {

    /** ImageIO's compression quality for other kinds: 1 stores, 0 compresses hardest; 0.9 is deflate's fastest level. */
    static final float QUALITY = 0.9f;

    /** Bytes of filtered rows deflated as one part: a grid of 224 x 224 tiles makes 8, enough to share among cores. */
    static final int BAND_BYTES = 1 << 18;

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int NONE = 0;
    private static final int SUB = 1;
    private static final int UP = 2;

    private Png() {
    }

    /** {@code image} as the bytes of a PNG file. */
    public static byte[] encode(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        if (!Truecolour.fits(image)) {
            return encodeWithImageIo(image);
        }
        Truecolour picture = new Truecolour(image);
        List<RunLengthDeflate.Part> parts = new ArrayList<>();
        for (int band = 0; band < picture.bands(); band++) {
            parts.add(picture.band(band));
        }
        return picture.png(parts);
    }

    /**
     * Several pictures as PNG files, encoded on all cores (the common fork-join pool): large
     * pictures are split into bands of rows encoded apart, so that one large grid does not leave
     * the other cores idle. The bytes are those {@link #encode} gives, in the order of the pictures.
     */
    public static List<byte[]> encodeAll(List<BufferedImage> images) {
        Objects.requireNonNull(images, "images");
        int n = images.size();
        Truecolour[] pictures = new Truecolour[n];
        byte[][] done = new byte[n][];
        RunLengthDeflate.Part[][] parts = new RunLengthDeflate.Part[n][];
        List<int[]> tasks = new ArrayList<>(); // {picture, band}; band -1: the whole picture through ImageIO
        for (int i = 0; i < n; i++) {
            BufferedImage image = Objects.requireNonNull(images.get(i), "images[" + i + "]");
            if (Truecolour.fits(image)) {
                pictures[i] = new Truecolour(image);
                parts[i] = new RunLengthDeflate.Part[pictures[i].bands()];
                for (int band = 0; band < parts[i].length; band++) {
                    tasks.add(new int[] {i, band});
                }
            } else {
                tasks.add(new int[] {i, -1});
            }
        }
        List<ForkJoinTask<?>> jobs = new ArrayList<>();
        for (int[] t : tasks) {
            jobs.add(ForkJoinTask.adapt(() -> {
                if (t[1] < 0) {
                    done[t[0]] = encodeWithImageIo(images.get(t[0]));
                } else {
                    parts[t[0]][t[1]] = pictures[t[0]].band(t[1]);
                }
            }));
        }
        // Every task forked at once (a parallel stream split them in halves and balanced worse).
        ForkJoinTask.invokeAll(jobs);
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(done[i] != null ? done[i] : pictures[i].png(List.of(parts[i])));
        }
        return out;
    }

    /** An 8-bit RGB picture encoded as truecolour: bands of filtered rows, each deflated on its own. */
    private static final class Truecolour {
        private final int width;
        private final int height;
        private final int stride;
        private final int rowsPerBand;
        private final Pixels pixels;

        Truecolour(BufferedImage image) {
            width = image.getWidth();
            height = image.getHeight();
            stride = 3 * width;
            if ((long) height * (1 + stride) > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("A picture too large to encode as one PNG: " + width + " x " + height);
            }
            rowsPerBand = Math.max(1, BAND_BYTES / (1 + stride));
            pixels = Pixels.of(image);
        }

        static boolean fits(BufferedImage image) {
            int type = image.getType();
            return type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_BGR
                    || type == BufferedImage.TYPE_3BYTE_BGR;
        }

        int bands() {
            return (height + rowsPerBand - 1) / rowsPerBand;
        }

        /** Band {@code b}'s rows filtered and deflated; the row above the band is read again for the Up filter. */
        RunLengthDeflate.Part band(int b) {
            int y0 = b * rowsPerBand;
            int y1 = Math.min(height, y0 + rowsPerBand);
            byte[] raw = new byte[(y1 - y0) * (1 + stride)];
            byte[] previous = new byte[stride];
            byte[] current = new byte[stride];
            int[] row = new int[width];
            if (y0 > 0) {
                bytesOf(y0 - 1, row, previous);
            }
            int p = 0;
            for (int y = y0; y < y1; y++) {
                bytesOf(y, row, current);
                p = filterRow(current, previous, raw, p);
                byte[] t = previous;
                previous = current;
                current = t;
            }
            return RunLengthDeflate.part(raw, 0, p, b == bands() - 1);
        }

        private void bytesOf(int y, int[] row, byte[] bytes) {
            int[] source = pixels.row(y, row);
            int offset = pixels.offset(y);
            for (int x = 0, i = 0; x < width; x++, i += 3) {
                int rgb = source[offset + x];
                bytes[i] = (byte) (rgb >> 16);
                bytes[i + 1] = (byte) (rgb >> 8);
                bytes[i + 2] = (byte) rgb;
            }
        }

        /** The file: signature, header, the bands as one IDAT chunk, end. */
        byte[] png(List<RunLengthDeflate.Part> parts) {
            long idatLength = RunLengthDeflate.zlibLength(parts);
            long total = SIGNATURE.length + 25 + 12 + idatLength + 12;
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("A picture too large to encode as one PNG: " + width + " x " + height);
            }
            byte[] png = new byte[(int) total];
            System.arraycopy(SIGNATURE, 0, png, 0, SIGNATURE.length);
            int at = SIGNATURE.length;
            putInt(png, at + 8, width);
            putInt(png, at + 12, height);
            png[at + 16] = 8; // bits per sample
            png[at + 17] = 2; // truecolour; compression, filter method and interlace stay 0
            at = chunk(png, at, "IHDR", 13);
            RunLengthDeflate.writeZlib(parts, png, at + 8);
            at = chunk(png, at, "IDAT", (int) idatLength);
            chunk(png, at, "IEND", 0);
            return png;
        }
    }

    /**
     * Writes the filter byte and the row filtered by whichever filter gives the smallest sum of
     * absolute values (the usual heuristic: small differences code short), the sums taken over
     * every fourth byte, which chooses about as well (the sample's grids came out 0.02 % larger) at a
     * quarter of the cost; returns the next position.
     */
    private static int filterRow(byte[] current, byte[] previous, byte[] raw, int p) {
        int n = current.length;
        int none = 0;
        int sub = 0;
        int up = 0;
        for (int i = 0; i < n; i += 4) {
            byte c = current[i];
            none += Math.abs(c);
            up += Math.abs((byte) (c - previous[i]));
        }
        for (int i = 4; i < n; i += 4) {
            sub += Math.abs((byte) (current[i] - current[i - 3]));
        }
        sub += Math.abs(current[0]);
        int filter = none <= sub && none <= up ? NONE : sub <= up ? SUB : UP;
        raw[p++] = (byte) filter;
        switch (filter) {
            case NONE -> System.arraycopy(current, 0, raw, p, n);
            case SUB -> {
                for (int i = 0; i < Math.min(3, n); i++) {
                    raw[p + i] = current[i];
                }
                for (int i = 3; i < n; i++) {
                    raw[p + i] = (byte) (current[i] - current[i - 3]);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    raw[p + i] = (byte) (current[i] - previous[i]);
                }
            }
        }
        return p + n;
    }

    /**
     * Makes a chunk of the {@code length} bytes already written at {@code at + 8} (so that the
     * image data need not be copied): writes its length and type before them and its CRC after;
     * returns the position after the chunk.
     */
    private static int chunk(byte[] png, int at, String type, int length) {
        putInt(png, at, length);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, png, at + 4, 4);
        CRC32 crc = new CRC32();
        crc.update(png, at + 4, 4 + length);
        putInt(png, at + 8 + length, (int) crc.getValue());
        return at + 12 + length;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /**
     * The picture's pixels as 0xRRGGBB, a row at a time: read in place from an int raster (grids and
     * overlays are), through {@link BufferedImage#getRGB} otherwise.
     */
    private record Pixels(BufferedImage image, int[] data, int base, int stride) {
        static Pixels of(BufferedImage image) {
            WritableRaster raster = image.getRaster();
            if (image.getType() == BufferedImage.TYPE_INT_RGB
                    && raster.getDataBuffer() instanceof DataBufferInt ints && ints.getNumBanks() == 1
                    && raster.getSampleModel() instanceof SinglePixelPackedSampleModel model) {
                // A sub-image shares its parent's array: (0, 0) sits where the translation says.
                int base = ints.getOffset() - raster.getSampleModelTranslateY() * model.getScanlineStride()
                        - raster.getSampleModelTranslateX();
                return new Pixels(image, ints.getData(), base, model.getScanlineStride());
            }
            return new Pixels(image, null, 0, 0);
        }

        int[] row(int y, int[] buffer) {
            if (data != null) {
                return data;
            }
            return image.getRGB(0, y, image.getWidth(), 1, buffer, 0, image.getWidth());
        }

        int offset(int y) {
            return data != null ? base + y * stride : 0;
        }
    }

    private static byte[] encodeWithImageIo(BufferedImage image) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IllegalStateException("This Java runtime has no PNG writer");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.getWidth() * image.getHeight());
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode a picture as PNG", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
