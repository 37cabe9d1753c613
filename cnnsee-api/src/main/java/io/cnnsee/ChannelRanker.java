package io.cnnsee;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Scores the channels of a feature map; the highest scores are shown.
 *
 * <p>Implement {@link #score(Channel)} to plug in your own ranking. The channel gives its values
 * and its {@link Channel#tap() tap}, so a ranker may behave differently per block. Ranking sorts
 * by descending score and breaks ties by channel index, so the order is always deterministic.
 * NaN scores rank last.
 */
@FunctionalInterface
public interface ChannelRanker {

    /** Sum of all activations of the channel (the default). */
    ChannelRanker SUM = named("sum", Channel::sum);
    /** Mean activation. */
    ChannelRanker MEAN = named("mean", c -> c.sum() / c.size());
    /** Strongest single activation. */
    ChannelRanker MAX = named("max", c -> c.stats().max());
    /** L2 norm: the square root of the channel's energy (sum of squares). */
    ChannelRanker L2 = named("l2", c -> c.stats().l2());
    /** Population variance of the activations. */
    ChannelRanker VARIANCE = named("variance", c -> c.stats().variance());
    /** Share of positive activations, from 0 to 1. */
    ChannelRanker ACTIVE_FRACTION = named("active", c -> c.stats().activeFraction());
    /**
     * Grad-CAM weight of each channel for the class being explained (the most probable one unless
     * chosen): the channels that mattered for the class come first. It needs the class gradient
     * of each picture, which {@link FeatureMapInspector} computes when given this ranker (the model
     * must classify); scoring a channel directly fails: use {@link GradCam#ranker()} for that.
     */
    ChannelRanker GRAD_CAM = named("grad-cam", c -> {
        throw new UnsupportedOperationException("Grad-CAM ranking needs the class gradient of the picture: "
                + "give ChannelRanker.GRAD_CAM to a FeatureMapInspector, or rank with GradCam.ranker()");
    });

    /** The score of one channel; higher ranks first. */
    double score(Channel channel);

    /** A short name for reports and logs; {@code "custom"} unless named. */
    default String name() {
        return "custom";
    }

    /** This ranker with its order reversed: the lowest scores rank first. */
    default ChannelRanker reversed() {
        ChannelRanker self = this;
        return named("reversed " + name(), c -> -self.score(c));
    }

    /** Scores every channel of {@code map} and orders them. */
    default Ranking rank(FeatureMap map) {
        Objects.requireNonNull(map, "map");
        List<RankedChannel> ranked = new ArrayList<>(map.channelCount());
        for (int c = 0; c < map.channelCount(); c++) {
            ranked.add(new RankedChannel(c, score(map.channel(c))));
        }
        ranked.sort(RankedChannel.BEST_FIRST);
        return new Ranking(name(), map.tap(), ranked);
    }

    /** The best {@code n} channels of {@code map}; all of them if it has fewer. */
    default Ranking top(FeatureMap map, int n) {
        return rank(map).top(n);
    }

    /** Gives {@code scorer} a name, shown in reports. */
    static ChannelRanker named(String name, ChannelRanker scorer) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scorer, "scorer");
        return new ChannelRanker() {
            @Override
            public double score(Channel channel) {
                return scorer.score(channel);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String toString() {
                return "ChannelRanker[" + name + "]";
            }
        };
    }

    /**
     * The built-in rankers that score a channel from its values alone, in the order documented
     * ({@link #GRAD_CAM} is not among them: it needs the class gradient).
     */
    static List<ChannelRanker> builtIns() {
        return List.of(SUM, MEAN, MAX, L2, VARIANCE, ACTIVE_FRACTION);
    }

    /**
     * The built-in ranker called {@code name} ({@code sum}, {@code mean}, {@code max},
     * {@code l2}, {@code variance}, {@code active}, or {@code grad-cam}, which only an inspector
     * can use), ignoring case.
     *
     * @throws IllegalArgumentException naming the known rankers if there is none by that name
     */
    static ChannelRanker builtIn(String name) {
        Objects.requireNonNull(name, "name");
        List<ChannelRanker> known = new ArrayList<>(builtIns());
        known.add(GRAD_CAM);
        for (ChannelRanker r : known) {
            if (r.name().equalsIgnoreCase(name.strip())) {
                return r;
            }
        }
        throw new IllegalArgumentException("Unknown ranker '" + name + "': choose one of "
                + known.stream().map(ChannelRanker::name).toList());
    }
}
