package io.cnnsee;

import java.util.Comparator;

/**
 * A channel's place in a ranking.
 *
 * @param channel the channel's index in its feature map
 * @param score   the ranker's score for it
 */
public record RankedChannel(int channel, double score) {

    /** Descending score, NaN last, ties broken by ascending channel index. */
    public static final Comparator<RankedChannel> BEST_FIRST = (a, b) -> {
        boolean aNaN = Double.isNaN(a.score());
        boolean bNaN = Double.isNaN(b.score());
        if (aNaN != bNaN) {
            return aNaN ? 1 : -1;
        }
        // Not Double.compare: it orders -0.0 before 0.0, which are a tie here.
        int byScore = aNaN || a.score() == b.score() ? 0 : (a.score() > b.score() ? -1 : 1);
        return byScore != 0 ? byScore : Integer.compare(a.channel(), b.channel());
    };
}
