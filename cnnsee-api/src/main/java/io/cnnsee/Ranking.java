package io.cnnsee;

import java.util.List;
import java.util.Objects;

/**
 * Channels of one tap in ranked order, best first.
 *
 * @param rankerName the name of the ranker that made it
 * @param tap        the tap whose channels were ranked
 * @param channels   the ranked channels, best first
 */
public record Ranking(String rankerName, Tap tap, List<RankedChannel> channels) {

    public Ranking {
        Objects.requireNonNull(rankerName, "rankerName");
        Objects.requireNonNull(tap, "tap");
        channels = List.copyOf(channels);
    }

    /**
     * The first {@code n} channels; all of them if there are fewer.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Ranking top(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Number of channels to keep must be at least 1, was " + n);
        }
        return n >= channels.size() ? this : new Ranking(rankerName, tap, channels.subList(0, n));
    }

    /** The ranked channel indices, best first. */
    public int[] indices() {
        return channels.stream().mapToInt(RankedChannel::channel).toArray();
    }

    public int size() {
        return channels.size();
    }
}
