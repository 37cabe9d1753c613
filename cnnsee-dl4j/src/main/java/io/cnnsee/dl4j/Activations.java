package io.cnnsee.dl4j;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Activations of the channels-last pass copied into cnnsee's channel-major feature maps: the one
 * copy of a tap's values that leaves the engine (docs/performance.md measures it).
 */
public final class Activations {

    /** Positions per block of {@link #copyChannelMajor}'s transpose: 16 floats make a 64-byte cache line. */
    private static final int BLOCK = 16;

    private Activations() {
    }

    /**
     * Copies picture {@code n} of {@code activation} into {@code target} in channel-major order
     * (c, y, x): straight from the native buffer, with no intermediate copy of the volume.
     *
     * @param activation {@code [pictures, h, w, c]} channels-last, or {@code [pictures, units]}
     * @throws IllegalStateException if picture {@code n} does not have {@code target.length} values
     */
    public static void copyChannelMajor(INDArray activation, int n, float[] target) {
        long perExample = activation.length() / activation.size(0);
        if (perExample != target.length || activation.ordering() != 'c' || activation.isView()) {
            throw new IllegalStateException("Activation of shape " + Arrays.toString(activation.shape())
                    + " does not fit " + target.length + " values per picture");
        }
        FloatBuffer all = activation.data().asNioFloat();
        int base = (int) (n * perExample);
        if (activation.rank() == 2) {
            all.get(base, target);
            return;
        }
        int channels = (int) activation.size(3);
        int positions = (int) (activation.size(1) * activation.size(2));
        // A blocked transpose: 16 positions' channels are read at once, then each channel's 16
        // values are written side by side, so writes fill whole cache lines instead of one float
        // of a new line each (40 ms for the five taps the simple way, mostly in block 1's 3.2 M).
        float[] block = new float[BLOCK * channels];
        for (int p0 = 0; p0 < positions; p0 += BLOCK) {
            int count = Math.min(BLOCK, positions - p0);
            all.get(base + p0 * channels, block, 0, count * channels);
            for (int c = 0; c < channels; c++) {
                int to = c * positions + p0;
                for (int j = 0; j < count; j++) {
                    target[to + j] = block[j * channels + c];
                }
            }
        }
    }
}
