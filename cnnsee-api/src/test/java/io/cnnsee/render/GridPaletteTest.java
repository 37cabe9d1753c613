package io.cnnsee.render;

import io.cnnsee.FeatureMap;
import io.cnnsee.Maps;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Grids are held as palette pictures where their colours fit in one, with the same pixels as
 * in RGB; where they do not (captions, 257 colours), as RGB.
 */
class GridPaletteTest {

    private static final int WHITE = 0xFFFFFF;
    private static final int PADDING = 2;

    /** A 16 x 16 channel of the values 0 to 255: per-channel min-max gives pixel e entry e. */
    private static float[] everyEntry() {
        float[] v = new float[256];
        for (int e = 0; e < 256; e++) {
            v[e] = e;
        }
        return v;
    }

    /** Two tiles in a row with the default padding: the tiles' pixels and the white around them. */
    private static void assertEveryEntryDrawn(Grid grid, Colormap colormap, BufferedImage picture) {
        assertThat(picture.getWidth()).isEqualTo(2 * 16 + 3 * PADDING);
        assertThat(picture.getHeight()).isEqualTo(16 + 2 * PADDING);
        for (int y = 0; y < picture.getHeight(); y++) {
            for (int x = 0; x < picture.getWidth(); x++) {
                int tx = x - PADDING;
                int tile = tx / (16 + PADDING);
                int inX = tx - tile * (16 + PADDING);
                int inY = y - PADDING;
                boolean inTile = tx >= 0 && tile < 2 && inX < 16 && inY >= 0 && inY < 16;
                int expected = inTile ? colormap.rgb(inY * 16 + inX) : WHITE;
                assertThat(picture.getRGB(x, y) & 0xFFFFFF).as("%s pixel (%d, %d)", colormap.name(), x, y).isEqualTo(expected);
                assertThat(grid.rgb(x, y)).isEqualTo(expected);
            }
        }
    }

    private static int distinctColours(Colormap colormap) {
        Set<Integer> colours = new HashSet<>();
        for (int e = 0; e < Colormap.SIZE; e++) {
            colours.add(colormap.rgb(e));
        }
        return colours.size();
    }

    @Test
    void everyColormapWithEveryEntryUsedDrawsTheSamePixelsInWhicheverKind() {
        FeatureMap map = Maps.of("t", 16, 16, everyEntry(), everyEntry());
        for (Colormap colormap : Colormap.builtIns()) {
            Grid grid = GridRenderer.builder().colormap(colormap).build().render(map.channels());

            assertEveryEntryDrawn(grid, colormap, grid.image());
            // Viridis rounds to 254 colours and gray has white among its 232: with the background they fit
            // in 256. The others have 256 colours of their own, all used here, white not among them.
            boolean fits = distinctColours(colormap) < Colormap.SIZE || colormap == Colormap.GRAY;
            assertThat(grid.indexedImage().isPresent()).as(colormap.name()).isEqualTo(fits);
            grid.indexedImage().ifPresent(indexed -> {
                assertThat(indexed.getType()).isEqualTo(BufferedImage.TYPE_BYTE_INDEXED);
                assertThat(((IndexColorModel) indexed.getColorModel()).getMapSize()).isEqualTo(256);
                assertEveryEntryDrawn(grid, colormap, indexed);
            });
        }
        assertThat(distinctColours(Colormap.VIRIDIS)).isEqualTo(254);
        assertThat(distinctColours(Colormap.MAGMA)).isEqualTo(256);
    }

    /** The palette index of pixel ({@code x}, {@code y}). */
    private static int index(BufferedImage indexed, int x, int y) {
        return indexed.getRaster().getSample(x, y, 0);
    }

    @Test
    void aColormapOf256ColoursGivesTheBackgroundThePlaceOfOneNoTileUses() {
        // Left half 0, right half 1: only magma's first and last entries are used.
        float[] halves = new float[16];
        for (int y = 0; y < 4; y++) {
            halves[y * 4 + 2] = 1;
            halves[y * 4 + 3] = 1;
        }
        Grid grid = GridRenderer.builder().colormap(Colormap.MAGMA).build().render(Maps.of("t", 4, 4, halves).channels());

        BufferedImage indexed = grid.indexedImage().orElseThrow();
        assertThat(indexed.getRGB(0, 0) & 0xFFFFFF).isEqualTo(WHITE);
        assertThat(index(indexed, 0, 0)).isNotIn(index(indexed, PADDING, PADDING), index(indexed, PADDING + 3, PADDING));
        for (int y = 0; y < grid.height(); y++) {
            for (int x = 0; x < grid.width(); x++) {
                boolean tile = x >= PADDING && x < PADDING + 4 && y >= PADDING && y < PADDING + 4;
                int expected = !tile ? WHITE : x < PADDING + 2 ? Colormap.MAGMA.rgb(0) : Colormap.MAGMA.rgb(255);
                assertThat(indexed.getRGB(x, y) & 0xFFFFFF).as("pixel (%d, %d)", x, y).isEqualTo(expected);
                assertThat(grid.rgb(x, y)).isEqualTo(expected);
            }
        }
    }

    @Test
    void theBackgroundSharesTheIndexOfItsColourInTheColormapOrComesAfterItsColours() {
        FeatureMap map = Maps.of("t", 16, 16, everyEntry());

        BufferedImage gray = GridRenderer.builder().colormap(Colormap.GRAY).build().render(map.channels()).indexedImage().orElseThrow();
        // Gray's last entry is white: the padding is that entry's index, not one of its own.
        assertThat(index(gray, 0, 0)).isEqualTo(index(gray, PADDING + 15, PADDING + 15));

        BufferedImage viridis = GridRenderer.builder().background(0x123456).build().render(map.channels()).indexedImage().orElseThrow();
        assertThat(index(viridis, 0, 0)).isEqualTo(254);
        assertThat(viridis.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0x123456);
    }

    @Test
    void captionsKeepTheGridRgb() {
        FeatureMap map = Maps.of("t", 16, 16, everyEntry());
        Grid grid = GridRenderer.builder().captions(true).build().render(map.channels(), java.util.List.of("#0"));

        assertThat(grid.indexedImage()).isEmpty();
        assertThat(grid.rgb(PADDING + 15, PADDING + 15)).isEqualTo(Colormap.VIRIDIS.rgb(255));
    }

    @Test
    void theIndexedImageGivenOutIsACopy() {
        Grid grid = GridRenderer.defaults().render(Maps.of("t", 16, 16, everyEntry()).channels());
        int before = grid.rgb(PADDING, PADDING);

        BufferedImage copy = grid.indexedImage().orElseThrow();
        copy.getRaster().setSample(PADDING, PADDING, 0, 200);

        assertThat(grid.rgb(PADDING, PADDING)).isEqualTo(before).isEqualTo(Colormap.VIRIDIS.rgb(0));
        assertThat(grid.indexedImage().orElseThrow().getRGB(PADDING, PADDING) & 0xFFFFFF).isEqualTo(before);
    }
}
