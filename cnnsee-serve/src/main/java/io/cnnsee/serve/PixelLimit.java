package io.cnnsee.serve;

import org.eclipse.jetty.http.HttpStatus;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;

/**
 * Refuses a picture with more pixels than the explorer decodes, from its header alone and before
 * it waits for a pass: a 12 KB PNG of 10000 x 10000 pixels costs seconds and hundreds of MB to
 * decode, convert and resize, so the explorer's limit is lower than a library's, and says so with
 * 413. Whatever the header cannot tell is left to the loader, which says what is wrong.
 */
final class PixelLimit {

    private final long maxPixels;

    PixelLimit(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    void check(InputStream picture, String name) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(picture)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width * height > maxPixels) {
                    throw new Refused(HttpStatus.PAYLOAD_TOO_LARGE_413, String.format(Locale.ROOT, "Picture %s is %d x %d"
                            + " pixels (%.1f million); this server decodes at most %.1f million pixels. Make it smaller"
                            + " (the explorer shows it at 512 pixels a side)", name, width, height, width * height / 1e6,
                            maxPixels / 1e6));
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof Refused refused) {
                throw refused;
            }
            // A damaged header: the loader reads it again and says what is wrong.
        }
    }
}
