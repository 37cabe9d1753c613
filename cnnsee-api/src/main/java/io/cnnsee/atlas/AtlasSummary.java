package io.cnnsee.atlas;

import io.cnnsee.FeatureMap;
import io.cnnsee.Tap;
import io.cnnsee.Channel;
import io.cnnsee.ChannelRanker;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The atlas of a collection while it is collected: per tap, per channel, a {@link ChannelSummary};
 * and the pictures skipped with the reason. Bounded in size by the taps, channels and k, not by
 * the number of pictures (but for the skipped pictures' names, of which the first
 * {@value #SKIPPED_KEPT} are kept). Mergeable and serialisable: what workers or executors build
 * apart and combine. Not thread-safe.
 */
public final class AtlasSummary implements Serializable {

    /** The skipped pictures listed by name; more are only counted. */
    public static final int SKIPPED_KEPT = 1000;

    private final int k;
    private final String statistic;
    private final LinkedHashMap<String, ChannelSummary[]> taps = new LinkedHashMap<>();
    private long pictures;
    private final SkippedPictures skipped = new SkippedPictures();

    /**
     * @param taps      the taps collected, in order (layer name and shape)
     * @param k         examples kept per channel
     * @param statistic the name of the statistic pictures are ranked by, for the atlas' pages
     */
    public AtlasSummary(List<Tap> taps, int k, String statistic) {
        this.k = k;
        this.statistic = Objects.requireNonNull(statistic, "statistic");
        for (Tap t : taps) {
            ChannelSummary[] channels = new ChannelSummary[t.shape().channels()];
            for (int c = 0; c < channels.length; c++) {
                channels[c] = new ChannelSummary(k);
            }
            this.taps.put(t.layerName(), channels);
        }
    }

    /**
     * Counts one picture's maps (one per tap, in the taps' order): each channel's statistic by
     * {@code ranker} and its strongest position.
     */
    public void add(String picture, List<FeatureMap> maps, ChannelRanker ranker) {
        if (maps.size() != taps.size()) {
            throw new IllegalArgumentException(maps.size() + " maps for " + taps.size() + " taps");
        }
        int t = 0;
        for (ChannelSummary[] channels : taps.values()) {
            FeatureMap map = maps.get(t++);
            for (int c = 0; c < channels.length; c++) {
                Channel channel = map.channel(c);
                int at = strongest(channel);
                channels[c].offer(new Example(ranker.score(channel), picture, at / map.width(), at % map.width()));
            }
        }
        pictures++;
    }

    /** Index (row * width + column) of the channel's largest value; the first of equals. */
    static int strongest(Channel channel) {
        int best = 0;
        float value = channel.get(0);
        for (int i = 1; i < channel.size(); i++) {
            float v = channel.get(i);
            if (v > value) {
                best = i;
                value = v;
            }
        }
        return best;
    }

    /** The pictures skipped, for the atlas to count a picture it cannot read. */
    SkippedPictures skippedPictures() {
        return skipped;
    }

    /** Counts a picture that could not be used, with the reason. */
    public void skip(String picture, String reason) {
        skipped.add(picture, reason);
    }

    /** Adds what {@code other} (of other pictures) collected. */
    public void merge(AtlasSummary other) {
        if (!other.taps.keySet().equals(taps.keySet()) || other.k != k) {
            throw new IllegalArgumentException("Atlas summaries of other taps or k do not merge");
        }
        for (var e : taps.entrySet()) {
            ChannelSummary[] mine = e.getValue();
            ChannelSummary[] theirs = other.taps.get(e.getKey());
            for (int c = 0; c < mine.length; c++) {
                mine[c].merge(theirs[c]);
            }
        }
        pictures += other.pictures;
        skipped.merge(other.skipped);
    }

    public List<String> layers() {
        return List.copyOf(taps.keySet());
    }

    /** The summaries of {@code layer}'s channels, channel 0 first. */
    public List<ChannelSummary> channels(String layer) {
        ChannelSummary[] channels = taps.get(layer);
        if (channels == null) {
            throw new IllegalArgumentException("No tap " + layer + " in the atlas: " + taps.keySet());
        }
        return List.of(channels);
    }

    public int k() {
        return k;
    }

    public String statistic() {
        return statistic;
    }

    /** Pictures counted. */
    public long pictures() {
        return pictures;
    }

    public long skipped() {
        return skipped.count();
    }

    /** The first skipped pictures, by name, with why. */
    public Map<String, String> skippedReasons() {
        return new LinkedHashMap<>(skipped.reasons());
    }

    /** Every picture named among any channel's examples. */
    public List<String> examplePictures() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (ChannelSummary[] channels : taps.values()) {
            for (ChannelSummary c : channels) {
                c.examples().forEach(e -> names.add(e.picture()));
            }
        }
        return new ArrayList<>(names);
    }
}
