package io.cnnsee;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads pictures safely and turns any picture into 8-bit RGB. Immutable and thread-safe.
 *
 * <p>A picture's size is read from its header and checked against a limit before its pixels are
 * decoded, so a file that claims 100000 x 100000 pixels is refused instead of filling the heap.
 * Damaged data (a truncated JPEG) is an error, not a half-grey picture. CMYK JPEGs are converted
 * to RGB here (naively, without their ICC profile), as Java's own decoder gets their colours wrong;
 * an animated GIF gives its first frame.
 */
public final class ImageLoader {

    /** Default limit: 100 million pixels (e.g. 10000 x 10000). */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private static final ImageLoader DEFAULTS = new ImageLoader(DEFAULT_MAX_PIXELS);

    private final long maxPixels;

    private ImageLoader(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    public static ImageLoader defaults() {
        return DEFAULTS;
    }

    /** A loader that refuses pictures of more than {@code maxPixels} pixels. */
    public static ImageLoader withMaxPixels(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("The pixel limit must be at least 1, was " + maxPixels);
        }
        return new ImageLoader(maxPixels);
    }

    public long maxPixels() {
        return maxPixels;
    }

    /**
     * Reads the picture in {@code file}.
     *
     * @throws IllegalArgumentException naming the file and the reason when it is missing, not a
     *                                  picture, damaged or too large
     * @throws java.io.UncheckedIOException when reading fails for another reason
     */
    public BufferedImage read(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            throw new UnreadablePictureException(String.valueOf(file), "no such file");
        }
        if (Files.isDirectory(file)) {
            throw new UnreadablePictureException(String.valueOf(file), "it is a directory");
        }
        try {
            if (Files.size(file) == 0) {
                throw new UnreadablePictureException(String.valueOf(file), "the file is empty (0 bytes)");
            }
        } catch (IOException e) {
            throw new UnreadablePictureException(String.valueOf(file), e.getMessage(), e);
        }
        // Buffered: the decoders read a few bytes at a time, each a system call on the bare file
        // (512 x 512 PNG: 12.9 ms unbuffered, 7.8 buffered).
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new UnreadablePictureException(String.valueOf(file), "no such file", e);
        } catch (IOException e) {
            throw new UnreadablePictureException(String.valueOf(file), e.getMessage(), e);
        }
    }

    /**
     * Reads a picture from {@code in}, which is not closed. Nothing past what the decoder asks for
     * is read, so {@code in} is not buffered here: a buffered stream reads a file faster.
     *
     * @param name how the picture is called in error messages
     */
    public BufferedImage read(InputStream in, String name) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(name, "name");
        // Cached in memory: ImageIO.createImageInputStream would copy the picture into a temporary
        // file as it reads (ImageIO's cache is on by default), which took 24 ms instead of 7 for a
        // 512 x 512 PNG, and left a stray file wherever the JVM died meanwhile.
        try (ImageInputStream stream = new MemoryCacheImageInputStream(in)) {
            stream.mark();
            if (stream.read() < 0) {
                throw new UnreadablePictureException(name, "it is empty (0 bytes)");
            }
            stream.reset();
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                throw new UnreadablePictureException(name, "not a picture format Java can decode"
                        + " (supported: " + String.join(", ", supportedFormats()) + ")");
            }
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                try {
                    return decode(reader, stream, name, format);
                } catch (IIOException e) {
                    throw new UnreadablePictureException(name, "the " + format
                            + " data is damaged or unsupported (" + describe(e) + ")", e);
                }
            } finally {
                reader.dispose();
            }
        } catch (IIOException e) {
            throw new UnreadablePictureException(name, describe(e), e);
        } catch (IOException e) {
            throw new UnreadablePictureException(name, e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof UnreadablePictureException) {
                throw e;
            }
            // Some decoders fail on damaged data with runtime exceptions of their own.
            throw new UnreadablePictureException(name, "the data is damaged or unsupported ("
                    + e + ")", e);
        }
    }

    private BufferedImage decode(ImageReader reader, ImageInputStream stream, String name, String format) throws IOException {
        int orientation = Orientation.read(stream, format);
        reader.setInput(stream, true, true);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width * height > maxPixels) {
            throw new UnreadablePictureException(name, "it is " + width + " x " + height
                    + " pixels, more than the limit of " + maxPixels + " pixels (ImageLoader.withMaxPixels)");
        }
        StringBuilder warnings = new StringBuilder();
        reader.addIIOReadWarningListener((source, warning) -> {
            // TwelveMonkeys converts a CMYK JPEG without a colour profile naively, as viewers do, and says so.
            if (!warning.startsWith("No embedded ICC color profile")) {
                warnings.append(warning).append(' ');
            }
        });
        BufferedImage image = reader.read(0); // for an animated GIF: its first frame
        if (warnings.length() > 0) {
            throw new UnreadablePictureException(name, "the " + format
                    + " data is damaged (" + warnings.toString().strip() + ")");
        }
        return Orientation.apply(image, orientation);
    }

    private static String describe(IIOException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return e.getCause() != null && e.getCause().getMessage() != null
                ? message + " (" + e.getCause().getMessage() + ")" : message;
    }

    private static String[] supportedFormats() {
        return java.util.Arrays.stream(ImageIO.getReaderFormatNames())
                .map(s -> s.toLowerCase(Locale.ROOT)).distinct().sorted().toArray(String[]::new);
    }

    /**
     * An independent copy of {@code image} as 8-bit RGB: one array copy where it is already 8-bit
     * RGB in an array of its own (grids, overlays and inspected pictures are), {@link #toRgb}'s
     * conversion otherwise. Copying through the raster's samples took milliseconds a picture.
     */
    public static BufferedImage copyRgb(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        if (image.getType() != BufferedImage.TYPE_INT_RGB) {
            return toRgb(image); // a new picture already
        }
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage copy = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Raster raster = image.getRaster();
        if (raster.getDataBuffer() instanceof DataBufferInt ints && ints.getNumBanks() == 1 && ints.getOffset() == 0
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && raster.getSampleModel() instanceof SinglePixelPackedSampleModel model && model.getScanlineStride() == w
                && ints.getSize() == w * h) {
            System.arraycopy(ints.getData(), 0, ((DataBufferInt) copy.getRaster().getDataBuffer()).getData(), 0, w * h);
        } else {
            copy.setData(raster); // a sub-image: its rows lie apart in its parent's array
        }
        return copy;
    }

    /**
     * {@code image} as 8-bit RGB ({@link BufferedImage#TYPE_INT_RGB}); the image itself if it is
     * already. Grey levels are copied as they are (Java would otherwise apply a gamma curve),
     * 16-bit samples keep their top 8 bits' worth (scaled, rounded), palettes are looked up, and
     * alpha is dropped without blending, as Keras' {@code load_img} does.
     */
    public static BufferedImage toRgb(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Raster raster = image.getRaster();
        boolean gray = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getColorModel().getNumColorComponents() == 1
                && !(image.getColorModel() instanceof IndexColorModel);
        if (gray) {
            int bits = image.getColorModel().getComponentSize(0);
            long maxValue = (1L << bits) - 1;
            int[] out = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
            int[] samples = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, samples); // a row at a time: per pixel it took milliseconds
                for (int x = 0; x < w; x++) {
                    int v = bits == 8 ? samples[x] : (int) Math.round(samples[x] * 255.0 / maxValue);
                    out[y * w + x] = (v << 16) | (v << 8) | v;
                }
            }
        } else if (!copyInterleavedBytes(image, ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData())
                && !copyIndexedBytes(image, ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData())) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    rgb.setRGB(x, y, image.getRGB(x, y) & 0xFFFFFF);
                }
            }
        }
        return rgb;
    }

    /**
     * Copies {@code image} into {@code out} (0xRRGGBB, row after row) straight from its bytes
     * where it holds 8-bit sRGB samples side by side, with or without alpha (not premultiplied):
     * what Java's decoders give for most PNG and JPEG files (TYPE_3BYTE_BGR, TYPE_4BYTE_ABGR).
     * There {@link BufferedImage#getRGB(int, int)} gives exactly these bytes, through the colour
     * model, a pixel at a time: about 3 ms for a 451 x 300 picture, which preprocessing and the
     * inspection's copy each paid. Returns false, having copied nothing, for any other layout.
     */
    private static boolean copyInterleavedBytes(BufferedImage image, int[] out) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (!(cm instanceof ComponentColorModel) || !cm.getColorSpace().isCS_sRGB() || cm.isAlphaPremultiplied()
                || cm.getTransferType() != DataBuffer.TYPE_BYTE || cm.getNumColorComponents() != 3
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel model)
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1) {
            return false;
        }
        for (int c = 0; c < cm.getNumComponents(); c++) {
            if (cm.getComponentSize(c) != 8) {
                return false;
            }
        }
        byte[] data = buffer.getData();
        int[] bands = model.getBandOffsets(); // red, green, blue (then alpha), as the colour model orders them
        int red = bands[0];
        int green = bands[1];
        int blue = bands[2];
        int pixelStride = model.getPixelStride();
        int w = image.getWidth();
        int h = image.getHeight();
        for (int y = 0; y < h; y++) {
            // A sub-image's pixels lie where its translation into the parent's samples says.
            int p = buffer.getOffset() + (y - raster.getSampleModelTranslateY()) * model.getScanlineStride()
                    - raster.getSampleModelTranslateX() * pixelStride;
            for (int x = 0, i = y * w; x < w; x++, i++, p += pixelStride) {
                out[i] = (data[p + red] & 0xFF) << 16 | (data[p + green] & 0xFF) << 8 | data[p + blue] & 0xFF;
            }
        }
        return true;
    }

    /**
     * Copies {@code image} into {@code out} (0xRRGGBB, row after row) by looking up its palette,
     * where it is one byte a pixel: GIFs, palette PNGs and cnnsee's grids. Through
     * {@link BufferedImage#getRGB(int, int)} a pixel at a time a grid of block 1 took tens of
     * milliseconds. Alpha is dropped, as everywhere here. Returns false, having copied nothing, for
     * any other layout.
     */
    private static boolean copyIndexedBytes(BufferedImage image, int[] out) {
        Raster raster = image.getRaster();
        if (!(image.getColorModel() instanceof IndexColorModel model) || model.getPixelSize() != 8
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sampleModel)
                || sampleModel.getNumBands() != 1
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1) {
            return false;
        }
        int[] palette = new int[256];
        for (int i = 0; i < palette.length; i++) {
            palette[i] = model.getRGB(i) & 0xFFFFFF; // past the map's size, what getRGB gives too
        }
        byte[] data = buffer.getData();
        int pixelStride = sampleModel.getPixelStride();
        int w = image.getWidth();
        int h = image.getHeight();
        for (int y = 0; y < h; y++) {
            int p = buffer.getOffset() + sampleModel.getBandOffsets()[0]
                    + (y - raster.getSampleModelTranslateY()) * sampleModel.getScanlineStride()
                    - raster.getSampleModelTranslateX() * pixelStride;
            for (int x = 0, i = y * w; x < w; x++, i++, p += pixelStride) {
                out[i] = palette[data[p] & 0xFF];
            }
        }
        return true;
    }
}
