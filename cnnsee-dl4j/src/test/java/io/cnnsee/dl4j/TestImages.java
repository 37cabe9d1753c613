package io.cnnsee.dl4j;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/** Pictures for tests. */
final class TestImages {

    private TestImages() {
    }

    /** Random colours with a gradient, so no symmetry (left-right, top-bottom, R-B) hides a mistake. */
    static BufferedImage noise(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = Math.min(255, random.nextInt(128) + 127 * x / width);
                int g = random.nextInt(256);
                int b = Math.min(255, random.nextInt(100) + 155 * y / height);
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }
}
