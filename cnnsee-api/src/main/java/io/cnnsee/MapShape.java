package io.cnnsee;

/**
 * The shape of one tap's output: {@code channels} maps of {@code height x width} values.
 *
 * @param channels number of channels (feature maps), at least 1
 * @param height   rows of each map, at least 1
 * @param width    columns of each map, at least 1
 */
public record MapShape(int channels, int height, int width) {

    public MapShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "A map shape needs at least 1 channel, 1 row and 1 column, was " + describe(channels, height, width));
        }
        if ((long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Map shape " + describe(channels, height, width)
                    + " holds more values than a Java array can (" + Integer.MAX_VALUE + ")");
        }
    }

    /** Values in one channel: {@code height * width}. */
    public int channelSize() {
        return height * width;
    }

    /** Values in all channels: {@code channels * height * width}. */
    public int size() {
        return channels * height * width;
    }

    /** {@code 64 x 224 x 224} (channels x height x width). */
    @Override
    public String toString() {
        return describe(channels, height, width);
    }

    private static String describe(int c, int h, int w) {
        return c + " x " + h + " x " + w;
    }
}
