package io.cnnsee.render;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Objects;

/**
 * PNG encoding tuned for reports: Java's encoder with a fast deflate setting. Encoding is most of
 * the cost of writing a report (docs/performance.md); the default setting takes about 1.7 times as
 * long for files within 2 % of the size. Lossless either way.
 */
public final class Png {

    /** ImageIO's compression quality: 1 stores, 0 compresses hardest; 0.9 is deflate's fastest level. */
    static final float QUALITY = 0.9f;

    private Png() {
    }

    /** {@code image} as the bytes of a PNG file. */
    public static byte[] encode(BufferedImage image) {
        Objects.requireNonNull(image, "image");
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
