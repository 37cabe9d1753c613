package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/** Hand-made pictures for tests. */
public final class Pictures {

    private Pictures() {
    }

    /** {@code width} x {@code height} pixels of random 8-bit RGB, the same for the same seed. */
    public static BufferedImage noise(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }
}
