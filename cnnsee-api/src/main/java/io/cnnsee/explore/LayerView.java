package io.cnnsee.explore;

import io.cnnsee.Channel;
import io.cnnsee.ChannelRanker;
import io.cnnsee.ChannelStats;
import io.cnnsee.FeatureMap;
import io.cnnsee.Tap;
import io.cnnsee.render.Png;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Everything the explorer shows of one layer for one picture, made once and then only read: each
 * channel's statistics, its score under every ranker (so the page re-sorts without asking), and
 * all channels as one grey picture of 8-bit levels, each channel scaled from its own finite minimum
 * (0) to its own finite maximum (255), averaged down to the tile size asked for. The page colours
 * the levels itself, which is why switching colormap or normalisation needs no request; the exact
 * values of one channel come separately (the exploration's map) when the page shows it large.
 */
public final class LayerView {

    private final Tap tap;
    private final int channels;
    private final int height;
    private final int width;
    private final int columns;
    /** Pixels of the layer averaged into one level, per side, so that a tile is at most the side asked for. */
    private final int factor;
    private final int tileHeight;
    private final int tileWidth;
    private final float[] min;
    private final float[] max;
    private final double[] mean;
    private final double[] std;
    private final double[] active;
    private final Map<String, double[]> scores;
    private final byte[] levelsPng;
    /** The last {@link #json(int)}: a layer keeps its index in an exploration, and 512 channels take milliseconds to write. */
    private volatile Written written;

    private record Written(int index, String json) {
    }

    private LayerView(FeatureMap map, List<ChannelRanker> rankers, int maxTileSide) {
        this.tap = map.tap();
        this.channels = map.channelCount();
        this.height = map.height();
        this.width = map.width();
        this.columns = columnsFor(channels);
        this.factor = (int) Math.max(1, (Math.max(height, width) + (long) maxTileSide - 1) / maxTileSide);
        this.tileHeight = (height + factor - 1) / factor;
        this.tileWidth = (width + factor - 1) / factor;
        this.min = new float[channels];
        this.max = new float[channels];
        this.mean = new double[channels];
        this.std = new double[channels];
        this.active = new double[channels];
        this.scores = new LinkedHashMap<>();
        for (ChannelRanker r : rankers) {
            scores.put(r.name(), new double[channels]);
        }
        int rows = (channels + columns - 1) / columns;
        byte[] grey = new byte[256];
        for (int i = 0; i < 256; i++) {
            grey[i] = (byte) i;
        }
        BufferedImage levels = new BufferedImage(columns * tileWidth, rows * tileHeight, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, grey, grey, grey));
        byte[] pixels = ((DataBufferByte) levels.getRaster().getDataBuffer()).getData();
        // Channels are apart: half of them on each core, which halves what the page waits for.
        IntStream.range(0, channels).parallel().forEach(c -> {
            Channel channel = map.channel(c);
            ChannelStats s = channel.stats();
            float[] values = channel.toArray();
            float lo = s.min();
            float hi = s.max();
            if (!Float.isFinite(lo) || !Float.isFinite(hi)) {
                // The range of the finite values: a NaN or an infinity must not make the whole channel one level.
                lo = Float.POSITIVE_INFINITY;
                hi = Float.NEGATIVE_INFINITY;
                for (float v : values) {
                    if (Float.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
            min[c] = lo <= hi ? lo : Float.NaN;
            max[c] = lo <= hi ? hi : Float.NaN;
            mean[c] = s.mean();
            std[c] = Math.sqrt(s.variance());
            active[c] = s.activeFraction();
            for (ChannelRanker r : rankers) {
                scores.get(r.name())[c] = score(r, channel, s);
            }
            tile(values, pixels, c);
        });
        this.levelsPng = Png.encode(levels);
    }

    /**
     * The view of {@code map}, scored by each of {@code rankers} (their names must differ).
     *
     * @throws IllegalArgumentException if two rankers share a name
     */
    public static LayerView of(FeatureMap map, List<ChannelRanker> rankers) {
        return of(map, rankers, Integer.MAX_VALUE);
    }

    /**
     * As {@link #of(FeatureMap, List)}, with levels averaged down so that a tile's longer side is
     * at most {@code maxTileSide}: what the page's small tiles need, a ninth of the bytes for
     * VGG16's first block at 80. The page then reads a channel's full resolution from its values.
     */
    public static LayerView of(FeatureMap map, List<ChannelRanker> rankers, int maxTileSide) {
        if (maxTileSide < 1) {
            throw new IllegalArgumentException("Tiles need at least 1 pixel a side, was " + maxTileSide);
        }
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(rankers, "rankers");
        if (rankers.stream().map(ChannelRanker::name).distinct().count() != rankers.size()) {
            throw new IllegalArgumentException("The explorer's rankers need distinct names, got "
                    + rankers.stream().map(ChannelRanker::name).toList());
        }
        return new LayerView(map, rankers, maxTileSide);
    }

    /**
     * The built-in rankers that read {@link Channel#stats()} score from the statistics already made,
     * not from a pass each, and give what they would give; the others score the channel.
     */
    private static double score(ChannelRanker r, Channel channel, ChannelStats s) {
        if (r == ChannelRanker.MAX) {
            return s.max();
        } else if (r == ChannelRanker.L2) {
            return s.l2();
        } else if (r == ChannelRanker.VARIANCE) {
            return s.variance();
        } else if (r == ChannelRanker.ACTIVE_FRACTION) {
            return s.activeFraction();
        }
        return r.score(channel);
    }

    /** Tiles per row of the levels picture: near square, so neither side grows past a browser's limits. */
    static int columnsFor(int channels) {
        return (int) Math.ceil(Math.sqrt(channels));
    }

    /**
     * Channel {@code c}'s levels at column {@code c % columns}, row {@code c / columns}, without
     * gaps: each level the mean of a {@code factor x factor} block (fewer at the edges), from the
     * channel's minimum (0) to its maximum (255).
     */
    private void tile(float[] values, byte[] pixels, int c) {
        float lo = min[c];
        double scale = max[c] > lo ? 255.0 / ((double) max[c] - lo) : 0;
        int stride = columns * tileWidth;
        int x0 = (c % columns) * tileWidth;
        int y0 = (c / columns) * tileHeight;
        for (int ty = 0; ty < tileHeight; ty++) {
            int yFrom = ty * factor;
            int yTo = Math.min(height, yFrom + factor);
            int at = (y0 + ty) * stride + x0;
            for (int tx = 0; tx < tileWidth; tx++) {
                int xFrom = tx * factor;
                int xTo = Math.min(width, xFrom + factor);
                float sum = 0;
                int n = 0;
                for (int y = yFrom; y < yTo; y++) {
                    for (int i = y * width + xFrom, end = y * width + xTo; i < end; i++) {
                        float v = values[i];
                        if (Float.isFinite(v)) {
                            sum += v;
                            n++;
                        }
                    }
                }
                pixels[at + tx] = (byte) (n == 0 ? 0 : level(sum / n, lo, scale));
            }
        }
    }

    /** The 8-bit level of {@code v}: NaN and infinities, and a constant channel, are level 0. */
    static int level(float v, float min, double scale) {
        if (!Float.isFinite(v) || scale == 0) {
            return 0;
        }
        return (int) Math.max(0, Math.min(255, Math.round((v - min) * scale)));
    }

    public Tap tap() {
        return tap;
    }

    public int channels() {
        return channels;
    }

    /** Tiles per row in {@link #levelsPng()}. */
    public int columns() {
        return columns;
    }

    /** The levels picture as PNG bytes: 8-bit grey through a palette. Not a copy: do not change it. */
    public byte[] levelsPng() {
        return levelsPng;
    }

    /** Each channel's score under the ranker called {@code name}, or null if it was not given. */
    public double[] scores(String name) {
        double[] s = scores.get(name);
        return s == null ? null : s.clone();
    }

    /** The smallest finite value of channel {@code c}: level 0 (NaN when it has none). */
    public float min(int c) {
        return min[c];
    }

    /** The largest finite value of channel {@code c}: level 255 (NaN when it has none). */
    public float max(int c) {
        return max[c];
    }

    /**
     * This layer as the page reads it: name, shape, tile columns, and per channel min, max, mean,
     * standard deviation, share of positive values and every ranker's score.
     *
     * @param index the layer's place in the exploration's list
     */
    public String json(int index) {
        Written last = written;
        if (last != null && last.index() == index) {
            return last.json();
        }
        String made = write(index);
        written = new Written(index, made);
        return made;
    }

    /** {@link #json(int)} with the levels picture as one more member, {@code levels}, a {@code data:} URL. */
    public String jsonWithLevels(int index) {
        String json = json(index);
        return json.substring(0, json.length() - 1) + ",\"levels\":" + Json.quote(ExplorerPage.dataUri(levelsPng)) + "}";
    }

    private String write(int index) {
        Json j = new Json().object()
                .name("index").value(index)
                .name("name").value(tap.layerName())
                .name("displayName").value(tap.displayName())
                .name("channels").value(channels)
                .name("height").value(height)
                .name("width").value(width)
                .name("columns").value(columns)
                .name("tileHeight").value(tileHeight)
                .name("tileWidth").value(tileWidth)
                .name("factor").value(factor);
        j.name("min").values(min).name("max").values(max).name("mean").values(mean).name("std").values(std)
                .name("active").values(active);
        j.name("scores").object();
        for (Map.Entry<String, double[]> e : scores.entrySet()) {
            j.name(e.getKey()).values(e.getValue());
        }
        return j.end().end().toString();
    }
}
