package io.cnnsee;

/** Hand-made feature maps for tests. */
public final class Maps {

    private Maps() {
    }

    /** A map of tap {@code layer} whose channel {@code c} holds {@code channels[c]}, row-major. */
    public static FeatureMap of(String layer, int height, int width, float[]... channels) {
        float[] all = new float[channels.length * height * width];
        for (int c = 0; c < channels.length; c++) {
            if (channels[c].length != height * width) {
                throw new IllegalArgumentException("channel " + c + " has " + channels[c].length + " values");
            }
            System.arraycopy(channels[c], 0, all, c * height * width, height * width);
        }
        return FeatureMap.copyOf(Tap.of(layer, new MapShape(channels.length, height, width)), all);
    }
}
