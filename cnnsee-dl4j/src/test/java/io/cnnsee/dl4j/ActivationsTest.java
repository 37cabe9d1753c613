package io.cnnsee.dl4j;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Channels-last activations come out channel-major, value for value, for any number of positions. */
class ActivationsTest {

    static {
        NativeBuild.select();
    }

    @Test
    void eachPicturesValuesAreTransposedToChannelMajor() {
        int n = 3;
        int h = 5;
        int w = 7; // 35 positions: two whole blocks of 16 and a part
        int c = 6;
        float[] values = new float[n * h * w * c];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 7;
        }
        try (INDArray activation = Nd4j.create(values, new long[] {n, h, w, c}, 'c')) {
            for (int picture = 0; picture < n; picture++) {
                float[] target = new float[h * w * c];
                Activations.copyChannelMajor(activation, picture, target);
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            assertThat(target[(ch * h + y) * w + x]).as("picture %d, channel %d, (%d, %d)", picture, ch, y, x)
                                    .isEqualTo(values[((picture * h + y) * w + x) * c + ch]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void denseOutputsAreCopiedAsTheyAre() {
        try (INDArray dense = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, 'c')) {
            float[] second = new float[3];
            Activations.copyChannelMajor(dense, 1, second);
            assertThat(second).containsExactly(4, 5, 6);
            assertThatThrownBy(() -> Activations.copyChannelMajor(dense, 0, new float[4]))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Activation of shape [2, 3] does not fit 4 values per picture");
        }
    }
}
