package io.cnnsee;

/**
 * Statistics of one channel. Sums are accumulated in double precision.
 *
 * @param count          number of values
 * @param sum            sum of all values
 * @param min            smallest value
 * @param max            largest value
 * @param sumOfSquares   sum of squared values (the channel's energy)
 * @param positiveCount  number of values above zero
 */
public record ChannelStats(int count, double sum, float min, float max, double sumOfSquares, int positiveCount) {

    /** Computes the statistics of {@code channel} in one pass, without allocating. */
    public static ChannelStats of(Channel channel) {
        int n = channel.size();
        int offset = channel.offset();
        FeatureMap map = channel.map();
        double sum = 0;
        double squares = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        int positive = 0;
        for (int i = 0; i < n; i++) {
            float v = map.valueAt(offset + i);
            sum += v;
            squares += (double) v * v;
            min = Math.min(min, v);
            max = Math.max(max, v);
            if (v > 0) {
                positive++;
            }
        }
        return new ChannelStats(n, sum, min, max, squares, positive);
    }

    public double mean() {
        return sum / count;
    }

    /** Population variance: mean of squares minus square of the mean, never negative. */
    public double variance() {
        double mean = mean();
        return Math.max(0, sumOfSquares / count - mean * mean);
    }

    /** The L2 norm, square root of the energy. */
    public double l2() {
        return Math.sqrt(sumOfSquares);
    }

    /** Share of values above zero, from 0 to 1. */
    public double activeFraction() {
        return (double) positiveCount / count;
    }
}
