package io.cnnsee;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FeatureMapTest {

    private static final Tap TAP = new Tap("block 1", "block1_conv2", new MapShape(2, 2, 3));

    @Test
    void holdsValuesInChannelRowColumnOrder() {
        float[] values = {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15};
        FeatureMap map = FeatureMap.copyOf(TAP, values);

        assertThat(map.channelCount()).isEqualTo(2);
        assertThat(map.height()).isEqualTo(2);
        assertThat(map.width()).isEqualTo(3);
        assertThat(map.get(0, 1, 2)).isEqualTo(5f);
        assertThat(map.get(1, 0, 1)).isEqualTo(11f);
        assertThat(map.channel(1).get(1, 0)).isEqualTo(13f);
        assertThat(map.channel(1).get(4)).isEqualTo(14f);
        assertThat(map.channel(1).toArray()).containsExactly(10, 11, 12, 13, 14, 15);
        assertThat(map.channels()).hasSize(2);
        assertThat(map.channel(1).tap()).isEqualTo(TAP);
    }

    @Test
    void isNotChangedByItsSourceOrItsCopies() {
        float[] values = new float[12];
        FeatureMap map = FeatureMap.copyOf(TAP, values);
        values[0] = 99;
        map.toArray()[1] = 99;
        map.channel(0).toArray()[2] = 99;

        assertThat(map.toArray()).containsOnly(0f);
    }

    @Test
    void fillWritesStraightIntoTheMapsOwnArray() {
        FeatureMap map = FeatureMap.fill(TAP, target -> {
            assertThat(target).hasSize(12);
            for (int i = 0; i < target.length; i++) {
                target[i] = i * 0.5f;
            }
        });
        assertThat(map.get(1, 1, 2)).isEqualTo(5.5f);
    }

    @Test
    void channelStatisticsMatchATwoPassComputation() {
        float[] values = {1, -2, 3, 0, 5, -6, 7, 8, 9, 10, 11, 12};
        ChannelStats stats = FeatureMap.copyOf(TAP, values).stats(0);

        double mean = (1 - 2 + 3 + 0 + 5 - 6) / 6.0;
        double variance = 0;
        for (int i = 0; i < 6; i++) {
            variance += (values[i] - mean) * (values[i] - mean) / 6;
        }
        assertThat(stats.count()).isEqualTo(6);
        assertThat(stats.sum()).isEqualTo(1.0);
        assertThat(stats.mean()).isCloseTo(mean, within(1e-12));
        assertThat(stats.min()).isEqualTo(-6f);
        assertThat(stats.max()).isEqualTo(5f);
        assertThat(stats.sumOfSquares()).isEqualTo(1 + 4 + 9 + 0 + 25 + 36);
        assertThat(stats.variance()).isCloseTo(variance, within(1e-12));
        assertThat(stats.l2()).isCloseTo(Math.sqrt(75), within(1e-12));
        assertThat(stats.activeFraction()).isEqualTo(3 / 6.0);
    }

    @Test
    void refusesValuesThatDoNotFitTheShape() {
        assertThatThrownBy(() -> FeatureMap.copyOf(TAP, new float[11]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Tap block1_conv2 has shape 2 x 2 x 3 = 12 values, but 11 values were given");
    }

    @Test
    void namesTheLayerAndShapeWhenAnIndexIsOutside() {
        FeatureMap map = FeatureMap.copyOf(TAP, new float[12]);
        assertThatThrownBy(() -> map.get(2, 0, 0))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("Index (2, 0, 0) is outside block1_conv2 of shape 2 x 2 x 3");
        assertThatThrownBy(() -> map.channel(-1))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("Channel -1 does not exist in block1_conv2, which has channels 0 to 1");
        assertThatThrownBy(() -> map.channel(0).get(6))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("channel 0 of block1_conv2, which has 6 values");
    }

    @Test
    void shapesMustHoldSomething() {
        assertThatThrownBy(() -> new MapShape(0, 224, 224))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0 x 224 x 224");
        assertThat(new MapShape(64, 224, 112).channelSize()).isEqualTo(224 * 112);
    }
}
