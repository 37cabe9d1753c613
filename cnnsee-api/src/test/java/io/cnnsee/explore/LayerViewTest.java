package io.cnnsee.explore;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMap;
import io.cnnsee.MapShape;
import io.cnnsee.Tap;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** A layer as the explorer sends it: statistics, every ranker's scores, and the levels picture, against values set by hand. */
class LayerViewTest {

    /** Channel c of 3 x 6 x 6 holds c * 100 + y * 6 + x, so every mean and level is known. */
    private static FeatureMap ramp() {
        float[] v = new float[3 * 36];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 36; i++) {
                v[c * 36 + i] = c * 100 + i;
            }
        }
        v[2 * 36 + 5] = Float.NaN; // channel 2, y 0, x 5: left out of statistics and levels
        return FeatureMap.copyOf(Tap.of("ramp", new MapShape(3, 6, 6)), v);
    }

    private static BufferedImage levels(LayerView view) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(view.levelsPng()));
    }

    @Test
    void fullResolutionLevelsRunFromEachChannelsMinimumToItsMaximum() throws Exception {
        LayerView view = LayerView.of(ramp(), ChannelRanker.builtIns());
        assertThat(view.columns()).isEqualTo(2);
        BufferedImage levels = levels(view);
        assertThat(levels.getWidth()).isEqualTo(12);
        assertThat(levels.getHeight()).isEqualTo(12);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 36; i++) {
                int x = (c % 2) * 6 + i % 6;
                int y = (c / 2) * 6 + i / 6;
                int expected = c == 2 && i == 5 ? 0 : (int) Math.round(i * 255.0 / 35);
                assertThat(levels.getRaster().getSample(x, y, 0)).as("channel %d value %d", c, i).isEqualTo(expected);
            }
        }
        assertThat(view.min(1)).isEqualTo(100f);
        assertThat(view.max(1)).isEqualTo(135f);
        assertThat(view.scores("sum")).containsExactly(new double[] {630, 100 * 36 + 630, Double.NaN}, within(1e-9));
        // As ChannelRanker.MAX scores it: its NaN ranks the channel last.
        assertThat(view.scores("max")).containsExactly(new double[] {35, 135, Double.NaN}, within(1e-9));
        assertThat(view.max(2)).isEqualTo(235f);
        assertThat(view.scores("no such ranker")).isNull();
    }

    @Test
    void smallerTilesAverageBlocksOfPixels() throws Exception {
        // At most 3 pixels a side: blocks of 2 x 2, each the mean of its four values.
        LayerView view = LayerView.of(ramp(), List.of(ChannelRanker.MEAN), 3);
        BufferedImage levels = levels(view);
        assertThat(levels.getWidth()).isEqualTo(6);
        assertThat(levels.getHeight()).isEqualTo(6);
        for (int ty = 0; ty < 3; ty++) {
            for (int tx = 0; tx < 3; tx++) {
                double mean = (2 * ty * 6 + 2 * tx) + 3.5; // of i, i + 1, i + 6, i + 7
                assertThat(levels.getRaster().getSample(tx, ty, 0)).isEqualTo((int) Math.round(mean * 255 / 35));
            }
        }
        // Channel 2's block holding the NaN averages the other three: (4 + 10 + 11) / 3.
        assertThat(levels.getRaster().getSample(2, 3, 0)).isEqualTo((int) Math.round((4 + 10 + 11) / 3.0 * 255 / 35));
        String json = view.json(4);
        assertThat(json).startsWith("{\"index\":4,\"name\":\"ramp\",\"displayName\":\"ramp\",\"channels\":3,\"height\":6,\"width\":6,"
                + "\"columns\":2,\"tileHeight\":3,\"tileWidth\":3,\"factor\":2,\"min\":[0,100,200],\"max\":[35,135,235]");
        assertThat(json).contains("\"scores\":{\"mean\":[17.5,117.5,null]}");
        assertThat(view.json(4)).isSameAs(json);
    }

    @Test
    void oddSidesKeepTheirLastPartialBlock() throws Exception {
        FeatureMap map = FeatureMap.copyOf(Tap.of("odd", new MapShape(1, 5, 5)), new float[] {
                0, 0, 0, 0, 10,
                0, 0, 0, 0, 10,
                0, 0, 0, 0, 10,
                0, 0, 0, 0, 10,
                20, 20, 20, 20, 20});
        LayerView view = LayerView.of(map, List.of(ChannelRanker.SUM), 3);
        BufferedImage levels = levels(view);
        assertThat(levels.getWidth()).isEqualTo(3);
        assertThat(levels.getRaster().getSample(2, 0, 0)).isEqualTo((int) Math.round(10 * 255.0 / 20)); // x 4, y 0 and 1
        assertThat(levels.getRaster().getSample(2, 2, 0)).isEqualTo(255);                                 // x 4, y 4
        assertThat(levels.getRaster().getSample(0, 2, 0)).isEqualTo(255);                                 // x 0 and 1, y 4
    }

    @Test
    void aConstantChannelIsLevelZeroAndRankersNeedDistinctNames() throws Exception {
        FeatureMap flat = FeatureMap.copyOf(Tap.of("flat", new MapShape(1, 2, 2)), new float[] {3, 3, 3, 3});
        assertThat(levels(LayerView.of(flat, List.of())).getRaster().getSample(1, 1, 0)).isZero();
        assertThatThrownBy(() -> LayerView.of(flat, List.of(ChannelRanker.SUM, ChannelRanker.named("sum", c -> 1))))
                .hasMessage("The explorer's rankers need distinct names, got [sum, sum]");
        assertThatThrownBy(() -> LayerView.of(flat, List.of(), 0)).hasMessage("Tiles need at least 1 pixel a side, was 0");
    }

    @Test
    void jsonEscapesWhatWouldEndAScriptAndWritesNonFiniteAsNull() {
        String json = new Json().object().name("a</script>").value("say \"hi\"\n\\").name("n")
                .values(new double[] {1.0, Double.NaN, Double.POSITIVE_INFINITY, 2.5e-7}).end().toString();
        assertThat(json).isEqualTo("{\"a\\u003c/script\\u003e\":\"say \\\"hi\\\"\\n\\\\\",\"n\":[1,null,null,2.5E-7]}");
    }
}
