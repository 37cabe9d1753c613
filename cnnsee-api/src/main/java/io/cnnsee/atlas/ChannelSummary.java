package io.cnnsee.atlas;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;

/**
 * What a collection of pictures says of one channel, in a bounded size whatever the number of
 * pictures: its k best {@link Example}s and running statistics of its score (count, sum, how often
 * it is active, a histogram of the scores in powers of two). Two summaries of two parts of a
 * collection {@link #merge} into the summary of the whole, so that only these travel and merge.
 * Not thread-safe: one per worker, merged at the end.
 */
public final class ChannelSummary implements Serializable {

    /** Histogram bins: bin 0 holds scores of 0 or less; bin i (1..) scores in (2^(i-1-OFFSET), 2^(i-OFFSET)]. */
    public static final int BINS = 41;
    private static final int OFFSET = 20;

    private final int k;
    /** The k best so far, worst on top. */
    private final PriorityQueue<Example> best;
    private long count;
    private double sum;
    private long active;
    private final long[] histogram = new long[BINS];

    public ChannelSummary(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("Keep at least 1 example per channel, was " + k);
        }
        this.k = k;
        this.best = new PriorityQueue<>(k + 1, new WorstFirst());
    }

    /** The heap's order, serialisable, as the summary travels between machines. */
    private static final class WorstFirst implements java.util.Comparator<Example>, Serializable {
        @Override
        public int compare(Example a, Example b) {
            return Example.BEST_FIRST.compare(b, a);
        }
    }

    /** Counts {@code example}, and keeps it if it is among the k best so far. */
    public void offer(Example example) {
        count++;
        sum += example.score();
        if (example.score() > 0) {
            active++;
        }
        histogram[bin(example.score())]++;
        keep(example);
    }

    private void keep(Example example) {
        if (best.size() < k) {
            best.add(example);
        } else if (Example.BEST_FIRST.compare(example, best.peek()) < 0) {
            best.poll();
            best.add(example);
        }
    }

    /** Adds what {@code other} (of other pictures) counted and kept. */
    public void merge(ChannelSummary other) {
        if (other.k != k) {
            throw new IllegalArgumentException("Summaries keep " + k + " and " + other.k + " examples: they do not merge");
        }
        count += other.count;
        sum += other.sum;
        active += other.active;
        for (int i = 0; i < BINS; i++) {
            histogram[i] += other.histogram[i];
        }
        for (Example e : other.best) {
            keep(e);
        }
    }

    static int bin(double score) {
        if (!(score > 0)) {
            return 0;
        }
        int exponent = Math.getExponent(score); // score in [2^e, 2^(e+1))
        int i = exponent + 1 + OFFSET;
        return Math.max(1, Math.min(BINS - 1, i));
    }

    /** The lower edge of bin {@code i} (for {@code i >= 1}). */
    public static double binStart(int i) {
        return Math.pow(2, i - 1 - OFFSET);
    }

    /** The kept examples, best first. */
    public List<Example> examples() {
        List<Example> out = new ArrayList<>(best);
        out.sort(Example.BEST_FIRST);
        return Collections.unmodifiableList(out);
    }

    public long count() {
        return count;
    }

    /** The mean score over every picture counted. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** The share of pictures where the score is above 0. */
    public double activeShare() {
        return count == 0 ? Double.NaN : (double) active / count;
    }

    public long[] histogram() {
        return histogram.clone();
    }
}
