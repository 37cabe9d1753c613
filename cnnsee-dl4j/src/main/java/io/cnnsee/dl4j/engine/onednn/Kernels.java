package io.cnnsee.dl4j.engine.onednn;

import io.cnnsee.dl4j.engine.graph.Tensor;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The constant tensors of a compiled network in the layouts its primitives ask for: read once,
 * reordered once per layout, kept for every plan (keyed by {@link Tensor#key}, so a kernel with a
 * batch norm folded in is made once whichever plan folds it). Not thread-safe.
 */
final class Kernels implements AutoCloseable {

    private record Key(Object source, String as) {
    }

    private final engine cpu;
    private final stream stream;
    private final Map<Key, List<memory>> made = new HashMap<>();
    private final List<Pointer> owned = new ArrayList<>();

    Kernels(engine cpu) {
        this.cpu = cpu;
        this.stream = own(new stream(cpu));
    }

    /**
     * {@code t}'s values, row-major, in layout {@code wanted}, whose dimensions may group
     * {@code t}'s differently (a grouped kernel's {@code [g, out / g, in / g, kh, kw]}, a dense
     * kernel's {@code [out, c, h, w]}).
     */
    memory get(Tensor t, memory.desc wanted) {
        return get(t.key(), "", wanted, t::values);
    }

    /** {@code values}, row-major, in layout {@code wanted}: made once, kept under {@code source} and {@code as}. */
    memory get(Object source, String as, memory.desc wanted, java.util.function.Supplier<float[]> values) {
        List<memory> kept = made.computeIfAbsent(new Key(source, as), k -> new ArrayList<>());
        for (memory m : kept) {
            if (m.get_desc().equals(wanted)) {
                return m;
            }
        }
        int rank = wanted.data().ndims();
        long[] dims = new long[rank];
        long[] strides = new long[rank];
        long stride = 1;
        for (int a = rank - 1; a >= 0; a--) {
            dims[a] = wanted.data().dims().get(a);
            strides[a] = stride;
            stride *= dims[a];
        }
        float[] v = values.get();
        if (v.length != stride) {
            throw new IllegalStateException(v.length + " values for " + java.util.Arrays.toString(dims));
        }
        memory m = own(new memory(wanted, cpu));
        try (FloatPointer p = new FloatPointer(v);
             memory user = new memory(new memory.desc(dims, memory.data_type.f32, strides), cpu, p);
             reorder r = new reorder(user, m)) {
            r.execute(stream, user, m);
            stream._wait();
        }
        kept.add(m);
        return m;
    }

    private <P extends Pointer> P own(P pointer) {
        owned.add(pointer);
        return pointer;
    }

    @Override
    public void close() {
        made.clear();
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
