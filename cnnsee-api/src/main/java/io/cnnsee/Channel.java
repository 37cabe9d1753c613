package io.cnnsee;

import java.util.Objects;

/**
 * A view of one channel of a {@link FeatureMap}: H x W values, read in place.
 *
 * @param map   the feature map the channel belongs to
 * @param index the channel's index in the map, from 0
 */
public record Channel(FeatureMap map, int index) {

    public Channel {
        Objects.requireNonNull(map, "map");
        if (index < 0 || index >= map.channelCount()) {
            throw new IndexOutOfBoundsException("Channel " + index + " does not exist in "
                    + map.tap().layerName() + ", which has channels 0 to " + (map.channelCount() - 1));
        }
    }

    /** The tap the channel was read from; a ranker may want to know the block. */
    public Tap tap() {
        return map.tap();
    }

    public int height() {
        return map.height();
    }

    public int width() {
        return map.width();
    }

    /** Number of values: {@code height * width}. */
    public int size() {
        return map.shape().channelSize();
    }

    /** The value at row {@code y}, column {@code x}. */
    public float get(int y, int x) {
        return map.get(index, y, x);
    }

    /** The {@code i}-th value in row-major order, {@code 0 <= i < size()}. */
    public float get(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("Value " + i + " is outside channel " + index + " of "
                    + map.tap().layerName() + ", which has " + size() + " values");
        }
        return map.valueAt(offset() + i);
    }

    /** Copies the channel's values, row-major, into {@code target} from {@code targetOffset}. */
    public void copyTo(float[] target, int targetOffset) {
        Objects.checkFromIndexSize(targetOffset, size(), target.length);
        map.copyRange(offset(), target, targetOffset, size());
    }

    /** A copy of the channel's values, row-major. */
    public float[] toArray() {
        float[] copy = new float[size()];
        copyTo(copy, 0);
        return copy;
    }

    /**
     * The sum of the channel's values in double precision: the default ranking's score, so it has
     * a loop of its own (eight running sums, which the processor overlaps) rather than all of
     * {@link #stats()}.
     */
    public double sum() {
        int n = size();
        int offset = offset();
        float[] values = map.values(); // read in place: a local array lets the compiler drop bounds checks
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = offset;
        int end = offset + n;
        for (; i + 7 < end; i += 8) {
            s0 += values[i];
            s1 += values[i + 1];
            s2 += values[i + 2];
            s3 += values[i + 3];
            s4 += values[i + 4];
            s5 += values[i + 5];
            s6 += values[i + 6];
            s7 += values[i + 7];
        }
        for (; i < end; i++) {
            s0 += values[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Sum, mean, extremes and spread of the channel, in one pass over its values. */
    public ChannelStats stats() {
        return ChannelStats.of(this);
    }

    int offset() {
        return index * size();
    }
}
