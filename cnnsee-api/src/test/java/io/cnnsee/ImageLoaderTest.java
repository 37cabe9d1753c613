package io.cnnsee;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Awkward and broken pictures: each gives its RGB pixels or an error naming the file and the reason. */
class ImageLoaderTest {

    /** Material beside the checkout; absent in a user's clone, so the tests that read it are skipped then. */
    static final Path SHARED = Path.of("..", "..", "shared", "images");

    @TempDir
    Path dir;

    final ImageLoader loader = ImageLoader.defaults();

    Path write(String name, byte[] bytes) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    Path writeImage(String name, BufferedImage image, String format) throws Exception {
        Path file = dir.resolve(name);
        assertThat(ImageIO.write(image, format, file.toFile())).as("a writer for " + format).isTrue();
        return file;
    }

    static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xFFFFFF;
    }

    @Test
    void readingSpillsNothingIntoTemporaryFiles(@TempDir Path cache) throws Exception {
        BufferedImage picture = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                picture.setRGB(x, y, x * 4 << 16 | y * 5 << 8 | (x + y));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", png);
        // Whatever is in ImageIO's cache folder while the decoder reads: its cache (on by default)
        // would copy the picture there as it goes.
        Set<String> seen = new TreeSet<>();
        InputStream watched = new FilterInputStream(new ByteArrayInputStream(png.toByteArray())) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try (var files = Files.list(cache)) {
                    files.forEach(f -> seen.add(f.getFileName().toString()));
                }
                return super.read(b, off, len);
            }
        };
        File cacheBefore = ImageIO.getCacheDirectory();
        boolean useCacheBefore = ImageIO.getUseCache();
        ImageIO.setCacheDirectory(cache.toFile());
        ImageIO.setUseCache(true);
        BufferedImage read;
        try {
            read = loader.read(watched, "watched.png");
        } finally {
            ImageIO.setCacheDirectory(cacheBefore);
            ImageIO.setUseCache(useCacheBefore);
        }

        assertThat(seen).isEmpty();
        assertThat(read.getWidth()).isEqualTo(64);
        assertThat(read.getHeight()).isEqualTo(48);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                assertThat(rgb(read, x, y)).isEqualTo(rgb(picture, x, y));
            }
        }
    }

    @Test
    void anEmptyFileSaysItIsEmpty() throws Exception {
        Path file = write("empty.png", new byte[0]);
        assertThatThrownBy(() -> loader.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read picture " + file + ": the file is empty (0 bytes)");
        assertThatThrownBy(() -> loader.read(new java.io.ByteArrayInputStream(new byte[0]), "upload"))
                .hasMessage("Cannot read picture upload: it is empty (0 bytes)");
        Path one = write("one.png", new byte[] {1});
        assertThatThrownBy(() -> loader.read(one))
                .hasMessageStartingWith("Cannot read picture " + one + ": not a picture format Java can decode")
                .hasMessageContaining("jpeg").hasMessageContaining("png");
    }

    @Test
    void aTextFileNamedJpgIsNotAPicture() throws Exception {
        Path file = write("notes.jpg", "just some words\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> loader.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot read picture " + file + ": not a picture format Java can decode");
    }

    @Test
    void aMissingFileAndAFolderAreNamed() {
        Path missing = dir.resolve("nowhere.png");
        assertThatThrownBy(() -> loader.read(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read picture " + missing + ": no such file");
        assertThatThrownBy(() -> loader.read(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read picture " + dir + ": it is a directory");
    }

    @Test
    void aTruncatedJpegIsDamagedNotHalfGrey() throws Exception {
        BufferedImage noise = Pictures.noise(100, 100, 5);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(noise, "jpeg", out);
        byte[] whole = out.toByteArray();
        Path file = write("cut.jpg", Arrays.copyOf(whole, whole.length / 2));
        assertThat(loader.read(write("whole.jpg", whole)).getWidth()).isEqualTo(100);
        assertThatThrownBy(() -> loader.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot read picture " + file + ": the jpeg data is damaged (");
    }

    @Test
    void theSharedTruncatedJpegIsDamaged() {
        Path file = SHARED.resolve("truncated.jpg");
        assumeTrue(Files.exists(file), "../shared/images is not beside this checkout");
        assertThatThrownBy(() -> loader.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot read picture " + file + ": ")
                .hasMessageContaining("damaged");
    }

    @Test
    void aOnePixelPictureIsAPicture() throws Exception {
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        one.setRGB(0, 0, 0x123456);
        BufferedImage read = ImageLoader.toRgb(loader.read(writeImage("one.png", one, "png")));
        assertThat(read.getWidth()).isEqualTo(1);
        assertThat(read.getHeight()).isEqualTo(1);
        assertThat(rgb(read, 0, 0)).isEqualTo(0x123456);
    }

    @Test
    void anIndexedColourPngGivesItsPaletteColours() throws Exception {
        byte[] r = {(byte) 255, 0, 10};
        byte[] g = {0, (byte) 200, 20};
        byte[] b = {0, 0, 30};
        BufferedImage indexed = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 3, r, g, b));
        indexed.getRaster().setPixels(0, 0, 3, 2, new int[] {0, 1, 2, 2, 1, 0});
        BufferedImage read = ImageLoader.toRgb(loader.read(writeImage("palette.png", indexed, "png")));
        assertThat(new int[] {rgb(read, 0, 0), rgb(read, 1, 0), rgb(read, 2, 0), rgb(read, 0, 1)})
                .containsExactly(0xFF0000, 0x00C800, 0x0A141E, 0x0A141E);
    }

    @Test
    void theSharedPalettePngGivesRgb() {
        Path file = SHARED.resolve("palette_color.png");
        assumeTrue(Files.exists(file), "../shared/images is not beside this checkout");
        BufferedImage raw = loader.read(file);
        assertThat(raw.getColorModel()).isInstanceOf(IndexColorModel.class);
        BufferedImage read = ImageLoader.toRgb(raw);
        assertThat(read.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(read.getWidth()).isEqualTo(10);
        IndexColorModel palette = (IndexColorModel) raw.getColorModel();
        int index = raw.getRaster().getSample(3, 4, 0);
        assertThat(rgb(read, 3, 4)).isEqualTo(palette.getRGB(index) & 0xFFFFFF);
    }

    @Test
    void greyLevelsAreCopiedWithoutAGammaCurve() throws Exception {
        BufferedImage grey = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setPixels(0, 0, 4, 1, new int[] {0, 50, 128, 255});
        BufferedImage read = ImageLoader.toRgb(loader.read(writeImage("grey.png", grey, "png")));
        assertThat(new int[] {rgb(read, 0, 0), rgb(read, 1, 0), rgb(read, 2, 0), rgb(read, 3, 0)})
                .containsExactly(0x000000, 0x323232, 0x808080, 0xFFFFFF);
    }

    /** Grey pictures of several rows, and a part of one, come out level for level, row by row. */
    @Test
    void greyPicturesOfSeveralRowsAndPartsOfThemKeepTheirLevels() {
        BufferedImage grey = new BufferedImage(37, 23, BufferedImage.TYPE_BYTE_GRAY);
        SplittableRandom random = new SplittableRandom(8);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                grey.getRaster().setSample(x, y, 0, random.nextInt(256));
            }
        }
        for (BufferedImage picture : new BufferedImage[] {grey, grey.getSubimage(4, 6, 20, 9)}) {
            BufferedImage rgb = ImageLoader.toRgb(picture);
            for (int y = 0; y < picture.getHeight(); y++) {
                for (int x = 0; x < picture.getWidth(); x++) {
                    assertThat(rgb.getRGB(x, y) & 0xFFFFFF).as("%d x %d, pixel (%d, %d)", picture.getWidth(),
                            picture.getHeight(), x, y).isEqualTo(picture.getRaster().getSample(x, y, 0) * 0x010101);
                }
            }
        }
    }

    @Test
    void sixteenBitSamplesAreScaledToEightBits() throws Exception {
        BufferedImage deep = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        deep.getRaster().setPixels(0, 0, 3, 1, new int[] {0, 257 * 100 + 128, 65535});
        BufferedImage read = ImageLoader.toRgb(loader.read(writeImage("deep.png", deep, "png")));
        // round(25828 * 255 / 65535) = 100.5 -> 101 is what rounding gives; 100 * 257 + 128 sits half-way.
        int middle = (int) Math.round((257 * 100 + 128) * 255.0 / 65535);
        assertThat(new int[] {rgb(read, 0, 0), rgb(read, 1, 0), rgb(read, 2, 0)})
                .containsExactly(0x000000, middle * 0x010101, 0xFFFFFF);
    }

    @Test
    void alphaIsDroppedWithoutBlending() throws Exception {
        BufferedImage alpha = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        alpha.setRGB(0, 0, 0x00336699); // fully transparent: the colour stays
        alpha.setRGB(1, 0, 0x80FF0000);
        BufferedImage read = ImageLoader.toRgb(loader.read(writeImage("alpha.png", alpha, "png")));
        assertThat(rgb(read, 0, 0)).isEqualTo(0x336699);
        assertThat(rgb(read, 1, 0)).isEqualTo(0xFF0000);
    }

    @Test
    void anAnimatedGifGivesItsFirstFrame() throws Exception {
        Path file = dir.resolve("animated.gif");
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int colour : new int[] {0xFF0000, 0x0000FF}) {
                BufferedImage frame = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 5; x++) {
                        frame.setRGB(x, y, colour);
                    }
                }
                writer.writeToSequence(new IIOImage(frame, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        try (var in = ImageIO.createImageInputStream(file.toFile())) {
            var reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertThat(reader.getNumImages(true)).as("frames written").isEqualTo(2);
            reader.dispose();
        }
        BufferedImage read = ImageLoader.toRgb(loader.read(file));
        assertThat(read.getWidth()).isEqualTo(5);
        assertThat(rgb(read, 2, 2)).isEqualTo(0xFF0000);
    }

    @Test
    void webpPicturesAreRead() throws Exception {
        BufferedImage reference = ImageIO.read(resource("chelsea-rgb.png"));
        BufferedImage lossless;
        BufferedImage lossy;
        try (InputStream in = resource("chelsea-lossless.webp")) {
            lossless = ImageLoader.toRgb(loader.read(in, "chelsea-lossless.webp"));
        }
        try (InputStream in = resource("chelsea-lossy.webp")) {
            lossy = ImageLoader.toRgb(loader.read(in, "chelsea-lossy.webp"));
        }
        assertThat(lossless.getWidth()).isEqualTo(reference.getWidth());
        assertThat(lossless.getHeight()).isEqualTo(reference.getHeight());
        double sum = 0;
        for (int y = 0; y < reference.getHeight(); y++) {
            for (int x = 0; x < reference.getWidth(); x++) {
                assertThat(lossless.getRGB(x, y) & 0xFFFFFF).isEqualTo(reference.getRGB(x, y) & 0xFFFFFF);
                for (int shift = 0; shift < 24; shift += 8) {
                    sum += Math.abs((lossy.getRGB(x, y) >> shift & 0xFF) - (reference.getRGB(x, y) >> shift & 0xFF));
                }
            }
        }
        assertThat(sum / (3.0 * reference.getWidth() * reference.getHeight())).as("lossy WebP, mean grey levels off")
                .isLessThan(4.0);
        Path file = write("words.webp", "RIFF....WEBPVP8 nonsense".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> loader.read(file)).hasMessageStartingWith("Cannot read picture " + file + ": ");
    }

    @Test
    void theSupportedFormatsIncludeWebpAndTiff() throws Exception {
        Path file = write("notes.txt", "just words".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> loader.read(file)).hasMessageContaining("webp").hasMessageContaining("tiff");
    }

    /** TwelveMonkeys' JPEG reader, which replaced cnnsee's own CMYK conversion, with the same test. */
    @Test
    void aCmykJpegGetsItsColoursRight() throws Exception {
        BufferedImage reference = ImageIO.read(resource("chelsea-rgb.png"));
        BufferedImage read;
        try (InputStream in = resource("chelsea-cmyk.jpg")) {
            read = ImageLoader.toRgb(loader.read(in, "chelsea-cmyk.jpg"));
        }
        assertThat(read.getWidth()).isEqualTo(reference.getWidth());
        assertThat(read.getHeight()).isEqualTo(reference.getHeight());
        double sum = 0;
        int max = 0;
        for (int y = 0; y < read.getHeight(); y++) {
            for (int x = 0; x < read.getWidth(); x++) {
                for (int shift = 0; shift < 24; shift += 8) {
                    int d = Math.abs((read.getRGB(x, y) >> shift & 0xFF) - (reference.getRGB(x, y) >> shift & 0xFF));
                    sum += d;
                    max = Math.max(max, d);
                }
            }
        }
        double mean = sum / (3.0 * read.getWidth() * read.getHeight());
        // JPEG loss and CMYK rounding only: Java's own decoder is 60 grey levels off on average here.
        assertThat(mean).as("mean difference in grey levels").isLessThan(3.0);
        assertThat(max).as("largest difference in grey levels").isLessThan(40);
    }

    @Test
    void aHeaderClaimingTenGigapixelsIsRefusedBeforeDecoding() throws Exception {
        Path file = write("huge.png", pngHeaderOnly(100_000, 100_000));
        assertThatThrownBy(() -> loader.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read picture " + file + ": it is 100000 x 100000 pixels, more than the limit of "
                        + "100000000 pixels (ImageLoader.withMaxPixels)");
    }

    @Test
    void theLimitIsConfigurable() throws Exception {
        Path file = writeImage("ten.png", Pictures.noise(10, 10, 1), "png");
        assertThat(ImageLoader.withMaxPixels(100).read(file).getWidth()).isEqualTo(10);
        assertThatThrownBy(() -> ImageLoader.withMaxPixels(99).read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("it is 10 x 10 pixels, more than the limit of 99 pixels (ImageLoader.withMaxPixels)");
        assertThatThrownBy(() -> ImageLoader.withMaxPixels(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The pixel limit must be at least 1, was 0");
    }

    @Test
    void theLimitReachesTheInspector() throws Exception {
        Path file = writeImage("ten.png", Pictures.noise(10, 10, 1), "png");
        FeatureMapInspector inspector = FeatureMapInspector.builder().model(new FakeModel())
                .imageLoader(ImageLoader.withMaxPixels(50)).build();
        assertThatThrownBy(() -> inspector.run(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than the limit of 50 pixels");
    }

    /** A PNG that has a valid signature and header chunk but no pixel data at all. */
    static byte[] pngHeaderOnly(int width, int height) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(chunk);
        c.writeBytes("IHDR");
        c.writeInt(width);
        c.writeInt(height);
        c.write(new byte[] {8, 2, 0, 0, 0}); // 8-bit RGB, deflate, no filter, no interlace
        byte[] data = chunk.toByteArray();
        out.writeInt(data.length - 4);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(data);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }

    static InputStream resource(String name) {
        InputStream in = ImageLoaderTest.class.getResourceAsStream("pictures/" + name);
        assertThat(in).as("test resource pictures/" + name).isNotNull();
        return in;
    }

    /**
     * The kinds Java's decoders give for most files, converted straight from their bytes, come out
     * as {@code getRGB} sees them, pixel for pixel: byte BGR, ABGR, a sub-image of each (its
     * pixels elsewhere in the parent's bytes), PNGs decoded by Java with and without alpha; and a
     * premultiplied kind, which takes the general path.
     */
    @Test
    void bytePicturesConvertAsGetRgbSeesThem() throws Exception {
        SplittableRandom random = new SplittableRandom(21);
        java.util.List<BufferedImage> pictures = new java.util.ArrayList<>();
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_4BYTE_ABGR_PRE,
                BufferedImage.TYPE_INT_ARGB}) {
            BufferedImage image = new BufferedImage(37, 23, type);
            for (int y = 0; y < 23; y++) {
                for (int x = 0; x < 37; x++) {
                    image.setRGB(x, y, random.nextInt());
                }
            }
            pictures.add(image);
            pictures.add(image.getSubimage(5, 3, 20, 11));
            if (type != BufferedImage.TYPE_4BYTE_ABGR_PRE) {
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(image, "png", png);
                pictures.add(ImageIO.read(new java.io.ByteArrayInputStream(png.toByteArray())));
            }
        }
        assertThat(pictures).extracting(BufferedImage::getType).contains(BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR);
        for (BufferedImage picture : pictures) {
            BufferedImage rgb = ImageLoader.toRgb(picture);
            assertThat(rgb.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < picture.getHeight(); y++) {
                for (int x = 0; x < picture.getWidth(); x++) {
                    assertThat(rgb.getRGB(x, y) & 0xFFFFFF).as("type %d, %d x %d, pixel (%d, %d)", picture.getType(),
                            picture.getWidth(), picture.getHeight(), x, y).isEqualTo(picture.getRGB(x, y) & 0xFFFFFF);
                }
            }
        }
    }

    /**
     * Palette pictures (GIFs, palette PNGs, cnnsee's grids) convert from their bytes through their
     * palette: the colours getRGB gives, alpha dropped, sub-images of their own pixels; a palette
     * of 16 colours and one of 1-bit pixels too (the latter by the general path).
     */
    @Test
    void palettePicturesConvertAsGetRgbSeesThem() {
        SplittableRandom random = new SplittableRandom(22);
        int[] colours = new int[256];
        for (int i = 0; i < colours.length; i++) {
            colours[i] = random.nextInt(); // alpha too
        }
        BufferedImage full = new BufferedImage(41, 19, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, colours, 0, true, -1, java.awt.image.DataBuffer.TYPE_BYTE));
        BufferedImage sixteen = new BufferedImage(41, 19, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 16, colours, 0, false, -1, java.awt.image.DataBuffer.TYPE_BYTE));
        BufferedImage binary = new BufferedImage(41, 19, BufferedImage.TYPE_BYTE_BINARY);
        for (int y = 0; y < 19; y++) {
            for (int x = 0; x < 41; x++) {
                full.getRaster().setSample(x, y, 0, random.nextInt(256));
                sixteen.getRaster().setSample(x, y, 0, random.nextInt(16));
                binary.getRaster().setSample(x, y, 0, random.nextInt(2));
            }
        }
        for (BufferedImage picture : new BufferedImage[] {full, full.getSubimage(6, 4, 30, 9), sixteen,
                sixteen.getSubimage(1, 2, 3, 4), binary}) {
            int w = picture.getWidth();
            int h = picture.getHeight();
            int[] expected = picture.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < expected.length; i++) {
                expected[i] &= 0xFFFFFF;
            }
            for (BufferedImage rgb : new BufferedImage[] {ImageLoader.toRgb(picture), ImageLoader.copyRgb(picture)}) {
                assertThat(rgb.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
                int[] actual = rgb.getRGB(0, 0, w, h, null, 0, w);
                for (int i = 0; i < actual.length; i++) {
                    actual[i] &= 0xFFFFFF;
                }
                assertThat(actual).as("%d x %d of a palette of %d", w, h, ((IndexColorModel) picture.getColorModel()).getMapSize())
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void copiesAreIndependentAndWhole() {
        BufferedImage original = Pictures.noise(40, 30, 8);
        BufferedImage copy = ImageLoader.copyRgb(original);
        assertThat(copy).isNotSameAs(original);
        assertThat(copy.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                assertThat(copy.getRGB(x, y)).isEqualTo(original.getRGB(x, y));
            }
        }
        int before = original.getRGB(5, 5);
        copy.setRGB(5, 5, ~before);
        assertThat(original.getRGB(5, 5)).as("the original, after the copy changed").isEqualTo(before);

        // A sub-image lies inside its parent's array: the copy is of its own pixels only.
        BufferedImage part = original.getSubimage(7, 3, 20, 11);
        BufferedImage partCopy = ImageLoader.copyRgb(part);
        assertThat(partCopy.getWidth()).isEqualTo(20);
        assertThat(partCopy.getHeight()).isEqualTo(11);
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 20; x++) {
                assertThat(partCopy.getRGB(x, y)).isEqualTo(original.getRGB(x + 7, y + 3));
            }
        }

        // Other kinds are converted, as toRgb does.
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 2, 0, 77);
        assertThat(ImageLoader.copyRgb(grey).getRGB(1, 2) & 0xFFFFFF).isEqualTo(77 << 16 | 77 << 8 | 77);
    }
}
