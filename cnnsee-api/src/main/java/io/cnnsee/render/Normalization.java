package io.cnnsee.render;

import io.cnnsee.Channel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How a channel's values are scaled onto the colormap before they are coloured.
 *
 * <p>Built-ins: {@link #perChannel()} (the default: each tile uses its own minimum and maximum),
 * {@link #sharedRange()} (one minimum and maximum for the whole grid, so tiles compare), and
 * {@link #percentile(double, double)} (each tile clipped to its own percentiles, so a few hot
 * pixels do not wash out the rest). NaN and infinite values never set a range; a constant
 * channel renders as a flat colour.
 */
public interface Normalization {

    /** One range per channel, in the order given. */
    List<ValueRange> ranges(List<Channel> channels);

    /** A short name for reports. */
    default String name() {
        return "custom";
    }

    /** Each channel from its own minimum to its own maximum. */
    static Normalization perChannel() {
        return PerChannel.INSTANCE;
    }

    /** All channels from the smallest to the largest value among them. */
    static Normalization sharedRange() {
        return SharedRange.INSTANCE;
    }

    /**
     * Each channel from its {@code lowPercent} to its {@code highPercent} percentile, values
     * outside clipped. Percentiles interpolate linearly between sorted values, as numpy's default.
     *
     * @throws IllegalArgumentException unless {@code 0 <= lowPercent < highPercent <= 100}
     */
    static Normalization percentile(double lowPercent, double highPercent) {
        return new Percentile(lowPercent, highPercent);
    }

    /**
     * The built-in called {@code name}: {@code channel}, {@code grid} or {@code percentile}
     * (1 to 99 %), ignoring case.
     */
    static Normalization named(String name) {
        Objects.requireNonNull(name, "name");
        return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "channel" -> perChannel();
            case "grid" -> sharedRange();
            case "percentile" -> percentile(1, 99);
            default -> throw new IllegalArgumentException(
                    "Unknown normalization '" + name + "': choose one of [channel, grid, percentile]");
        };
    }

    /**
     * Smallest and largest finite value of {@code channel}; null if it has none. The values are
     * copied in bulk into {@code buffer} (at least the channel's size) and scanned there by plain
     * comparisons, which NaN fails and which rarely change the extremes (so the branches are
     * predicted); only a channel with infinities is scanned again, skipping them. A zero extreme
     * comes out as 0.0 whatever its sign.
     */
    private static double[] finiteExtremes(Channel channel, float[] buffer) {
        int n = channel.size();
        channel.copyTo(buffer, 0);
        float low = Float.POSITIVE_INFINITY;
        float high = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = buffer[i];
            if (v < low) {
                low = v;
            }
            if (v > high) {
                high = v;
            }
        }
        if (low > Float.NEGATIVE_INFINITY && high < Float.POSITIVE_INFINITY || !(low <= high)) {
            return low <= high ? new double[] {low + 0.0, high + 0.0} : null;
        }
        low = Float.POSITIVE_INFINITY;
        high = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = buffer[i];
            if (Float.isFinite(v)) {
                low = Math.min(low, v);
                high = Math.max(high, v);
            }
        }
        return low <= high ? new double[] {low + 0.0, high + 0.0} : null;
    }

    /** A buffer for {@link #finiteExtremes} that holds the largest of {@code channels}. */
    private static float[] bufferFor(List<Channel> channels) {
        int n = 0;
        for (Channel c : channels) {
            n = Math.max(n, c.size());
        }
        return new float[n];
    }

    /** Per-channel min-max. */
    record PerChannel() implements Normalization {
        static final PerChannel INSTANCE = new PerChannel();

        @Override
        public List<ValueRange> ranges(List<Channel> channels) {
            List<ValueRange> ranges = new ArrayList<>(channels.size());
            float[] buffer = bufferFor(channels);
            for (Channel c : channels) {
                double[] e = finiteExtremes(c, buffer);
                ranges.add(e == null ? new ValueRange(0, 0) : new ValueRange(e[0], e[1]));
            }
            return ranges;
        }

        @Override
        public String toString() {
            return "per-channel min-max";
        }

        @Override
        public String name() {
            return "channel";
        }
    }

    /** One min-max for the whole grid. */
    record SharedRange() implements Normalization {
        static final SharedRange INSTANCE = new SharedRange();

        @Override
        public List<ValueRange> ranges(List<Channel> channels) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            float[] buffer = bufferFor(channels);
            for (Channel c : channels) {
                double[] e = finiteExtremes(c, buffer);
                if (e != null) {
                    min = Math.min(min, e[0]);
                    max = Math.max(max, e[1]);
                }
            }
            ValueRange shared = min <= max ? new ValueRange(min, max) : new ValueRange(0, 0);
            return java.util.Collections.nCopies(channels.size(), shared);
        }

        @Override
        public String toString() {
            return "one range for the whole grid";
        }

        @Override
        public String name() {
            return "grid";
        }
    }

    /** Per-channel percentile clipping. */
    record Percentile(double lowPercent, double highPercent) implements Normalization {

        public Percentile {
            if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100)) {
                throw new IllegalArgumentException("Percentile clipping needs 0 <= low < high <= 100, was "
                        + lowPercent + " to " + highPercent);
            }
        }

        @Override
        public List<ValueRange> ranges(List<Channel> channels) {
            List<ValueRange> ranges = new ArrayList<>(channels.size());
            for (Channel c : channels) {
                float[] sorted = finiteSorted(c);
                ranges.add(sorted.length == 0 ? new ValueRange(0, 0)
                        : new ValueRange(at(sorted, lowPercent), at(sorted, highPercent)));
            }
            return ranges;
        }

        private static float[] finiteSorted(Channel c) {
            float[] values = c.toArray();
            int n = 0;
            for (float v : values) {
                if (Float.isFinite(v)) {
                    values[n++] = v;
                }
            }
            float[] finite = Arrays.copyOf(values, n);
            Arrays.sort(finite);
            return finite;
        }

        /** numpy's "linear" percentile of sorted values. */
        static double at(float[] sorted, double percent) {
            double pos = percent / 100 * (sorted.length - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(lo + 1, sorted.length - 1);
            double frac = pos - lo;
            return sorted[lo] + (sorted[hi] - (double) sorted[lo]) * frac;
        }

        @Override
        public String name() {
            return "percentile";
        }

        @Override
        public String toString() {
            return "percentile clipping " + fmt(lowPercent) + "-" + fmt(highPercent) + " %";
        }

        private static String fmt(double p) {
            return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
        }
    }
}
