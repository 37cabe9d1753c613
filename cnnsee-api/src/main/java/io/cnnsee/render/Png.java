package io.cnnsee.render;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Transparency;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinTask;
import java.util.zip.CRC32;

/**
 * PNG encoding tuned for reports, lossless. Encoding is most of the cost of writing a report
 * (docs/performance.md), so 8-bit RGB pictures (overlays, the inspected picture) and 8-bit palette
 * pictures of 256 opaque colours (grids) are encoded here: each row filtered with whichever of
 * None, Sub and Up leaves the smallest bytes, then deflated by {@link RunLengthDeflate} in bands of
 * rows, which {@link #encodeAll} spreads over the cores. About 5 times as fast as Java's encoder at
 * its fastest setting; RGB pictures come out 4 to 27 % larger, losslessly either way. A palette
 * picture is a third of the bytes of the same picture in RGB, and is encoded in about a third of
 * the time. Other kinds (alpha, grey, 16 bits, other palettes) go through Java's own encoder, which
 * keeps them as they are.
 */
public final class Png {

    /** ImageIO's compression quality for other kinds: 1 stores, 0 compresses hardest; 0.9 is deflate's fastest level. */
    static final float QUALITY = 0.9f;

    /** Bytes of filtered rows deflated as one part: a grid of 224 x 224 tiles makes 8, enough to share among cores. */
    static final int BAND_BYTES = 1 << 18;

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final VarHandle INT_BIG_ENDIAN = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final int NONE = 0;
    private static final int SUB = 1;
    private static final int UP = 2;

    private Png() {
    }

    /** {@code image} as the bytes of a PNG file. */
    public static byte[] encode(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        Picture picture = Picture.of(image);
        if (picture == null) {
            return encodeWithImageIo(image);
        }
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
        Picture[] pictures = new Picture[n];
        byte[][] done = new byte[n][];
        RunLengthDeflate.Part[][] parts = new RunLengthDeflate.Part[n][];
        List<int[]> tasks = new ArrayList<>(); // {picture, band}; band -1: the whole picture through ImageIO
        for (int i = 0; i < n; i++) {
            BufferedImage image = Objects.requireNonNull(images.get(i), "images[" + i + "]");
            pictures[i] = Picture.of(image);
            if (pictures[i] != null) {
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

    /**
     * A picture this class encodes itself: bands of filtered rows, each deflated on its own, then
     * written as one PNG file.
     */
    private abstract static class Picture {
        final int width;
        final int height;
        private final int rowBytes;
        private final int rowsPerBand;

        Picture(BufferedImage image, int bytesPerPixel) {
            width = image.getWidth();
            height = image.getHeight();
            rowBytes = bytesPerPixel * width;
            if ((long) height * (1 + rowBytes) > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("A picture too large to encode as one PNG: " + width + " x " + height);
            }
            rowsPerBand = Math.max(1, BAND_BYTES / (1 + rowBytes));
        }

        /** The picture as cnnsee encodes it, or null for kinds left to Java's encoder. */
        static Picture of(BufferedImage image) {
            if (Truecolour.fits(image)) {
                return new Truecolour(image);
            }
            if (Indexed.fits(image)) {
                return new Indexed(image);
            }
            return null;
        }

        int bands() {
            return (height + rowsPerBand - 1) / rowsPerBand;
        }

        /** Band {@code b}'s rows filtered and deflated. */
        RunLengthDeflate.Part band(int b) {
            int y0 = b * rowsPerBand;
            int y1 = Math.min(height, y0 + rowsPerBand);
            // Bytes to spare past the rows: a truecolour pixel is stored as 4 bytes, the 4th overwritten by the next.
            byte[] raw = new byte[(y1 - y0) * (1 + rowBytes) + 1];
            int p = filterRows(y0, y1, raw);
            return RunLengthDeflate.part(raw, 0, p, b == bands() - 1);
        }

        /**
         * Writes rows {@code y0} to {@code y1} (exclusive) into {@code raw}, each as its filter byte
         * and its filtered bytes; the row above {@code y0} is read again for the Up filter. Returns
         * the bytes written.
         */
        abstract int filterRows(int y0, int y1, byte[] raw);

        /** The PNG colour type of the header. */
        abstract int colourType();

        /** Writes the chunks that go between the header and the image data; returns the position after them. */
        int beforeImageData(byte[] png, int at) {
            return at;
        }

        /** Bytes of the chunks {@link #beforeImageData} writes. */
        int beforeImageDataLength() {
            return 0;
        }

        /** The file: signature, header, what goes before the image data, the bands as one IDAT chunk, end. */
        byte[] png(List<RunLengthDeflate.Part> parts) {
            long idatLength = RunLengthDeflate.zlibLength(parts);
            long total = SIGNATURE.length + 25 + beforeImageDataLength() + 12 + idatLength + 12;
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("A picture too large to encode as one PNG: " + width + " x " + height);
            }
            byte[] png = new byte[(int) total];
            System.arraycopy(SIGNATURE, 0, png, 0, SIGNATURE.length);
            int at = SIGNATURE.length;
            putInt(png, at + 8, width);
            putInt(png, at + 12, height);
            png[at + 16] = 8; // bits per sample (per palette index)
            png[at + 17] = (byte) colourType(); // compression, filter method and interlace stay 0
            at = chunk(png, at, "IHDR", 13);
            at = beforeImageData(png, at);
            RunLengthDeflate.writeZlib(parts, png, at + 8);
            at = chunk(png, at, "IDAT", (int) idatLength);
            chunk(png, at, "IEND", 0);
            return png;
        }
    }

    /** An 8-bit RGB picture, encoded as truecolour. */
    private static final class Truecolour extends Picture {
        private final Pixels pixels;

        Truecolour(BufferedImage image) {
            super(image, 3);
            pixels = Pixels.of(image);
        }

        static boolean fits(BufferedImage image) {
            int type = image.getType();
            return type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_BGR
                    || type == BufferedImage.TYPE_3BYTE_BGR;
        }

        @Override
        int colourType() {
            return 2;
        }

        @Override
        int filterRows(int y0, int y1, byte[] raw) {
            int[] buffer = new int[width];
            int[] spare = new int[width];
            int[] above = null;
            int aboveAt = 0;
            if (y0 > 0) {
                above = pixels.row(y0 - 1, spare);
                aboveAt = pixels.offset(y0 - 1);
            }
            int p = 0;
            for (int y = y0; y < y1; y++) {
                int[] row = pixels.row(y, buffer);
                int at = pixels.offset(y);
                p = filterRow(row, at, above, aboveAt, width, raw, p);
                above = row;
                aboveAt = at;
                // Read through getRGB, the next row must not overwrite the one now above it.
                int[] t = buffer;
                buffer = spare;
                spare = t;
            }
            return p;
        }
    }

    /**
     * An 8-bit picture of a palette of 256 opaque colours, one byte a pixel in an array of its own
     * (what {@link GridRenderer} makes of a grid whose colours fit in one): encoded as a palette PNG.
     */
    private static final class Indexed extends Picture {
        private final int[] palette;
        private final byte[] data;
        private final int base;
        private final int stride;

        Indexed(BufferedImage image) {
            super(image, 1);
            IndexColorModel model = (IndexColorModel) image.getColorModel();
            palette = new int[model.getMapSize()];
            model.getRGBs(palette);
            WritableRaster raster = image.getRaster();
            PixelInterleavedSampleModel sampleModel = (PixelInterleavedSampleModel) raster.getSampleModel();
            DataBufferByte buffer = (DataBufferByte) raster.getDataBuffer();
            data = buffer.getData();
            stride = sampleModel.getScanlineStride();
            // A sub-image shares its parent's array: (0, 0) sits where the translation says.
            base = buffer.getOffset() + sampleModel.getBandOffsets()[0]
                    - raster.getSampleModelTranslateY() * stride - raster.getSampleModelTranslateX();
        }

        /**
         * A full palette of opaque colours (a smaller one could leave pixels pointing past the PNG's
         * palette) and one byte a pixel, read in place.
         */
        static boolean fits(BufferedImage image) {
            return image.getColorModel() instanceof IndexColorModel model
                    && model.getMapSize() == 256 && model.getPixelSize() == 8
                    && model.getTransparency() == Transparency.OPAQUE
                    && image.getRaster().getDataBuffer() instanceof DataBufferByte buffer && buffer.getNumBanks() == 1
                    && image.getRaster().getSampleModel() instanceof PixelInterleavedSampleModel sampleModel
                    && sampleModel.getPixelStride() == 1 && sampleModel.getNumBands() == 1;
        }

        @Override
        int colourType() {
            return 3;
        }

        @Override
        int beforeImageDataLength() {
            return 12 + 3 * palette.length;
        }

        @Override
        int beforeImageData(byte[] png, int at) {
            for (int i = 0; i < palette.length; i++) {
                png[at + 8 + 3 * i] = (byte) (palette[i] >> 16);
                png[at + 9 + 3 * i] = (byte) (palette[i] >> 8);
                png[at + 10 + 3 * i] = (byte) palette[i];
            }
            return chunk(png, at, "PLTE", 3 * palette.length);
        }

        @Override
        int filterRows(int y0, int y1, byte[] raw) {
            int p = 0;
            for (int y = y0; y < y1; y++) {
                p = filterIndexRow(data, base + y * stride, y == 0 ? -1 : base + (y - 1) * stride, width, raw, p);
            }
            return p;
        }
    }

    /**
     * Writes the filter byte and the row of {@code width} pixels at {@code row[at]} filtered by
     * whichever filter gives the smallest sum of absolute values (the usual heuristic: small
     * differences code short), the sums taken over every fourth pixel, which chooses about as well
     * at a quarter of the cost; {@code above} is null for the picture's first row (where Up is
     * None). Returns the next position. The differences are taken on whole pixels, the three
     * bytes of each at once (subtraction within each byte, without borrows between them).
     */
    private static int filterRow(int[] row, int at, int[] above, int aboveAt, int width, byte[] raw, int p) {
        int none = 0;
        int sub = 0;
        int up = 0;
        int left = 0;
        for (int x = 0; x < width; x += 4) {
            int c = row[at + x];
            none += absBytes(c);
            sub += absBytes(subtractBytes(c, left));
            up += above == null ? 0 : absBytes(subtractBytes(c, above[aboveAt + x]));
            left = x + 4 < width ? row[at + x + 3] : 0;
        }
        int filter = none <= sub && (above == null || none <= up) ? NONE : above == null || sub <= up ? SUB : UP;
        raw[p++] = (byte) filter;
        switch (filter) {
            case NONE -> {
                for (int x = 0; x < width; x++) {
                    INT_BIG_ENDIAN.set(raw, p + 3 * x, row[at + x] << 8);
                }
            }
            case SUB -> {
                int previous = 0;
                for (int x = 0; x < width; x++) {
                    int c = row[at + x];
                    INT_BIG_ENDIAN.set(raw, p + 3 * x, subtractBytes(c, previous) << 8);
                    previous = c;
                }
            }
            default -> {
                for (int x = 0; x < width; x++) {
                    INT_BIG_ENDIAN.set(raw, p + 3 * x, subtractBytes(row[at + x], above[aboveAt + x]) << 8);
                }
            }
        }
        return p + 3 * width;
    }

    /**
     * {@link #filterRow} for a row of palette indices at {@code data[at]}, the row above at
     * {@code data[aboveAt]} ({@code aboveAt} -1 for the picture's first row): one byte a pixel.
     */
    private static int filterIndexRow(byte[] data, int at, int aboveAt, int width, byte[] raw, int p) {
        int none = 0;
        int sub = 0;
        int up = 0;
        for (int x = 0; x < width; x += 4) {
            int c = data[at + x];
            none += Math.abs((byte) c);
            sub += Math.abs((byte) (c - (x > 0 ? data[at + x - 1] : 0)));
            up += aboveAt < 0 ? 0 : Math.abs((byte) (c - data[aboveAt + x]));
        }
        boolean first = aboveAt < 0;
        int filter = none <= sub && (first || none <= up) ? NONE : first || sub <= up ? SUB : UP;
        raw[p++] = (byte) filter;
        switch (filter) {
            case NONE -> System.arraycopy(data, at, raw, p, width);
            case SUB -> {
                raw[p] = data[at];
                for (int x = 1; x < width; x++) {
                    raw[p + x] = (byte) (data[at + x] - data[at + x - 1]);
                }
            }
            default -> {
                for (int x = 0; x < width; x++) {
                    raw[p + x] = (byte) (data[at + x] - data[aboveAt + x]);
                }
            }
        }
        return p + width;
    }

    /** Each byte of {@code a} minus the same byte of {@code b}, modulo 256. */
    private static int subtractBytes(int a, int b) {
        final int high = 0x80808080;
        return ((a | high) - (b & ~high)) ^ ((a ^ ~b) & high);
    }

    /** The sum of the absolute values of the low three bytes of {@code v}, each taken as signed. */
    private static int absBytes(int v) {
        return Math.abs((byte) (v >> 16)) + Math.abs((byte) (v >> 8)) + Math.abs((byte) v);
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
