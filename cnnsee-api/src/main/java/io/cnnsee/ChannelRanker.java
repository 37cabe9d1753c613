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
     * Grad-CAM ranking, which needs the class gradient of each picture and so is not a
     * {@code ChannelRanker}: {@link GradientRanker#GRAD_CAM}, here so that
     * {@code builder.ranker(ChannelRanker.GRAD_CAM)} reads as the other rankers do.
     */
    GradientRanker GRAD_CAM = GradientRanker.GRAD_CAM;

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
     * The built-in rankers, which score a channel from its values alone, in the order documented.
     */
    static List<ChannelRanker> builtIns() {
        return List.of(SUM, MEAN, MAX, L2, VARIANCE, ACTIVE_FRACTION);
    }

    /**
     * The built-in ranker called {@code name} ({@code sum}, {@code mean}, {@code max},
     * {@code l2}, {@code variance}, {@code active}), ignoring case.
     *
     * @throws IllegalArgumentException naming the known rankers if there is none by that name
     */
    static ChannelRanker builtIn(String name) {
        Objects.requireNonNull(name, "name");
        for (ChannelRanker r : builtIns()) {
            if (r.name().equalsIgnoreCase(name.strip())) {
                return r;
            }
        }
        if (GRAD_CAM.name().equalsIgnoreCase(name.strip())) {
            throw new IllegalArgumentException("'" + name.strip() + "' ranks by the class gradient, which a channel"
                    + " alone does not carry: give GradientRanker.GRAD_CAM to FeatureMapInspector.Builder.ranker");
        }
        List<String> known = new ArrayList<>(builtIns().stream().map(ChannelRanker::name).toList());
        known.add(GRAD_CAM.name());
        throw new IllegalArgumentException("Unknown ranker '" + name + "': choose one of " + known);
    }
}
