package io.cnnsee.render;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMap;
import io.cnnsee.MapShape;
import io.cnnsee.Maps;
import io.cnnsee.Ranking;
import io.cnnsee.Tap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GridRendererTest {

    private static final int FIRST = Colormap.VIRIDIS.rgb(0);   // 0x440154
    private static final int LAST = Colormap.VIRIDIS.rgb(255);  // 0xFDE724
    private static final int WHITE = 0xFFFFFF;

    /** A 4x4 channel whose left half is 0 and right half 1. */
    private static float[] halves() {
        float[] v = new float[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 2; x < 4; x++) {
                v[y * 4 + x] = 1;
            }
        }
        return v;
    }

    @Test
    void leftHalfZeroRightHalfOneRendersAsViridisFirstAndLastColour() {
        FeatureMap map = Maps.of("t", 4, 4, halves());
        Grid grid = GridRenderer.builder().padding(0).build().render(map.channels());

        assertThat(grid.width()).isEqualTo(4);
        assertThat(grid.height()).isEqualTo(4);
        assertThat(FIRST).isEqualTo(0x440154);
        assertThat(LAST).isEqualTo(0xFDE724);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(grid.rgb(x, y)).as("pixel %d,%d", x, y).isEqualTo(x < 2 ? FIRST : LAST);
            }
        }
    }

    @Test
    void twelveChannelsMakeTwoRowsOfSixWithPaddingAndTilesInRankOrder() {
        float[][] channels = new float[12][];
        for (int c = 0; c < 12; c++) {
            channels[c] = halves();
        }
        FeatureMap map = Maps.of("t", 4, 4, channels);
        Grid grid = GridRenderer.defaults().render(map.channels());

        assertThat(grid.columns()).isEqualTo(6);
        assertThat(grid.rows()).isEqualTo(2);
        assertThat(grid.width()).isEqualTo(6 * 4 + 7 * 2);
        assertThat(grid.height()).isEqualTo(2 * 4 + 3 * 2);
        assertThat(grid.tiles().get(7)).isEqualTo(new Tile(7, 2 + 6, 2 + 6, 4, 4));
        // Padding is background; the 8th tile (row 2, column 2) has its halves where expected.
        assertThat(grid.rgb(0, 0)).isEqualTo(WHITE);
        assertThat(grid.rgb(7, 8)).isEqualTo(WHITE);
        assertThat(grid.rgb(8, 8)).isEqualTo(FIRST);
        assertThat(grid.rgb(11, 11)).isEqualTo(LAST);
    }

    @Test
    void defaultColumnsAreAboutThreeTimesWiderThanHigh() {
        assertThat(GridRenderer.defaultColumns(1)).isEqualTo(1);
        assertThat(GridRenderer.defaultColumns(3)).isEqualTo(3);
        assertThat(GridRenderer.defaultColumns(12)).isEqualTo(6);
        assertThat(GridRenderer.defaultColumns(64)).isEqualTo(14);
    }

    @Test
    void aConstantChannelRendersAsOneFlatColour() {
        FeatureMap flat = Maps.of("t", 2, 2, new float[] {3, 3, 3, 3}, new float[] {Float.NaN, 1, 1, 1});
        Grid grid = GridRenderer.builder().padding(0).columns(2).colormap(Colormap.MAGMA).build().render(flat.channels());

        for (int x = 0; x < 4; x++) {
            for (int y = 0; y < 2; y++) {
                assertThat(grid.rgb(x, y)).isEqualTo(Colormap.MAGMA.rgb(0));
            }
        }
    }

    @Test
    void tileWidthScalesByNearestNeighbour() {
        FeatureMap map = Maps.of("t", 2, 2, new float[] {0, 1, 1, 0});
        Grid grid = GridRenderer.builder().padding(0).tileWidth(6).build().render(map.channels());

        assertThat(grid.width()).isEqualTo(6);
        assertThat(grid.height()).isEqualTo(6);
        assertThat(grid.rgb(2, 2)).isEqualTo(FIRST);
        assertThat(grid.rgb(3, 2)).isEqualTo(LAST);
        assertThat(grid.rgb(2, 3)).isEqualTo(LAST);
        assertThat(grid.rgb(5, 5)).isEqualTo(FIRST);
    }

    @Test
    void sharedRangeComparesTilesAndPercentileClipsHotPixels() {
        FeatureMap map = Maps.of("t", 1, 2, new float[] {0, 1}, new float[] {0, 2});
        Grid shared = GridRenderer.builder().padding(0).normalization(Normalization.sharedRange()).build()
                .render(map.channels());
        assertThat(shared.rgb(1, 0)).isEqualTo(Colormap.VIRIDIS.colorOf(0.5));
        assertThat(shared.rgb(3, 0)).isEqualTo(LAST);

        float[] hot = new float[100];
        hot[99] = 1000;
        hot[50] = 1;
        Grid clipped = GridRenderer.builder().padding(0).normalization(Normalization.percentile(0, 98))
                .build().render(Maps.of("h", 10, 10, hot).channels());
        assertThat(clipped.rgb(0, 5)).isEqualTo(LAST);   // 1 is above the 98th percentile (0.02)
        assertThat(clipped.rgb(9, 9)).isEqualTo(LAST);   // clipped
        assertThat(clipped.rgb(0, 0)).isEqualTo(FIRST);
    }

    @Test
    void rendersARankingInOrderWithCaptionsBelowTheTiles() {
        FeatureMap map = Maps.of("t", 4, 4, new float[16], halves(), new float[16]);
        Ranking ranking = ChannelRanker.SUM.top(map, 2);
        Grid grid = GridRenderer.builder().captions(true).build().render(map, ranking);

        assertThat(grid.tiles()).extracting(Tile::channel).containsExactly(1, 0);
        assertThat(grid.height()).isEqualTo(4 + 16 + 2 * 2);
        assertThat(grid.rgb(2 + 3, 2)).isEqualTo(LAST);
        // The caption strip holds text: some pixel below the first tile is no longer white.
        boolean inked = false;
        for (int y = 6; y < 22; y++) {
            for (int x = 2; x < 6; x++) {
                inked |= grid.rgb(x, y) != WHITE;
            }
        }
        assertThat(inked).isTrue();
        assertThat(GridRenderer.caption(ranking.channels().get(0))).isEqualTo("#1  8.000");
    }

    @Test
    void pngRoundTripsPixelForPixel(@TempDir Path dir) throws Exception {
        FeatureMap map = Maps.of("t", 4, 4, halves(), halves());
        Grid grid = GridRenderer.defaults().render(map.channels());
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(grid.toPng()));
        Path file = dir.resolve("sub/grid.png");
        grid.writePng(file);
        BufferedImage fromFile = ImageIO.read(file.toFile());

        for (int y = 0; y < grid.height(); y++) {
            for (int x = 0; x < grid.width(); x++) {
                assertThat(decoded.getRGB(x, y) & 0xFFFFFF).isEqualTo(grid.rgb(x, y));
                assertThat(fromFile.getRGB(x, y) & 0xFFFFFF).isEqualTo(grid.rgb(x, y));
            }
        }
        assertThat(dir.resolve("sub").toFile().list()).containsExactly("grid.png");
    }

    @Test
    void theImageGivenOutIsACopy() {
        Grid grid = GridRenderer.defaults().render(Maps.of("t", 4, 4, halves()).channels());
        grid.image().setRGB(2, 2, 0x123456);
        assertThat(grid.rgb(2, 2)).isEqualTo(FIRST);
    }

    @Test
    void badInputIsRefusedClearly() {
        FeatureMap small = Maps.of("a", 2, 2, new float[4]);
        FeatureMap big = FeatureMap.copyOf(Tap.of("b", new MapShape(1, 3, 3)), new float[9]);
        GridRenderer r = GridRenderer.defaults();
        assertThatThrownBy(() -> r.render(List.of()))
                .hasMessage("Nothing to render: the list of channels is empty");
        assertThatThrownBy(() -> r.render(List.of(small.channel(0), big.channel(0))))
                .hasMessage("All channels of a grid must have one size: 2 x 2 and 3 x 3 (b) differ");
        assertThatThrownBy(() -> r.render(big, ChannelRanker.SUM.rank(small)))
                .hasMessage("The ranking is of tap a but the feature map is of tap b");
        assertThatThrownBy(() -> GridRenderer.builder().padding(-1))
                .hasMessage("Padding must be 0 or more pixels, was -1");
    }
}
