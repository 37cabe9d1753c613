package io.cnnsee.dl4j;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a compiled graph's layers in the layouts its primitives ask for: copied from
 * Deeplearning4j's parameters once (with a batch normalisation that follows a convolution folded
 * in), reordered once per layout, and kept for every plan. So a plan reads the parameters as they
 * were when it first needed them. Not thread-safe.
 */
final class GraphKernels implements AutoCloseable {

    private record Key(int vertex, String what) {
    }

    private final engine cpu;
    private final stream stream;
    private final Map<Key, List<memory>> made = new HashMap<>();
    private final List<Pointer> owned = new ArrayList<>();

    GraphKernels(engine cpu) {
        this.cpu = cpu;
        this.stream = own(new stream(cpu));
    }

    /**
     * A convolution's kernel, {@code [out, in, kh, kw]}, or a depthwise one's as groups
     * {@code [in, multiplier, 1, kh, kw]} (Deeplearning4j keeps it {@code [kh, kw, in, multiplier]}),
     * each output channel scaled by {@code bn}'s scale when it is folded in.
     */
    memory convolution(LayerVertex v, boolean depthwise, BatchNormAffine bn, memory.desc wanted) {
        return cached(new Key(v.getVertexIndex(), "kernel" + (bn != null)), wanted, () -> {
            INDArray w = v.getLayer().getParam("W");
            float[] values = w.dup('c').data().asFloat();
            long[] s = w.shape();
            long[] dims;
            long[] strides;
            if (depthwise) {
                long kh = s[0], kw = s[1], in = s[2], m = s[3];
                dims = new long[] {in, m, 1, kh, kw};
                strides = new long[] {m, 1, 1, kw * in * m, in * m};
                if (bn != null) {
                    for (int i = 0; i < values.length; i++) {
                        values[i] *= bn.scale()[(int) (i % (in * m))]; // output channel c * m + j is the last two axes
                    }
                }
            } else {
                dims = s;
                strides = new long[] {s[1] * s[2] * s[3], s[2] * s[3], s[3], 1};
                if (bn != null) {
                    int per = (int) (s[1] * s[2] * s[3]);
                    for (int i = 0; i < values.length; i++) {
                        values[i] *= bn.scale()[i / per];
                    }
                }
            }
            return new Source(values, new memory.desc(dims, memory.data_type.f32, strides));
        });
    }

    /** A convolution's bias (zeros if it has none) with {@code bn} folded in where given, as oneDNN's {@code [out]}. */
    memory convolutionBias(LayerVertex v, boolean hasBias, BatchNormAffine bn, long out, memory.desc wanted) {
        return cached(new Key(v.getVertexIndex(), "bias" + (bn != null)), wanted, () -> {
            float[] b = hasBias ? v.getLayer().getParam("b").dup('c').data().asFloat() : new float[(int) out];
            if (bn != null) {
                for (int o = 0; o < b.length; o++) {
                    b[o] = b[o] * bn.scale()[o] + bn.shift()[o];
                }
            }
            return plain(b);
        });
    }

    /**
     * A dense layer's kernel, Deeplearning4j's {@code W} = [in, out], as oneDNN's
     * {@code [out, in]}, or {@code [out, c, h, w]} for a spatial input flattened in
     * Deeplearning4j's order: (c, h, w) for channels first, (h, w, c) for channels last.
     */
    memory dense(LayerVertex v, long[] dims, CNN2DFormat flattened, memory.desc wanted) {
        return cached(new Key(v.getVertexIndex(), "dense"), wanted, () -> {
            INDArray w = v.getLayer().getParam("W");
            float[] values = w.dup('c').data().asFloat();
            long out = w.size(1);
            long[] strides;
            if (dims.length == 2) {
                strides = new long[] {1, out};
            } else if (flattened == CNN2DFormat.NHWC) {
                long c = dims[1], wd = dims[3];
                strides = new long[] {1, out, wd * c * out, c * out};
            } else {
                long h = dims[2], wd = dims[3];
                strides = new long[] {1, h * wd * out, wd * out, out};
            }
            return new Source(values, new memory.desc(dims, memory.data_type.f32, strides));
        });
    }

    /** A layer's bias {@code b} as oneDNN's {@code [out]}. */
    memory bias(LayerVertex v, memory.desc wanted) {
        return cached(new Key(v.getVertexIndex(), "b"), wanted, () -> plain(v.getLayer().getParam("b").dup('c').data().asFloat()));
    }

    /** Values given here, row-major in {@code wanted}'s dimensions, in its layout; kept under {@code what} of {@code vertex}. */
    memory values(int vertex, String what, float[] values, memory.desc wanted) {
        return cached(new Key(vertex, what), wanted, () -> {
            int rank = wanted.data().ndims();
            long[] dims = new long[rank];
            long[] strides = new long[rank];
            long stride = 1;
            for (int a = rank - 1; a >= 0; a--) {
                dims[a] = wanted.data().dims().get(a);
                strides[a] = stride;
                stride *= dims[a];
            }
            return new Source(values, new memory.desc(dims, memory.data_type.f32, strides));
        });
    }

    private record Source(float[] values, memory.desc desc) {
    }

    private static Source plain(float[] values) {
        return new Source(values, new memory.desc(new long[] {values.length}, memory.data_type.f32, memory.format_tag.x));
    }

    private memory cached(Key key, memory.desc wanted, java.util.function.Supplier<Source> source) {
        List<memory> kept = made.computeIfAbsent(key, k -> new ArrayList<>());
        for (memory m : kept) {
            if (m.get_desc().equals(wanted)) {
                return m;
            }
        }
        Source s = source.get();
        memory m = own(new memory(wanted, cpu));
        try (FloatPointer values = new FloatPointer(s.values());
             memory user = new memory(s.desc(), cpu, values);
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
