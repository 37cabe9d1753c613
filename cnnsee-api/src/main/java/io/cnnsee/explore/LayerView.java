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

/**
 * Everything the explorer shows of one layer for one picture, made once and then only read: each
 * channel's statistics, its score under every ranker (so the page re-sorts without asking), and
 * all channels as one grey picture of 8-bit levels, each channel scaled from its own minimum (0)
 * to its own maximum (255). The page colours the levels itself, which is why switching colormap or
 * normalisation needs no request; the exact values of one channel come separately
 * ({@link #channelValues}) when the page shows it large.
 */
public final class LayerView {

    private final Tap tap;
    private final int channels;
    private final int height;
    private final int width;
    private final int columns;
    private final float[] min;
    private final float[] max;
    private final double[] mean;
    private final double[] std;
    private final double[] active;
    private final Map<String, double[]> scores;
    private final byte[] levelsPng;

    private LayerView(FeatureMap map, List<ChannelRanker> rankers) {
        this.tap = map.tap();
        this.channels = map.channelCount();
        this.height = map.height();
        this.width = map.width();
        this.columns = columnsFor(channels);
        this.min = new float[channels];
        this.max = new float[channels];
        this.mean = new double[channels];
        this.std = new double[channels];
        this.active = new double[channels];
        this.scores = new LinkedHashMap<>();
        for (ChannelRanker r : rankers) {
            scores.put(r.name(), new double[channels]);
        }
        for (int c = 0; c < channels; c++) {
            Channel channel = map.channel(c);
            ChannelStats s = channel.stats();
            min[c] = s.min();
            max[c] = s.max();
            mean[c] = s.mean();
            std[c] = Math.sqrt(s.variance());
            active[c] = s.activeFraction();
            for (ChannelRanker r : rankers) {
                scores.get(r.name())[c] = score(r, channel, s);
            }
        }
        this.levelsPng = Png.encode(levels(map));
    }

    /**
     * The view of {@code map}, scored by each of {@code rankers} (their names must differ).
     *
     * @throws IllegalArgumentException if two rankers share a name
     */
    public static LayerView of(FeatureMap map, List<ChannelRanker> rankers) {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(rankers, "rankers");
        if (rankers.stream().map(ChannelRanker::name).distinct().count() != rankers.size()) {
            throw new IllegalArgumentException("The explorer's rankers need distinct names, got "
                    + rankers.stream().map(ChannelRanker::name).toList());
        }
        return new LayerView(map, rankers);
    }

    /** The built-in rankers' scores come from the statistics already made, not from a pass each. */
    private static double score(ChannelRanker r, Channel channel, ChannelStats s) {
        if (r == ChannelRanker.SUM) {
            return s.sum();
        } else if (r == ChannelRanker.MEAN) {
            return s.mean();
        } else if (r == ChannelRanker.MAX) {
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

    /** Channel {@code c} at column {@code c % columns}, row {@code c / columns}, without gaps. */
    private BufferedImage levels(FeatureMap map) {
        int rows = (channels + columns - 1) / columns;
        byte[] grey = new byte[256];
        for (int i = 0; i < 256; i++) {
            grey[i] = (byte) i;
        }
        BufferedImage image = new BufferedImage(columns * width, rows * height, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, grey, grey, grey));
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        int stride = columns * width;
        float[] row = new float[width];
        for (int c = 0; c < channels; c++) {
            Channel channel = map.channel(c);
            float lo = min[c];
            double scale = max[c] > lo ? 255.0 / ((double) max[c] - lo) : 0;
            int x0 = (c % columns) * width;
            int y0 = (c / columns) * height;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    row[x] = channel.get(y, x);
                }
                int at = (y0 + y) * stride + x0;
                for (int x = 0; x < width; x++) {
                    pixels[at + x] = (byte) level(row[x], lo, scale);
                }
            }
        }
        return image;
    }

    /** The 8-bit level of {@code v}: NaN and infinities, and a constant channel, are level 0. */
    static int level(float v, float min, double scale) {
        if (!Float.isFinite(v) || scale == 0) {
            return 0;
        }
        return (int) Math.max(0, Math.min(255, Math.round((v - min) * scale)));
    }

    /** Channel {@code c}'s exact values, row by row: for the page's large view and the value under the pointer. */
    public static float[] channelValues(FeatureMap map, int c) {
        Objects.checkIndex(c, map.channelCount());
        return map.channel(c).toArray();
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

    /** The smallest value of channel {@code c}: level 0. */
    public float min(int c) {
        return min[c];
    }

    /** The largest value of channel {@code c}: level 255. */
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
        Json j = new Json().object()
                .name("index").value(index)
                .name("name").value(tap.layerName())
                .name("displayName").value(tap.displayName())
                .name("channels").value(channels)
                .name("height").value(height)
                .name("width").value(width)
                .name("columns").value(columns);
        j.name("min").values(min).name("max").values(max).name("mean").values(mean).name("std").values(std)
                .name("active").values(active);
        j.name("scores").object();
        for (Map.Entry<String, double[]> e : scores.entrySet()) {
            j.name(e.getKey()).values(e.getValue());
        }
        return j.end().end().toString();
    }
}
