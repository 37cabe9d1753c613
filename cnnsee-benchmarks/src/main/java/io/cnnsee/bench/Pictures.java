package io.cnnsee.bench;

import io.cnnsee.ImageLoader;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** The picture the benchmarks inspect: the README's sample when run from the repository, else noise of its size. */
final class Pictures {

    static final Path SAMPLE = Path.of("cnnsee-examples", "images", "chelsea.png");

    private Pictures() {
    }

    static BufferedImage sample() {
        if (Files.isRegularFile(SAMPLE)) {
            return ImageLoader.toRgb(ImageLoader.defaults().read(SAMPLE));
        }
        return noise(451, 300, 1);
    }

    /** The sample as a file, to time reading it: the README's PNG, else the noise written as a PNG. */
    static Path sampleFile() throws java.io.IOException {
        if (Files.isRegularFile(SAMPLE)) {
            return SAMPLE;
        }
        Path file = Files.createTempFile("cnnsee-sample", ".png");
        file.toFile().deleteOnExit();
        javax.imageio.ImageIO.write(noise(451, 300, 1), "png", file.toFile());
        return file;
    }

    static BufferedImage noise(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }

    /**
     * A 4000 x 3000 JPEG file (quality 0.9, deleted on exit): the sample scaled up, so it has a
     * photograph's smooth areas and edges at a phone camera's size.
     */
    static Path photographFile() throws java.io.IOException {
        BufferedImage big = new BufferedImage(4000, 3000, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = big.createGraphics();
        try {
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(sample(), 0, 0, 4000, 3000, null);
        } finally {
            g.dispose();
        }
        Path file = Files.createTempFile("cnnsee-photograph", ".jpg");
        file.toFile().deleteOnExit();
        javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
        javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        try (javax.imageio.stream.ImageOutputStream out = javax.imageio.ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new javax.imageio.IIOImage(big, null, null), param);
        } finally {
            writer.dispose();
        }
        return file;
    }
}
