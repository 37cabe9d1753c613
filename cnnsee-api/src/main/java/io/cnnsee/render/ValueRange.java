package io.cnnsee.render;

/**
 * The values that map onto a colormap: {@code low} to its first colour, {@code high} to its last.
 *
 * @param low  the value shown with the first colour
 * @param high the value shown with the last colour
 */
public record ValueRange(double low, double high) {

    public ValueRange {
        if (Double.isNaN(low) || Double.isNaN(high) || low > high) {
            throw new IllegalArgumentException("A value range needs low <= high, was [" + low + ", " + high + "]");
        }
    }

    /**
     * {@code v} scaled to [0, 1] and clamped. An empty range (a constant channel) and NaN give 0,
     * so a constant channel renders as one flat colour, as in matplotlib.
     */
    public double normalize(double v) {
        double span = high - low;
        if (!(span > 0)) {
            return 0;
        }
        double t = (v - low) / span;
        return t > 0 ? Math.min(t, 1) : 0; // NaN lands here too
    }
}
