package io.cnnsee.dl4j.engine.onednn;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.graph.Tensor;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.layer_normalization_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.resampling_forward;
import org.bytedeco.dnnl.softmax_forward;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.cnnsee.dl4j.engine.onednn.Stages.plain;
import static io.cnnsee.dl4j.engine.onednn.Stages.size;
import static io.cnnsee.dl4j.engine.onednn.Stages.tagged;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_global_stats;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scaleshift;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;

/**
 * Lowers a graph, after its passes, to oneDNN primitives for a number of pictures: each node one
 * primitive (or a few reorders), a host layer between two runs of steps, each node read copied
 * out channel-major as soon as it is made. For a pass to be differentiated it also keeps what the
 * backward lowering reads ({@link Lowered}).
 */
final class ForwardLowering {

    private final Graph graph;
    private final Lowered out;
    private final Kernels kernels;
    private final engine cpu;
    private final Stages stages;

    private ForwardLowering(Graph graph, Lowered out, Kernels kernels) {
        this.graph = graph;
        this.out = out;
        this.kernels = kernels;
        this.cpu = out.cpu;
        this.stages = new Stages(cpu, out.owners);
    }

    /** Writes the forward stages of {@code out}, reading the nodes {@code reads}. */
    static void lower(Graph graph, Set<Integer> reads, Lowered out, Kernels kernels) {
        new ForwardLowering(graph, out, kernels).run(reads);
    }

    private OnednnSteps steps() {
        return stages.steps();
    }

    private void run(Set<Integer> reads) {
        for (Node n : graph.nodes()) {
            memory y;
            try {
                y = emit(n);
            } catch (Refused e) {
                throw e;
            } catch (RuntimeException e) {
                throw new Refused(n, "oneDNN could not set it up: " + e.getMessage(), e);
            }
            out.values.put(n.id(), y);
            if (reads.contains(n.id())) {
                long[] d = n.shape().dims(out.pictures);
                memory copy = steps().memory(plain(d));
                steps().add(steps().own(new reorder(y, copy)), null, steps().args(DNNL_ARG_FROM, y, DNNL_ARG_TO, copy),
                        n.name() + " read");
                out.reads.put(n.id(), copy);
            }
        }
        out.forward = stages.finish();
    }

    private long[] dims(Node n) {
        return n.shape().dims(out.pictures);
    }

    private long[] dims(int id) {
        return dims(graph.node(id));
    }

    private memory value(Node n, int i) {
        return out.values.get(n.inputs().get(i));
    }

    private prop_kind kind() {
        return out.training ? prop_kind.forward_training : prop_kind.forward_inference;
    }

    private memory emit(Node n) {
        Op op = n.op();
        if (op instanceof Op.Input) {
            return input(n);
        } else if (op instanceof Op.Conv c) {
            return convolution(n, c);
        } else if (op instanceof Op.ChannelAffine a) {
            return affine(n, a);
        } else if (op instanceof Op.Eltwise e) {
            Eltwise act = Eltwise.of(e.activation());
            return act == null ? value(n, 0) : eltwise(n, value(n, 0), act);
        } else if (op instanceof Op.Pool p) {
            return pool(n, p);
        } else if (op instanceof Op.GlobalPool g) {
            return globalPool(n, g);
        } else if (op instanceof Op.ZeroPad z) {
            return zeroPad(n, z);
        } else if (op instanceof Op.Crop c) {
            return crop(n, c);
        } else if (op instanceof Op.Upsample) {
            return upsample(n);
        } else if (op instanceof Op.Concat) {
            return concat(n);
        } else if (op instanceof Op.Combine c) {
            return combine(n, c);
        } else if (op instanceof Op.ChannelScale s) {
            return channelScale(n, s);
        } else if (op instanceof Op.LayerNorm l) {
            return layerNorm(n, l);
        } else if (op instanceof Op.Dense d) {
            return dense(n, d);
        } else if (op instanceof Op.Softmax) {
            return softmax(n);
        } else if (op instanceof Op.Flatten f) {
            return flatten(n, f);
        } else if (op instanceof Op.Identity) {
            return value(n, 0);
        } else if (op instanceof Op.Host h) {
            return host(n, h);
        }
        throw new IllegalStateException("no lowering for " + op);
    }

    private memory input(Node n) {
        memory m = steps().memory(plain(dims(n)));
        out.input = m;
        return m;
    }

    private memory convolution(Node n, Op.Conv c) {
        long[] src = dims(n.inputs().get(0));
        long[] dst = dims(n);
        ConvolutionGeometry geometry = ConvolutionGeometry.of(c);
        memory.desc bias = c.bias() == null ? null : tagged(new long[] {dst[1]}, memory.format_tag.x);
        convolution_forward.primitive_desc pd = null;
        if (c.winograd()) {
            try {
                pd = convolutionDesc(algorithm.convolution_winograd, c, geometry, src, bias, dst);
            } catch (RuntimeException e) {
                pd = null; // oneDNN has no Winograd kernel for these channels or this processor: direct
            }
        }
        if (pd == null) {
            pd = convolutionDesc(algorithm.convolution_direct, c, geometry, src, bias, dst);
        }
        memory x = steps().conform(value(n, 0), pd.src_desc());
        memory y;
        if (c.addsSecondInput()) {
            memory addend = value(n, 1);
            if (c.overwritesAddend() && addend.get_desc().equals(pd.dst_desc())) {
                y = addend;
            } else {
                y = steps().memory(pd.dst_desc());
                steps().add(new reorder(addend, y), null, steps().args(DNNL_ARG_FROM, addend, DNNL_ARG_TO, y), n.name() + " addend");
            }
        } else {
            y = steps().memory(pd.dst_desc());
        }
        IntMemoryMap args = steps().args(DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, kernels.get(c.weights(), pd.weights_desc()), DNNL_ARG_DST, y);
        if (bias != null) {
            args.put(DNNL_ARG_BIAS, kernels.get(c.bias(), pd.bias_desc()));
        }
        steps().add(new convolution_forward(pd), pd, args, n.description());
        out.convolutions.put(n.id(), pd);
        out.convolutionInputs.put(n.id(), x);
        return y;
    }

    private convolution_forward.primitive_desc convolutionDesc(algorithm alg, Op.Conv c, ConvolutionGeometry g, long[] src,
                                                               memory.desc bias, long[] dst) {
        memory.desc in = tagged(src, memory.format_tag.any);
        memory.desc w = tagged(g.weights(), memory.format_tag.any);
        memory.desc o = tagged(dst, memory.format_tag.any);
        long[] strides = g.strides();
        long[] dilates = g.dilates();
        long[] l = g.padBegin();
        long[] r = g.padEnd();
        convolution_forward.desc desc = steps().own(bias == null
                ? new convolution_forward.desc(kind(), alg, in, w, o, strides, dilates, l, r)
                : new convolution_forward.desc(kind(), alg, in, w, bias, o, strides, dilates, l, r));
        return steps().own(new convolution_forward.primitive_desc(desc,
                steps().attributes(c.addsSecondInput(), Eltwise.of(c.activation())), cpu));
    }

    private memory affine(Node n, Op.ChannelAffine a) {
        memory x = value(n, 0);
        int c = a.scale().length;
        // mean 0, variance 1 and eps 0 leave oneDNN's y = scale (x - mean) / sqrt(var + eps) + shift as the affine map.
        batch_normalization_forward.primitive_desc pd = steps().own(new batch_normalization_forward.primitive_desc(
                steps().own(new batch_normalization_forward.desc(prop_kind.forward_inference.value, x.get_desc(), 0f,
                        dnnl_use_global_stats | dnnl_use_scaleshift)), steps().attributes(false, null), cpu));
        float[] scaleShift = new float[2 * c];
        System.arraycopy(a.scale(), 0, scaleShift, 0, c);
        System.arraycopy(a.shift(), 0, scaleShift, c, c);
        float[] ones = new float[c];
        java.util.Arrays.fill(ones, 1f);
        memory y = steps().memory(pd.dst_desc());
        steps().add(new batch_normalization_forward(pd), pd, steps().args(DNNL_ARG_SRC, x,
                DNNL_ARG_MEAN, constant(a.scale(), "mean", new float[c], pd.mean_desc()),
                DNNL_ARG_VARIANCE, constant(a.scale(), "variance", ones, pd.variance_desc()),
                DNNL_ARG_SCALE_SHIFT, constant(a.scale(), "scale shift", scaleShift, pd.weights_desc()),
                DNNL_ARG_DST, y), n.description());
        return y;
    }

    /** Values made for the op that holds {@code owner} (compared by identity), kept with the network's kernels. */
    private memory constant(float[] owner, String what, float[] values, memory.desc wanted) {
        return kernels.get(owner, what, wanted, () -> values);
    }

    private memory eltwise(Node n, memory x, Eltwise e) {
        eltwise_forward.primitive_desc pd = steps().own(new eltwise_forward.primitive_desc(steps().own(new eltwise_forward.desc(
                kind(), e.forward(), x.get_desc(), e.alpha(), e.beta())), steps().attributes(false, null), cpu));
        memory y = steps().memory(pd.dst_desc());
        steps().add(new eltwise_forward(pd), pd, steps().args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y), n.description());
        return y;
    }

    private memory pool(Node n, Op.Pool p) {
        algorithm alg = p.max() ? algorithm.pooling_max
                : p.countPadding() ? algorithm.pooling_avg_include_padding : algorithm.pooling_avg_exclude_padding;
        return pooling(n, value(n, 0), alg, tagged(dims(n), memory.format_tag.any), new long[] {p.stride()[0], p.stride()[1]},
                new long[] {p.kernel()[0], p.kernel()[1]}, new long[] {p.padBegin()[0], p.padBegin()[1]},
                new long[] {p.padEnd()[0], p.padEnd()[1]});
    }

    private memory pooling(Node n, memory x, algorithm alg, memory.desc dst, long[] strides, long[] kernel, long[] l, long[] r) {
        pooling_forward.primitive_desc pd = steps().own(new pooling_forward.primitive_desc(steps().own(new pooling_forward.desc(
                kind(), alg, x.get_desc(), dst, strides, kernel, l, r)), steps().attributes(false, null), cpu));
        memory y = steps().memory(pd.dst_desc());
        IntMemoryMap a = steps().args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y);
        if (out.training && alg == algorithm.pooling_max) {
            memory chosen = steps().memory(pd.workspace_desc());
            a.put(DNNL_ARG_WORKSPACE, chosen);
            out.workspaces.put(n.id(), chosen);
        }
        out.pools.put(n.id(), new PoolStep(pd, alg, strides, kernel, l, r));
        steps().add(new pooling_forward(pd), pd, a, n.description());
        return y;
    }

    /** A pool over the whole map into {@code [n, c, 1, 1]}, seen as {@code [n, c]} where the node is flat. */
    private memory globalPool(Node n, Op.GlobalPool g) {
        long[] src = dims(n.inputs().get(0));
        long[] pooled = {src[0], src[1], 1, 1};
        // oneDNN's fast kernels want the layout of the map; [n, c, 1, 1] is laid out alike channels-last and -first.
        memory x = value(n, 0);
        memory.format_tag tag = sameLayout(x.get_desc(), src, memory.format_tag.nhwc) ? memory.format_tag.nhwc : memory.format_tag.any;
        memory y = pooling(n, x, g.max() ? algorithm.pooling_max : algorithm.pooling_avg_exclude_padding,
                tagged(pooled, tag), new long[] {1, 1}, new long[] {src[2], src[3]}, new long[] {0, 0}, new long[] {0, 0});
        y = steps().conform(y, tagged(pooled, memory.format_tag.nchw));
        return n.shape().flat() ? view(y, dims(n), memory.format_tag.nc) : y;
    }

    /** Whether {@code d} is laid out as {@code tag} says. */
    private static boolean sameLayout(memory.desc d, long[] dims, memory.format_tag tag) {
        return d.equals(tagged(dims, tag));
    }

    /** The same values seen with other dimensions: memory in {@code tag} over {@code m}'s buffer. */
    private memory view(memory m, long[] dims, memory.format_tag tag) {
        return steps().own(new memory(tagged(dims, tag), cpu, m.get_data_handle()));
    }

    private memory zeroPad(Node n, Op.ZeroPad z) {
        memory y = zeroed(dims(n));
        into(value(n, 0), y, dims(n.inputs().get(0)), new long[] {0, 0, z.top(), z.left()}, n.description());
        return y;
    }

    /** The part of the input inside the crop, copied out channel-major. */
    private memory crop(Node n, Op.Crop c) {
        memory whole = steps().conform(value(n, 0), plain(dims(n.inputs().get(0))));
        memory part = steps().own(new memory(whole.get_desc().submemory_desc(dims(n), new long[] {0, 0, c.top(), c.left()}), cpu,
                whole.get_data_handle()));
        memory y = steps().memory(plain(dims(n)));
        steps().add(steps().own(new reorder(part, y)), null, steps().args(DNNL_ARG_FROM, part, DNNL_ARG_TO, y), n.description());
        return y;
    }

    /** oneDNN's nearest-neighbour resampling, to the node's size. */
    private memory upsample(Node n) {
        memory x = value(n, 0);
        resampling_forward.primitive_desc pd = steps().own(new resampling_forward.primitive_desc(steps().own(new resampling_forward.desc(
                kind().value, algorithm.resampling_nearest.value, x.get_desc(), tagged(dims(n), memory.format_tag.any))),
                steps().attributes(false, null), cpu));
        memory y = steps().memory(pd.dst_desc());
        steps().add(new resampling_forward(pd), pd, steps().args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y), n.description());
        out.resamplings.put(n.id(), pd);
        return y;
    }

    private memory concat(Node n) {
        long[] dst = dims(n);
        memory y = zeroed(dst);
        long offset = 0;
        for (int i = 0; i < n.inputs().size(); i++) {
            long[] src = dims(n.inputs().get(i));
            long[] at = new long[dst.length];
            at[1] = offset;
            into(value(n, i), y, src, at, n.description());
            offset += src[1];
        }
        return y;
    }

    private memory zeroed(long[] dims) {
        memory y = steps().memory(plain(dims));
        Pointer.memset(new Pointer(y.get_data_handle()), 0, size(dims) * Float.BYTES);
        return y;
    }

    /** A step that reorders {@code x} into the part of {@code y} of dimensions {@code dims} at {@code offsets}. */
    private void into(memory x, memory y, long[] dims, long[] offsets, String name) {
        memory part = steps().own(new memory(y.get_desc().submemory_desc(dims, offsets), cpu, y.get_data_handle()));
        steps().add(steps().own(new reorder(x, part)), null, steps().args(DNNL_ARG_FROM, x, DNNL_ARG_TO, part), name);
    }

    private memory combine(Node n, Op.Combine c) {
        algorithm alg = switch (c.kind()) {
            case ADD, AVERAGE -> algorithm.binary_add;
            case SUBTRACT -> algorithm.binary_sub;
            case PRODUCT -> algorithm.binary_mul;
            case MAX -> algorithm.binary_max;
        };
        int count = n.inputs().size();
        memory x = value(n, 0);
        if (count == 1) {
            return x;
        }
        Eltwise act = Eltwise.of(c.activation());
        for (int i = 1; i < count; i++) {
            Eltwise after = i == count - 1 && c.kind() != Op.Combine.Kind.AVERAGE ? act : null;
            memory other = steps().conform(value(n, i), x.get_desc());
            binary.primitive_desc pd = steps().own(new binary.primitive_desc(steps().own(new binary.desc(alg, x.get_desc(),
                    other.get_desc(), x.get_desc())), steps().attributes(false, after), cpu));
            memory y = steps().memory(pd.dst_desc());
            steps().add(new binary(pd), pd, steps().args(DNNL_ARG_SRC_0, x, DNNL_ARG_SRC_1, other, DNNL_ARG_DST, y), n.description());
            x = y;
        }
        if (c.kind() == Op.Combine.Kind.AVERAGE) {
            x = steps().linear(x, 1f / count, act, n.description() + " scale");
        }
        return x;
    }

    /**
     * The map times its factors, broadcast over rows and columns by oneDNN's binary product: the
     * map channels-last, seen as {@code [n, h w, c]}, its factors as {@code [n, 1, c]}, the
     * broadcast oneDNN's fast kernels take for any layout the map came in and any channel count.
     */
    private memory channelScale(Node n, Op.ChannelScale s) {
        long[] d = dims(n.inputs().get(s.mapInput()));
        memory x = steps().conform(value(n, s.mapInput()), tagged(d, memory.format_tag.nhwc));
        memory factors = steps().conform(value(n, 1 - s.mapInput()), tagged(dims(n.inputs().get(1 - s.mapInput())),
                memory.format_tag.nhwc));
        memory y = steps().memory(tagged(d, memory.format_tag.nhwc));
        long[] rows = {d[0], d[2] * d[3], d[1]};
        memory x3 = view(x, rows, memory.format_tag.abc);
        memory f3 = view(factors, new long[] {d[0], 1, d[1]}, memory.format_tag.abc);
        memory y3 = view(y, rows, memory.format_tag.abc);
        binary.primitive_desc pd = steps().own(new binary.primitive_desc(steps().own(new binary.desc(algorithm.binary_mul,
                x3.get_desc(), f3.get_desc(), y3.get_desc())), steps().attributes(false, null), cpu));
        steps().add(new binary(pd), pd, steps().args(DNNL_ARG_SRC_0, x3, DNNL_ARG_SRC_1, f3, DNNL_ARG_DST, y3), n.description());
        return y;
    }

    /**
     * Layer normalisation over the channels: a channels-last map seen as {@code [n h w, c]} rows
     * (a vector is already {@code [n, c]}), each row normalised by oneDNN, scaled and shifted.
     */
    private memory layerNorm(Node n, Op.LayerNorm l) {
        long[] d = dims(n);
        long c = d[1];
        long rows = size(d) / c;
        memory x = n.shape().flat() ? steps().conform(value(n, 0), plain(d)) : steps().conform(value(n, 0), tagged(d, memory.format_tag.nhwc));
        memory x2 = view(x, new long[] {rows, c}, memory.format_tag.ab);
        layer_normalization_forward.primitive_desc pd = steps().own(new layer_normalization_forward.primitive_desc(
                steps().own(new layer_normalization_forward.desc(kind().value, x2.get_desc(), l.epsilon(), dnnl_use_scaleshift)),
                steps().attributes(false, null), cpu));
        float[] scaleShift = new float[(int) (2 * c)];
        System.arraycopy(l.gamma(), 0, scaleShift, 0, (int) c);
        System.arraycopy(l.beta(), 0, scaleShift, (int) c, (int) c);
        memory weights = constant(l.gamma(), "layer norm scale shift", scaleShift, pd.weights_desc());
        memory y = steps().memory(n.shape().flat() ? plain(d) : tagged(d, memory.format_tag.nhwc));
        memory y2 = view(y, new long[] {rows, c}, memory.format_tag.ab);
        IntMemoryMap a = steps().args(DNNL_ARG_SRC, x2, DNNL_ARG_SCALE_SHIFT, weights, DNNL_ARG_DST, y2);
        if (out.training) {
            memory mean = steps().memory(pd.mean_desc());
            memory variance = steps().memory(pd.variance_desc());
            a.put(DNNL_ARG_MEAN, mean);
            a.put(DNNL_ARG_VARIANCE, variance);
            out.norms.put(n.id(), new NormStep(pd, x2, weights, mean, variance));
        }
        steps().add(new layer_normalization_forward(pd), pd, a, n.description());
        return y;
    }

    private memory dense(Node n, Op.Dense d) {
        long[] src = dims(n.inputs().get(0));
        long outputs = d.weights().dims()[0];
        long[] kernel = src.length == 4 ? new long[] {outputs, src[1], src[2], src[3]} : new long[] {outputs, src[1]};
        memory.desc bias = d.bias() == null ? null : tagged(new long[] {outputs}, memory.format_tag.x);
        memory.desc in = tagged(src, memory.format_tag.any);
        // A kernel that can be read where it lies is, in its own layout: no copy of VGG16's 411 MB fc1.
        Optional<Tensor.Strided> inPlace = d.weights().strided().filter(v -> java.util.Arrays.equals(v.dims(), kernel));
        memory.desc w = inPlace.map(v -> new memory.desc(v.dims(), memory.data_type.f32, v.strides()))
                .orElseGet(() -> tagged(kernel, memory.format_tag.any));
        memory.desc dst = tagged(new long[] {out.pictures, outputs}, memory.format_tag.nc);
        inner_product_forward.primitive_desc pd = steps().own(new inner_product_forward.primitive_desc(steps().own(bias == null
                ? new inner_product_forward.desc(kind(), in, w, dst)
                : new inner_product_forward.desc(kind(), in, w, bias, dst)), steps().attributes(false, Eltwise.of(d.activation())), cpu));
        memory x = steps().conform(value(n, 0), pd.src_desc());
        memory y = steps().memory(pd.dst_desc());
        memory weights = inPlace.isPresent() && pd.weights_desc().equals(w)
                ? steps().own(new memory(w, cpu, new Pointer() { { address = inPlace.get().address(); } }))
                : kernels.get(d.weights(), pd.weights_desc());
        IntMemoryMap args = steps().args(DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_DST, y);
        if (bias != null) {
            args.put(DNNL_ARG_BIAS, kernels.get(d.bias(), pd.bias_desc()));
        }
        steps().add(new inner_product_forward(pd), pd, args, n.description());
        out.denseWeights.put(n.id(), weights);
        out.denses.put(n.id(), pd);
        return y;
    }

    private memory softmax(Node n) {
        memory x = value(n, 0);
        softmax_forward.primitive_desc pd = steps().own(new softmax_forward.primitive_desc(
                steps().own(new softmax_forward.desc(kind(), x.get_desc(), 1)), steps().attributes(false, null), cpu));
        memory y = steps().memory(pd.dst_desc());
        steps().add(new softmax_forward(pd), pd, steps().args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y), n.description());
        return y;
    }

    /** Channel-major or position-major values of the map, seen as a flat vector. */
    private memory flatten(Node n, Op.Flatten f) {
        long[] src = dims(n.inputs().get(0));
        memory laid = steps().memory(tagged(src, f.channelsLast() ? memory.format_tag.nhwc : memory.format_tag.nchw));
        memory x = value(n, 0);
        steps().add(steps().own(new reorder(x, laid)), null, steps().args(DNNL_ARG_FROM, x, DNNL_ARG_TO, laid), n.description());
        return view(laid, dims(n), memory.format_tag.nc);
    }

    /** Runs {@code n} on its framework between this run of steps and the next. */
    private memory host(Node n, Op.Host h) {
        List<memory> inputs = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            memory x = value(n, i);
            memory p = steps().memory(plain(dims(n.inputs().get(i))));
            steps().add(steps().own(new reorder(x, p)), null, steps().args(DNNL_ARG_FROM, x, DNNL_ARG_TO, p), n.name() + " input");
            inputs.add(p);
        }
        long[] dst = dims(n);
        memory y = steps().memory(plain(dst));
        int pictures = out.pictures;
        stages.host(() -> {
            List<float[]> values = new ArrayList<>(inputs.size());
            for (memory m : inputs) {
                float[] v = new float[Math.toIntExact(floatsIn(m))];
                OnednnSteps.floats(m).get(v);
                values.add(v);
            }
            float[] result = h.layer().forward(values, pictures);
            if (result.length != size(dst)) {
                throw new IllegalStateException(n.name() + " put out " + result.length + " values, not " + size(dst));
            }
            OnednnSteps.floats(y).put(result);
        });
        out.hostInputs.put(n.id(), inputs);
        return y;
    }

    static long floatsIn(memory m) {
        long bytes = m.get_desc().get_size();
        return bytes / Float.BYTES;
    }

    /** oneDNN refused to set up a node that the front-end translated; it has to run on its framework. */
    static final class Refused extends RuntimeException {
        private final transient Node node;

        Refused(Node node, String why, Throwable cause) {
            super(why, cause);
            this.node = node;
        }

        Node node() {
            return node;
        }
    }

    /** A forward pool as the way back needs it: its primitive's description, the hint, and its own settings. */
    /** What the way back through a layer normalisation needs of the way forward. */
    record NormStep(layer_normalization_forward.primitive_desc pd, memory rows, memory scaleShift, memory mean, memory variance) {
    }

    record PoolStep(pooling_forward.primitive_desc pd, algorithm alg, long[] strides, long[] kernel, long[] padBegin, long[] padEnd) {
    }

    /** What a lowering writes: the plan's stages, memories, and what a backward lowering reads of the forward one. */
    static final class Lowered {
        final engine cpu;
        final int pictures;
        final boolean training;
        final List<OnednnSteps> owners = new ArrayList<>();
        final Map<Integer, memory> values = new HashMap<>();
        final Map<Integer, memory> reads = new LinkedHashMap<>();
        final Map<Integer, convolution_forward.primitive_desc> convolutions = new HashMap<>();
        final Map<Integer, memory> convolutionInputs = new HashMap<>();
        final Map<Integer, inner_product_forward.primitive_desc> denses = new HashMap<>();
        final Map<Integer, memory> denseWeights = new HashMap<>();
        final Map<Integer, PoolStep> pools = new HashMap<>();
        final Map<Integer, NormStep> norms = new HashMap<>();
        final Map<Integer, resampling_forward.primitive_desc> resamplings = new HashMap<>();
        final Map<Integer, memory> workspaces = new HashMap<>();
        final Map<Integer, List<memory>> hostInputs = new HashMap<>();
        memory input;
        List<Runnable> forward = List.of();
        final Map<Integer, memory> seeds = new LinkedHashMap<>();
        final Map<Integer, memory> gradients = new LinkedHashMap<>();
        List<Runnable> backward = List.of();

        Lowered(engine cpu, int pictures, boolean training) {
            this.cpu = cpu;
            this.pictures = pictures;
            this.training = training;
        }
    }
}
