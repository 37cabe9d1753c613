package io.cnnsee.render;

import io.cnnsee.Channel;
import io.cnnsee.FeatureMap;
import io.cnnsee.RankedChannel;
import io.cnnsee.Ranking;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Renders channels as a grid of coloured tiles. Immutable and thread-safe; make one with
 * {@link #builder()} or take {@link #defaults()}.
 *
 * <p>Tiles keep the map's resolution unless {@link Builder#tileWidth(int)} scales them
 * (nearest neighbour, so activations stay crisp squares). Tiles run left to right, then top to
 * bottom, in the order the channels are given.
 */
public final class GridRenderer {

    /** Default gap between tiles and around the grid, in pixels. */
    public static final int DEFAULT_PADDING = 2;
    /** Default background: white, like a page. */
    public static final int DEFAULT_BACKGROUND = 0xFFFFFF;

    private static final GridRenderer DEFAULTS = builder().build();
    private static final int CAPTION_FONT_SIZE = 11;

    private final Colormap colormap;
    private final Normalization normalization;
    private final int columns;
    private final int padding;
    private final int background;
    private final int tileWidth;
    private final boolean captions;

    private GridRenderer(Builder b) {
        this.colormap = b.colormap;
        this.normalization = b.normalization;
        this.columns = b.columns;
        this.padding = b.padding;
        this.background = b.background;
        this.tileWidth = b.tileWidth;
        this.captions = b.captions;
    }

    /** Viridis, per-channel min-max, automatic columns, 2 px white padding, no captions. */
    public static GridRenderer defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this renderer's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.colormap = colormap;
        b.normalization = normalization;
        b.columns = columns;
        b.padding = padding;
        b.background = background;
        b.tileWidth = tileWidth;
        b.captions = captions;
        return b;
    }

    public Colormap colormap() {
        return colormap;
    }

    public Normalization normalization() {
        return normalization;
    }

    public boolean captions() {
        return captions;
    }

    /**
     * Columns chosen for {@code n} tiles when none are set: about three times as wide as high,
     * e.g. 12 tiles in 2 rows of 6.
     */
    public static int defaultColumns(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("A grid needs at least 1 tile, was " + n);
        }
        return Math.min(n, (int) Math.ceil(Math.sqrt(3.0 * n)));
    }

    /** Renders the ranked channels of {@code map}, captioned with index and score if captions are on. */
    public Grid render(FeatureMap map, Ranking ranking) {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(ranking, "ranking");
        if (!ranking.tap().equals(map.tap())) {
            throw new IllegalArgumentException("The ranking is of tap " + ranking.tap().layerName()
                    + " but the feature map is of tap " + map.tap().layerName());
        }
        List<Channel> channels = new ArrayList<>(ranking.size());
        List<String> labels = new ArrayList<>(ranking.size());
        for (RankedChannel r : ranking.channels()) {
            channels.add(map.channel(r.channel()));
            labels.add(caption(r));
        }
        return render(channels, labels);
    }

    /** Renders {@code channels} without captions. */
    public Grid render(List<Channel> channels) {
        return render(channels, null);
    }

    /**
     * Renders {@code channels}; {@code labels} (one per channel, or null) are drawn under the
     * tiles when captions are on.
     *
     * @throws IllegalArgumentException if there are no channels, they differ in size, or the
     *                                  labels do not match them one to one
     */
    public Grid render(List<Channel> channels, List<String> labels) {
        Objects.requireNonNull(channels, "channels");
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("Nothing to render: the list of channels is empty");
        }
        if (labels != null && labels.size() != channels.size()) {
            throw new IllegalArgumentException(labels.size() + " captions given for " + channels.size() + " channels");
        }
        int mapW = channels.get(0).width();
        int mapH = channels.get(0).height();
        for (Channel c : channels) {
            if (c.width() != mapW || c.height() != mapH) {
                throw new IllegalArgumentException("All channels of a grid must have one size: " + mapH + " x " + mapW
                        + " and " + c.height() + " x " + c.width() + " (" + c.tap().layerName() + ") differ");
            }
        }
        int n = channels.size();
        int cols = columns > 0 ? Math.min(columns, n) : defaultColumns(n);
        int rows = (n + cols - 1) / cols;
        int tw = tileWidth > 0 ? tileWidth : mapW;
        int th = tileWidth > 0 ? Math.max(1, (int) Math.round((double) tileWidth * mapH / mapW)) : mapH;
        boolean drawCaptions = captions && labels != null;
        int captionH = drawCaptions ? CAPTION_FONT_SIZE + 5 : 0;
        int width = cols * tw + (cols + 1) * padding;
        int height = rows * (th + captionH) + (rows + 1) * padding;

        List<ValueRange> ranges = normalization.ranges(channels);
        if (ranges.size() != n) {
            throw new IllegalStateException("Normalization " + normalization.name() + " gave " + ranges.size()
                    + " ranges for " + n + " channels");
        }
        // Tiles are drawn as palette indices: the colormap's distinct colours (viridis has 254), then
        // the background where it is not one of them and there is room for it.
        int[] colours = colormap.palette();
        byte[] indexOf = colormap.paletteIndices();
        int slot = drawCaptions ? -1 : backgroundSlot(colours);
        byte[] pixels = new byte[width * height];
        if (slot >= 0) {
            Arrays.fill(pixels, (byte) slot);
        }
        int[] srcX = nearest(tw, mapW);
        int[] srcY = nearest(th, mapH);
        List<Tile> tiles = new ArrayList<>(n);
        float[] values = new float[mapW * mapH];
        for (int i = 0; i < n; i++) {
            Channel channel = channels.get(i);
            channel.copyTo(values, 0);
            ValueRange range = ranges.get(i);
            int x0 = padding + (i % cols) * (tw + padding);
            int y0 = padding + (i / cols) * (th + captionH + padding);
            double low = range.low();
            double span = range.high() - low;
            for (int y = 0; y < th; y++) {
                int row = (y0 + y) * width + x0;
                int srcRow = srcY[y] * mapW;
                if (!(span > 0)) {
                    Arrays.fill(pixels, row, row + tw, indexOf[0]); // a constant channel: one flat colour
                } else if (tw == mapW) {
                    // Not scaled (the default): read straight along the row, no index table.
                    for (int x = 0; x < tw; x++) {
                        pixels[row + x] = indexOf[entry(values[srcRow + x], low, span)];
                    }
                } else {
                    for (int x = 0; x < tw; x++) {
                        pixels[row + x] = indexOf[entry(values[srcRow + srcX[x]], low, span)];
                    }
                }
            }
            tiles.add(new Tile(channel.index(), x0, y0, tw, th));
        }
        if (slot < 0 && !drawCaptions) {
            // 256 colours in the colormap, none the background's: it takes the place of one no tile uses.
            boolean[] used = used(pixels, tiles, width);
            for (int u = colours.length - 1; u >= 0 && slot < 0; u--) {
                if (!used[u]) {
                    slot = u;
                    pixels = withBackground(pixels, tiles, width, (byte) u);
                }
            }
        }
        BufferedImage image = slot >= 0
                ? indexed(pixels, width, height, colours, slot)
                : rgb(pixels, tiles, width, height, colours);
        if (drawCaptions) {
            drawCaptions(image, tiles, labels, th);
        }
        return new Grid(image, rows, cols, tiles);
    }

    /**
     * The palette index of the background, known before any tile is drawn: its colour's index if
     * the colormap has it, the index after the colormap's colours if there is room; -1 if neither.
     */
    private int backgroundSlot(int[] colours) {
        for (int i = 0; i < colours.length; i++) {
            if (colours[i] == background) {
                return i;
            }
        }
        return colours.length < Colormap.SIZE ? colours.length : -1;
    }

    /** Which palette indices the tiles use (not tracked while drawing: most grids never need it, 0.5 ms for block 1). */
    private static boolean[] used(byte[] pixels, List<Tile> tiles, int width) {
        boolean[] used = new boolean[Colormap.SIZE];
        for (Tile t : tiles) {
            for (int y = t.y(); y < t.y() + t.height(); y++) {
                for (int x = y * width + t.x(), end = x + t.width(); x < end; x++) {
                    used[pixels[x] & 0xFF] = true;
                }
            }
        }
        return used;
    }

    /** A copy of {@code pixels} with the tiles as they are and everything around them {@code slot}. */
    private static byte[] withBackground(byte[] pixels, List<Tile> tiles, int width, byte slot) {
        byte[] out = new byte[pixels.length];
        Arrays.fill(out, slot);
        for (Tile t : tiles) {
            for (int y = t.y(); y < t.y() + t.height(); y++) {
                System.arraycopy(pixels, y * width + t.x(), out, y * width + t.x(), t.width());
            }
        }
        return out;
    }

    /**
     * The grid as an 8-bit palette picture: the colormap's colours, the background at {@code slot}.
     * A third of the bytes of the RGB picture, so the report's PNG writer encodes it in about a
     * third of the time (docs/performance.md).
     */
    private BufferedImage indexed(byte[] pixels, int width, int height, int[] colours, int slot) {
        int[] palette = Arrays.copyOf(colours, Colormap.SIZE); // a full palette, the indices past the colours unused
        palette[slot] = background;
        IndexColorModel model = new IndexColorModel(8, palette.length, palette, 0, false, -1, DataBuffer.TYPE_BYTE);
        return Grid.paletteImage(model, pixels, width, height);
    }

    /** The grid as an RGB picture: for captions, or a grid whose colours do not fit in a palette. */
    private BufferedImage rgb(byte[] pixels, List<Tile> tiles, int width, int height, int[] colours) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        Arrays.fill(out, background);
        for (Tile t : tiles) {
            for (int y = t.y(); y < t.y() + t.height(); y++) {
                for (int x = y * width + t.x(), end = x + t.width(); x < end; x++) {
                    out[x] = colours[pixels[x] & 0xFF];
                }
            }
        }
        return image;
    }

    /**
     * The colormap entry of {@code v}: {@code colormap.colorOf(range.normalize(v))} written out,
     * as the loops that call it are most of rendering (4 times faster than through the calls):
     * floor(t * 256) clamped to 0..255, NaN to 0. The clamp is on the int (Java's cast gives 0 for
     * NaN), so there is no branch on the value, which ReLU's many zeros made a coin toss (block 1's
     * grid 3.7 -> 2.7 ms). {@code span} is above 0.
     */
    private static int entry(float v, double low, double span) {
        int entry = (int) ((v - low) / span * Colormap.SIZE);
        return Math.max(0, Math.min(entry, Colormap.SIZE - 1));
    }

    /** For each target pixel, the source pixel whose area holds its centre. */
    private static int[] nearest(int target, int source) {
        int[] index = new int[target];
        for (int i = 0; i < target; i++) {
            index[i] = (int) Math.min(source - 1, (2L * i + 1) * source / (2L * target));
        }
        return index;
    }

    private void drawCaptions(BufferedImage image, List<Tile> tiles, List<String> labels, int tileHeight) {
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, CAPTION_FONT_SIZE));
            int luminance = ((background >> 16 & 0xFF) * 299 + (background >> 8 & 0xFF) * 587 + (background & 0xFF) * 114) / 1000;
            g.setColor(luminance > 128 ? new Color(0x333333) : new Color(0xEEEEEE));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < tiles.size(); i++) {
                Tile t = tiles.get(i);
                g.setClip(t.x(), t.y() + tileHeight, t.width(), CAPTION_FONT_SIZE + 5);
                g.drawString(labels.get(i), t.x() + 1, t.y() + tileHeight + 2 + fm.getAscent());
            }
        } finally {
            g.dispose();
        }
    }

    /** {@code "#12  3.41e+04"}: the channel index and its score. */
    public static String caption(RankedChannel r) {
        return "#" + r.channel() + "  " + formatScore(r.score());
    }

    /** A score in a few significant digits, the same in every locale. */
    public static String formatScore(double score) {
        if (score == 0 || Double.isNaN(score) || Double.isInfinite(score)) {
            return score == 0 ? "0" : Double.toString(score);
        }
        double abs = Math.abs(score);
        return abs >= 0.01 && abs < 100_000
                ? String.format(Locale.ROOT, "%.4g", score)
                : String.format(Locale.ROOT, "%.3e", score);
    }

    /** Options of a {@link GridRenderer}. */
    public static final class Builder {
        private Colormap colormap = Colormap.VIRIDIS;
        private Normalization normalization = Normalization.perChannel();
        private int columns;
        private int padding = DEFAULT_PADDING;
        private int background = DEFAULT_BACKGROUND;
        private int tileWidth;
        private boolean captions;

        private Builder() {
        }

        public Builder colormap(Colormap colormap) {
            this.colormap = Objects.requireNonNull(colormap, "colormap");
            return this;
        }

        public Builder normalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** Columns of tiles; 0 chooses them from the number of tiles (the default). */
        public Builder columns(int columns) {
            if (columns < 0) {
                throw new IllegalArgumentException("Columns must be 0 (automatic) or more, was " + columns);
            }
            this.columns = columns;
            return this;
        }

        /** Pixels between tiles and around the grid; 0 or more. */
        public Builder padding(int padding) {
            if (padding < 0) {
                throw new IllegalArgumentException("Padding must be 0 or more pixels, was " + padding);
            }
            this.padding = padding;
            return this;
        }

        /** Background colour as {@code 0xRRGGBB}. */
        public Builder background(int rgb) {
            this.background = rgb & 0xFFFFFF;
            return this;
        }

        /**
         * Width of each tile in pixels, the height following the map's aspect; 0 keeps the map's
         * own resolution (the default).
         */
        public Builder tileWidth(int pixels) {
            if (pixels < 0) {
                throw new IllegalArgumentException("Tile width must be 0 (the map's own) or more pixels, was " + pixels);
            }
            this.tileWidth = pixels;
            return this;
        }

        /** Whether to draw each tile's channel index and score under it. */
        public Builder captions(boolean captions) {
            this.captions = captions;
            return this;
        }

        public GridRenderer build() {
            return new GridRenderer(this);
        }
    }
}
