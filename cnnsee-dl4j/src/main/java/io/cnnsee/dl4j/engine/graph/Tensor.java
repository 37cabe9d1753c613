package io.cnnsee.dl4j.engine.graph;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Constant values of a node, a kernel or a bias, row-major in {@link #dims}: read from their
 * source only when a plan first needs them, so the graph holds no copy of a network's weights.
 */
public final class Tensor {

    private final long[] dims;
    private final Supplier<float[]> values;
    private final Object key;
    private Strided strided;

    /**
     * The values where they already lie in native memory, as an engine may read them in place:
     * float {@code address}, logical {@code dims} and {@code strides} in elements, kept alive by
     * {@code owner}. Saves a copy of a large dense kernel (VGG16's first is 411 MB).
     */
    public record Strided(long address, long[] dims, long[] strides, Object owner) {
    }

    private Tensor(long[] dims, Supplier<float[]> values, Object key) {
        this.dims = dims.clone();
        this.values = Objects.requireNonNull(values, "values");
        this.key = key == null ? new Object() : key;
    }

    private Tensor(long[] dims, Supplier<float[]> values) {
        this(dims, values, null);
    }

    /** How one tensor's values were made from another's, by what (arrays compare by identity). */
    private record Derived(Object from, String how, float[] a, float[] b) {
    }

    /**
     * Equal for tensors with the same values by construction: the same source, or the same
     * derivation from it, whichever pass made it. Plans key the kernels they keep by it.
     */
    public Object key() {
        return key;
    }

    /** Values that {@code values} supplies, row-major in {@code dims}, when asked. */
    public static Tensor of(long[] dims, Supplier<float[]> values) {
        return new Tensor(dims, values);
    }

    /** These values, given now. */
    public static Tensor of(long[] dims, float[] values) {
        Tensor t = new Tensor(dims, values::clone);
        if (values.length != t.size()) {
            throw new IllegalArgumentException(values.length + " values for dimensions " + Arrays.toString(dims));
        }
        return t;
    }

    public long[] dims() {
        return dims.clone();
    }

    /** This tensor, also readable in place as {@code view} says. */
    public Tensor inPlace(Strided view) {
        Tensor t = new Tensor(dims, values, key);
        t.strided = view;
        return t;
    }

    /** Where the values lie in native memory, if they can be read in place. */
    public java.util.Optional<Strided> strided() {
        return java.util.Optional.ofNullable(strided);
    }

    public long size() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** A fresh copy of the values, row-major. */
    public float[] values() {
        float[] v = values.get();
        if (v.length != size()) {
            throw new IllegalStateException(v.length + " values for dimensions " + Arrays.toString(dims));
        }
        return v;
    }

    /** Each slice along the first dimension multiplied by its factor in {@code factors} (a batch norm folded into a kernel). */
    public Tensor scaledAlongFirst(float[] factors) {
        if (factors.length != dims[0]) {
            throw new IllegalArgumentException(factors.length + " factors for " + dims[0] + " slices");
        }
        return new Tensor(dims, () -> {
            float[] v = values();
            int per = (int) (v.length / dims[0]);
            for (int i = 0; i < v.length; i++) {
                v[i] *= factors[i / per];
            }
            return v;
        }, new Derived(key, "scaled", factors, null));
    }

    /** {@code this * scale + shift}, element by element, for a vector (a bias with a batch norm folded in). */
    public Tensor affine(float[] scale, float[] shift) {
        if (dims.length != 1 || scale.length != dims[0] || shift.length != dims[0]) {
            throw new IllegalArgumentException("an affine map of " + scale.length + " values for dimensions " + Arrays.toString(dims));
        }
        return new Tensor(dims, () -> {
            float[] v = values();
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] * scale[i] + shift[i];
            }
            return v;
        }, new Derived(key, "affine", scale, shift));
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(dims);
    }
}
