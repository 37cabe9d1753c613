package io.cnnsee;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The output of one tap for one image: C channels of H x W floats, immutable.
 *
 * <p>Values are held once, channel after channel, row after row (C, H, W order). Reading a
 * channel through {@link #channel(int)} gives a view, never a copy.
 */
public final class FeatureMap {

    private final Tap tap;
    private final float[] values;

    private FeatureMap(Tap tap, float[] values) {
        this.tap = tap;
        this.values = values;
    }

    /**
     * A feature map holding a copy of {@code values}, given in C, H, W order.
     *
     * @throws IllegalArgumentException if the number of values does not fit the tap's shape
     */
    public static FeatureMap copyOf(Tap tap, float[] values) {
        Objects.requireNonNull(tap, "tap");
        Objects.requireNonNull(values, "values");
        checkLength(tap, values.length);
        return new FeatureMap(tap, values.clone());
    }

    /**
     * A feature map whose values are written by {@code writer} into a fresh array of the tap's
     * size, in C, H, W order. The map owns that array: the writer must not keep it. This saves
     * a copy of the whole volume when a model fills the map straight from its own buffers.
     */
    public static FeatureMap fill(Tap tap, Consumer<float[]> writer) {
        Objects.requireNonNull(tap, "tap");
        Objects.requireNonNull(writer, "writer");
        float[] values = new float[tap.shape().size()];
        writer.accept(values);
        return new FeatureMap(tap, values);
    }

    private static void checkLength(Tap tap, int length) {
        if (length != tap.shape().size()) {
            throw new IllegalArgumentException("Tap " + tap.layerName() + " has shape " + tap.shape()
                    + " = " + tap.shape().size() + " values, but " + length + " values were given");
        }
    }

    public Tap tap() {
        return tap;
    }

    public MapShape shape() {
        return tap.shape();
    }

    public int channelCount() {
        return tap.shape().channels();
    }

    public int height() {
        return tap.shape().height();
    }

    public int width() {
        return tap.shape().width();
    }

    /** A view of channel {@code c}, no copy. */
    public Channel channel(int c) {
        return new Channel(this, c);
    }

    /** Views of all channels, in index order. */
    public List<Channel> channels() {
        return new AbstractList<>() {
            @Override
            public Channel get(int index) {
                return channel(index);
            }

            @Override
            public int size() {
                return channelCount();
            }
        };
    }

    /** The value at channel {@code c}, row {@code y}, column {@code x}. */
    public float get(int c, int y, int x) {
        checkIndex(c, y, x);
        return values[(c * height() + y) * width() + x];
    }

    /** Statistics of channel {@code c}, computed in one pass. */
    public ChannelStats stats(int c) {
        return channel(c).stats();
    }

    /** A copy of all values in C, H, W order. */
    public float[] toArray() {
        return values.clone();
    }

    /** The raw value at {@code offset} in C, H, W order; for {@link Channel}, which checks bounds. */
    float valueAt(int offset) {
        return values[offset];
    }

    /** The values themselves, not a copy: for {@link Channel}'s loops, which only read them. */
    float[] values() {
        return values;
    }

    /** Copies {@code length} values starting at {@code offset}; for {@link Channel}. */
    void copyRange(int offset, float[] target, int targetOffset, int length) {
        System.arraycopy(values, offset, target, targetOffset, length);
    }

    private void checkIndex(int c, int y, int x) {
        if (c < 0 || c >= channelCount() || y < 0 || y >= height() || x < 0 || x >= width()) {
            throw new IndexOutOfBoundsException("Index (" + c + ", " + y + ", " + x + ") is outside "
                    + tap.layerName() + " of shape " + shape());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureMap other && tap.equals(other.tap) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * tap.hashCode() + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FeatureMap[" + tap + "]";
    }
}
