package io.cnnsee;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * FullGrad on values worked out by hand: a 1 x 4 x 4 input of ones whose gradient is 4 at (1, 1),
 * and one layer of 2 x 2 with biases 1 and -2 whose gradients are 1 at (0, 0) in channel 0 and
 * 1.5 at (1, 1) in channel 1. Resizing 2 to 4 with pixel centres aligned weighs the first value
 * by a = (1, .75, .25, 0) along each axis; with the corners aligned, by (1, 2/3, 1/3, 0).
 */
class FullGradTest {

    static final MapShape INPUT = new MapShape(1, 4, 4);

    static FullGradient gradient() {
        float[] x = new float[16];
        java.util.Arrays.fill(x, 1f);
        float[] dx = new float[16];
        dx[5] = 4f;
        Tap in = Tap.of("input", INPUT);
        Tap layer = Tap.of("conv", new MapShape(2, 2, 2));
        float[] g = {1, 0, 0, 0, 0, 0, 0, 1.5f};
        return new FullGradient(3, 2.5f, 0.6f, FeatureMap.copyOf(in, x), FeatureMap.copyOf(in, dx),
                List.of(new FullGradient.Bias(new float[] {1, -2}, FeatureMap.copyOf(layer, g))));
    }

    /** pytorch-grad-cam: the input's 1 at (1, 1), channel 0's a(y) a(x), channel 1's b(y) b(x), each scaled alone. */
    @Test
    void eachChannelIsScaledOnItsOwnThenResizedWithPixelCentresAligned() {
        double[] a = {1, .75, .25, 0};
        double[] b = {0, .25, .75, 1};
        SaliencyMap map = FullGrad.of(gradient());
        double[] expected = new double[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                expected[y * 4 + x] = (y == 1 && x == 1 ? 1 : 0) + a[y] * a[x] + b[y] * b[x];
            }
        }
        assertScaled(map.map(), expected, 1.625);
        assertThat(map.method()).isEqualTo("FullGrad");
        assertThat(map.objective()).isEqualTo(Objective.classLogit(3));
        assertThat(map.shape()).isEqualTo(INPUT);
        float[] attributions = new float[16];
        attributions[5] = 4f;
        assertThat(map.attributions()).containsExactly(attributions);
    }

    /** The authors' code: the layer's |b g| scaled together, 1 and 3 becoming 1/3 and 1, corners aligned. */
    @Test
    void thePapersFormScalesEachLayerTogetherAndAlignsTheCorners() {
        double[] a = {1, 2.0 / 3, 1.0 / 3, 0};
        double[] b = {0, 1.0 / 3, 2.0 / 3, 1};
        SaliencyMap map = FullGrad.paper(gradient());
        double[] expected = new double[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                expected[y * 4 + x] = (y == 1 && x == 1 ? 1 : 0) + a[y] * a[x] / 3 + b[y] * b[x];
            }
        }
        assertScaled(map.map(), expected, 1 + 4.0 / 27 + 1.0 / 9);
        assertThat(map.method()).isEqualTo("FullGrad (paper)");
    }

    /** A bias whose gradient is the same everywhere says nothing about where: it adds nothing, as in pytorch-grad-cam. */
    @Test
    void aConstantTermAddsNothing() {
        FullGradient g = gradient();
        Tap flat = Tap.of("mix", new MapShape(1, 2, 2));
        FullGradient withConstant = new FullGradient(g.classIndex(), g.score(), g.probability(), g.input(), g.inputGradient(),
                List.of(g.biases().get(0), new FullGradient.Bias(new float[] {0.1f}, FeatureMap.copyOf(flat, new float[] {2, 2, 2, 2}))));
        assertThat(FullGrad.of(withConstant).map()).containsExactly(FullGrad.of(g).map());
    }

    @Test
    void aBiasPerChannelIsRequired() {
        Tap layer = Tap.of("conv", new MapShape(2, 2, 2));
        assertThatThrownBy(() -> new FullGradient.Bias(new float[] {1}, FeatureMap.copyOf(layer, new float[8])))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("conv has 2 channels but 1 biases");
    }

    private static void assertScaled(float[] actual, double[] expected, double max) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("pixel (" + i / 4 + ", " + i % 4 + ")").isCloseTo(expected[i] / max, within(1e-6));
        }
    }
}
