package io.cnnsee.render;

import io.cnnsee.Channel;
import io.cnnsee.FeatureMap;
import io.cnnsee.Maps;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class NormalizationTest {

    private static final FeatureMap MAP = Maps.of("t", 1, 3,
            new float[] {-1, 0, 3},
            new float[] {10, 20, 30},
            new float[] {7, 7, 7});

    @Test
    void perChannelUsesEachChannelsOwnExtremes() {
        assertThat(Normalization.perChannel().ranges(MAP.channels())).containsExactly(
                new ValueRange(-1, 3), new ValueRange(10, 30), new ValueRange(7, 7));
    }

    @Test
    void sharedRangeSpansTheWholeGrid() {
        assertThat(Normalization.sharedRange().ranges(MAP.channels()))
                .containsExactly(new ValueRange(-1, 30), new ValueRange(-1, 30), new ValueRange(-1, 30));
    }

    @Test
    void percentilesMatchNumpysLinearInterpolation() {
        // numpy.percentile(a, [1, 99]) = -5.42, 35.42 and [10, 90] = -0.2, 29.4 for these 30 values.
        float[] a = {0, -4, -6, 9, 11, 15, 36, 7, 17, 7, 21, 0, 33, 16, 1, 3, 29, 20, 28, 23, 20, 34, -2, 1, 21, 28, 0, 26, 2, 17};
        List<Channel> one = Maps.of("p", 5, 6, a).channels();

        ValueRange r1 = Normalization.percentile(1, 99).ranges(one).get(0);
        assertThat(r1.low()).isCloseTo(-5.42, within(1e-9));
        assertThat(r1.high()).isCloseTo(35.42, within(1e-9));
        ValueRange r10 = Normalization.percentile(10, 90).ranges(one).get(0);
        assertThat(r10.low()).isCloseTo(-0.2, within(1e-9));
        assertThat(r10.high()).isCloseTo(29.4, within(1e-9));
    }

    @Test
    void valuesAreScaledAndClampedAndConstantOrNaNGiveZero() {
        ValueRange r = new ValueRange(-1, 3);
        assertThat(r.normalize(-1)).isZero();
        assertThat(r.normalize(1)).isEqualTo(0.5);
        assertThat(r.normalize(3)).isEqualTo(1);
        assertThat(r.normalize(-7)).isZero();
        assertThat(r.normalize(9)).isEqualTo(1);
        assertThat(r.normalize(Double.NaN)).isZero();
        assertThat(new ValueRange(7, 7).normalize(7)).isZero();
    }

    @Test
    void nanAndInfinityNeverSetARange() {
        FeatureMap odd = Maps.of("odd", 1, 4,
                new float[] {Float.NaN, 2, Float.POSITIVE_INFINITY, -2},
                new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN});
        assertThat(Normalization.perChannel().ranges(odd.channels()))
                .containsExactly(new ValueRange(-2, 2), new ValueRange(0, 0));
        assertThat(Normalization.percentile(0, 100).ranges(odd.channels()))
                .containsExactly(new ValueRange(-2, 2), new ValueRange(0, 0));
    }

    /**
     * Channels of every kind of value, long enough for the scan's fast path: the extremes are
     * those of the finite values, as a plain filter-and-compare over them gives.
     */
    @Test
    void extremesAreThoseOfTheFiniteValues() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        float[][] channels = new float[6][37 * 41];
        for (float[] c : channels) {
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) random.nextGaussian();
            }
        }
        channels[1][100] = Float.NEGATIVE_INFINITY;
        channels[2][7] = Float.POSITIVE_INFINITY;
        channels[2][1000] = Float.NaN;
        channels[3][0] = Float.NaN;
        java.util.Arrays.fill(channels[4], Float.NEGATIVE_INFINITY);
        channels[4][5] = 0.25f;
        java.util.Arrays.fill(channels[5], Float.POSITIVE_INFINITY);
        channels[5][9] = Float.NEGATIVE_INFINITY;
        FeatureMap map = Maps.of("mixed", 37, 41, channels);
        List<ValueRange> expected = new java.util.ArrayList<>();
        for (float[] c : channels) {
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (float v : c) {
                if (!Float.isNaN(v) && !Float.isInfinite(v)) {
                    low = Math.min(low, v);
                    high = Math.max(high, v);
                }
            }
            expected.add(low <= high ? new ValueRange(low, high) : new ValueRange(0, 0));
        }
        assertThat(expected.get(4)).isEqualTo(new ValueRange(0.25, 0.25));
        assertThat(expected.get(5)).isEqualTo(new ValueRange(0, 0));
        assertThat(Normalization.perChannel().ranges(map.channels())).containsExactlyElementsOf(expected);
    }

    @Test
    void badSettingsAndNamesAreRefused() {
        assertThatThrownBy(() -> Normalization.percentile(99, 1))
                .hasMessage("Percentile clipping needs 0 <= low < high <= 100, was 99.0 to 1.0");
        assertThatThrownBy(() -> Normalization.named("log"))
                .hasMessage("Unknown normalization 'log': choose one of [channel, grid, percentile]");
        assertThat(Normalization.named("percentile")).hasToString("percentile clipping 1-99 %");
        assertThat(Normalization.named("GRID")).isSameAs(Normalization.sharedRange());
    }
}
