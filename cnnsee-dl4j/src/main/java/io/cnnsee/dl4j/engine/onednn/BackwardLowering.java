package io.cnnsee.dl4j.engine.onednn;

import io.cnnsee.dl4j.engine.graph.Activation;
import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.onednn.ForwardLowering.Lowered;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.inner_product_backward_data;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.layer_normalization_backward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.reduction;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.resampling_backward;
import org.bytedeco.dnnl.resampling_forward;
import org.bytedeco.dnnl.softmax_backward;
import org.bytedeco.dnnl.softmax_forward;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.cnnsee.dl4j.engine.onednn.Stages.plain;
import static io.cnnsee.dl4j.engine.onednn.Stages.size;
import static io.cnnsee.dl4j.engine.onednn.Stages.tagged;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scaleshift;

/**
 * Lowers the way back of a differentiated forward plan: from gradients given at some nodes'
 * outputs (the seeds, channel-major) down to the nodes wanted (the input, taps), each node's
 * gradient the sum of what its readers send it. Only nodes between a wanted node and a seed are
 * differentiated. Every step writes fresh memory, so gradients may be shared without copies.
 *
 * <p>Per op: an activation through oneDNN's backward (from its output where fused, else from its
 * input); a convolution through oneDNN's backward data (Winograd where the forward pass has it),
 * a fused residual sum handing its gradient to the other addend as it is; pools through their
 * backward (max pools by what the forward pool chose); batch norm by its scale; zero padding and
 * concatenation by cutting out; sums, differences, products and maxima by their rules; dense layers
 * through inner-product backward data; a host layer on its framework.
 */
final class BackwardLowering {

    private final Graph graph;
    private final Lowered out;
    private final Kernels kernels;
    private final engine cpu;
    private final Stages stages;
    private final Map<Integer, memory> grads = new HashMap<>();
    private final Set<Integer> between = new HashSet<>();
    /** Guided backpropagation: each ReLU also drops the negative gradients coming back through it. */
    private final boolean guided;

    private BackwardLowering(Graph graph, Lowered out, Kernels kernels, boolean guided) {
        this.graph = graph;
        this.guided = guided;
        this.out = out;
        this.kernels = kernels;
        this.cpu = out.cpu;
        this.stages = new Stages(cpu, out.owners);
    }

    /** Writes the backward stages of {@code out}, whose forward stages are written, from {@code seeds} to {@code wanted}. */
    static void lower(Graph graph, Set<Integer> seeds, Set<Integer> wanted, Lowered out, Kernels kernels, boolean guided) {
        new BackwardLowering(graph, out, kernels, guided).run(seeds, wanted);
    }

    private OnednnSteps steps() {
        return stages.steps();
    }

    private void run(Set<Integer> seeds, Set<Integer> wanted) {
        Set<Integer> upstream = graph.ancestors(seeds);
        Set<Integer> downstream = descendants(wanted);
        for (Node n : graph.nodes()) {
            if (upstream.contains(n.id()) && downstream.contains(n.id())) {
                between.add(n.id());
            }
        }
        for (int s : seeds) {
            memory seed = steps().memory(plain(dims(s)));
            out.seeds.put(s, seed);
            contribute(s, seed);
        }
        List<Node> reversed = new ArrayList<>(graph.nodes());
        java.util.Collections.reverse(reversed);
        for (Node n : reversed) {
            memory g = grads.get(n.id());
            if (!between.contains(n.id()) || g == null) {
                continue;
            }
            if (wanted.contains(n.id())) {
                memory copy = steps().memory(plain(dims(n.id())));
                steps().add(steps().own(new reorder(g, copy)), null, steps().args(DNNL_ARG_FROM, g, DNNL_ARG_TO, copy),
                        n.name() + " gradient");
                out.gradients.put(n.id(), copy);
            }
            try {
                back(n, g);
            } catch (RuntimeException e) {
                throw new ForwardLowering.Refused(n, "oneDNN could not set up its backward pass: " + e.getMessage(), e);
            }
        }
        for (int w : wanted) {
            if (!out.gradients.containsKey(w)) {
                // Nothing sought depends on it: its gradient is zero.
                memory zero = steps().memory(plain(dims(w)));
                Pointer.memset(new Pointer(zero.get_data_handle()), 0, zero.get_desc().get_size());
                out.gradients.put(w, zero);
            }
        }
        out.backward = stages.finish();
    }

    private Set<Integer> descendants(Set<Integer> from) {
        Set<Integer> seen = new HashSet<>(from);
        for (Node n : graph.nodes()) {
            for (int i : n.inputs()) {
                if (seen.contains(i)) {
                    seen.add(n.id());
                    break;
                }
            }
        }
        return seen;
    }

    private long[] dims(int id) {
        return graph.node(id).shape().dims(out.pictures);
    }

    /** Adds {@code g} to the gradient of node {@code id}'s output, where that node is differentiated. */
    private void contribute(int id, memory g) {
        if (!between.contains(id)) {
            return;
        }
        memory sum = grads.get(id);
        if (sum == null) {
            grads.put(id, g);
            return;
        }
        memory other = steps().conform(g, sum.get_desc());
        grads.put(id, binary(algorithm.binary_add, sum, other, graph.node(id).name() + " gradient sum"));
    }

    private memory binary(algorithm alg, memory a, memory b, String name) {
        binary.primitive_desc pd = steps().own(new binary.primitive_desc(steps().own(new binary.desc(alg, a.get_desc(),
                b.get_desc(), a.get_desc())), steps().attributes(false, null), cpu));
        memory y = steps().memory(pd.dst_desc());
        steps().add(new binary(pd), pd, steps().args(DNNL_ARG_SRC_0, a, DNNL_ARG_SRC_1, b, DNNL_ARG_DST, y), name);
        return y;
    }

    private void back(Node n, memory g) {
        Op op = n.op();
        if (op instanceof Op.Input) {
            return;
        }
        if (op instanceof Op.Conv c) {
            convolution(n, c, g);
        } else if (op instanceof Op.ChannelAffine a) {
            contribute(in(n, 0), scaled(n, g, a.scale()));
        } else if (op instanceof Op.Eltwise e) {
            contribute(in(n, 0), activation(n, e.activation(), g, false));
        } else if (op instanceof Op.Pool || op instanceof Op.GlobalPool) {
            pool(n, g);
        } else if (op instanceof Op.Crop c) {
            contribute(in(n, 0), padded(n, g, c));
        } else if (op instanceof Op.Upsample) {
            upsample(n, g);
        } else if (op instanceof Op.ZeroPad z) {
            contribute(in(n, 0), cut(n, g, dims(in(n, 0)), new long[] {0, 0, z.top(), z.left()}));
        } else if (op instanceof Op.Concat) {
            long offset = 0;
            for (int i = 0; i < n.inputs().size(); i++) {
                long[] d = dims(in(n, i));
                long[] at = new long[d.length];
                at[1] = offset;
                if (between.contains(in(n, i))) {
                    contribute(in(n, i), cut(n, g, d, at));
                }
                offset += d[1];
            }
        } else if (op instanceof Op.Combine c) {
            combine(n, c, activation(n, c.activation(), g, true));
        } else if (op instanceof Op.ChannelScale s) {
            channelScale(n, s, g);
        } else if (op instanceof Op.LayerNorm l) {
            layerNorm(n, l, g);
        } else if (op instanceof Op.Dense d) {
            dense(n, activation(n, d.activation(), g, true));
        } else if (op instanceof Op.Softmax) {
            softmax(n, g);
        } else if (op instanceof Op.Flatten f) {
            memory flat = steps().conform(g, plain(dims(n.id())));
            long[] d = dims(in(n, 0));
            contribute(in(n, 0), steps().own(new memory(tagged(d, f.channelsLast() ? memory.format_tag.nhwc : memory.format_tag.nchw),
                    cpu, flat.get_data_handle())));
        } else if (op instanceof Op.Identity) {
            contribute(in(n, 0), g);
        } else if (op instanceof Op.Host h) {
            host(n, h, g);
        } else {
            throw new IllegalStateException("no backward lowering for " + op);
        }
    }

    private int in(Node n, int i) {
        return n.inputs().get(i);
    }

    /**
     * {@code g} through {@code a}: with respect to the activation's input, given it with respect
     * to its output. {@code fused}: the activation ran inside the node, whose output is all that
     * was kept (its derivative then follows from the output); else the node's input is its input.
     */
    private memory activation(Node n, Activation a, memory g, boolean fused) {
        Eltwise e = Eltwise.of(a);
        if (e == null) {
            return g;
        }
        boolean fromOutput = fused || a.differentiableFromOutput();
        memory data = fromOutput ? out.values.get(n.id()) : out.values.get(in(n, 0));
        algorithm alg = fromOutput ? e.fromOutput() : e.forward();
        if (alg == null) {
            throw new IllegalStateException(a.kind() + " fused into " + n.name() + " cannot be differentiated from its output");
        }
        memory.desc desc = data.get_desc();
        memory diff = steps().conform(g, desc);
        eltwise_forward.primitive_desc hint = steps().own(new eltwise_forward.primitive_desc(steps().own(new eltwise_forward.desc(
                prop_kind.forward_training, alg, desc, e.alpha(), e.beta())), cpu));
        eltwise_backward.primitive_desc pd = steps().own(new eltwise_backward.primitive_desc(steps().own(new eltwise_backward.desc(
                alg, desc, desc, e.alpha(), e.beta())), steps().attributes(false, null), cpu, hint));
        memory result = steps().memory(pd.diff_src_desc());
        steps().add(new eltwise_backward(pd), pd, steps().args(fromOutput ? DNNL_ARG_DST : DNNL_ARG_SRC, data,
                DNNL_ARG_DIFF_DST, diff, DNNL_ARG_DIFF_SRC, result), n.name() + " activation backward");
        if (guided && a.equals(Activation.RELU)) {
            // The gradient that passed the ReLU, itself through a ReLU: where the input was positive, the positive part.
            memory.desc rd = pd.diff_src_desc();
            eltwise_forward.primitive_desc positive = steps().own(new eltwise_forward.primitive_desc(steps().own(
                    new eltwise_forward.desc(prop_kind.forward_inference, algorithm.eltwise_relu, rd, 0f, 0f)), cpu));
            steps().add(new eltwise_forward(positive), positive, steps().args(DNNL_ARG_SRC, result, DNNL_ARG_DST, result),
                    n.name() + " guided");
        }
        return result;
    }

    private void convolution(Node n, Op.Conv c, memory g) {
        g = activation(n, c.activation(), g, true);
        if (c.addsSecondInput()) {
            contribute(in(n, 1), g);
        }
        if (!between.contains(in(n, 0))) {
            return;
        }
        convolution_forward.primitive_desc forward = out.convolutions.get(n.id());
        long[] src = dims(in(n, 0));
        long[] dst = dims(n.id());
        ConvolutionGeometry geometry = ConvolutionGeometry.of(c);
        convolution_backward_data.primitive_desc pd = null;
        if (c.winograd()) {
            try {
                pd = backwardData(algorithm.convolution_winograd, geometry, src, dst, forward);
            } catch (RuntimeException e) {
                pd = null; // no Winograd kernel for this layer's way back: direct
            }
        }
        if (pd == null) {
            pd = backwardData(algorithm.convolution_direct, geometry, src, dst, forward);
        }
        memory diff = steps().conform(g, pd.diff_dst_desc());
        memory result = steps().memory(pd.diff_src_desc());
        steps().add(new convolution_backward_data(pd), pd, steps().args(DNNL_ARG_DIFF_DST, diff,
                DNNL_ARG_WEIGHTS, kernels.get(c.weights().key(), "backward data", pd.weights_desc(), c.weights()::values),
                DNNL_ARG_DIFF_SRC, result), n.description() + " backward");
        contribute(in(n, 0), result);
    }

    private convolution_backward_data.primitive_desc backwardData(algorithm alg, ConvolutionGeometry g, long[] src, long[] dst,
                                                                  convolution_forward.primitive_desc forward) {
        convolution_backward_data.desc desc = steps().own(new convolution_backward_data.desc(alg,
                tagged(src, memory.format_tag.any), tagged(g.weights(), memory.format_tag.any), tagged(dst, memory.format_tag.any),
                g.strides(), g.dilates(), g.padBegin(), g.padEnd()));
        return steps().own(new convolution_backward_data.primitive_desc(desc, steps().attributes(false, null), cpu, forward));
    }

    /** {@code g} times a per-channel factor. */
    private memory scaled(Node n, memory g, float[] factors) {
        long[] d = dims(n.id());
        long[] perChannel = d.length == 4 ? new long[] {1, d[1], 1, 1} : new long[] {1, d[1]};
        memory.desc desc = plain(perChannel);
        memory f = kernels.get(factors, "factors", desc, () -> factors.clone());
        return binary(algorithm.binary_mul, steps().conform(g, plain(d)), f, n.name() + " scale backward");
    }

    private void pool(Node n, memory g) {
        if (!between.contains(in(n, 0))) {
            return;
        }
        ForwardLowering.PoolStep forward = out.pools.get(n.id());
        memory.desc dst = forward.pd().dst_desc();
        if (n.shape().flat()) {
            memory flat = steps().conform(g, plain(dims(n.id())));
            long[] pooled = {out.pictures, n.shape().channels(), 1, 1};
            g = steps().own(new memory(plain(pooled), cpu, flat.get_data_handle()));
        }
        memory diff = steps().conform(g, dst);
        pooling_backward.primitive_desc pd = steps().own(new pooling_backward.primitive_desc(steps().own(new pooling_backward.desc(
                forward.alg(), forward.pd().src_desc(), dst, forward.strides(), forward.kernel(), forward.padBegin(), forward.padEnd())),
                steps().attributes(false, null), cpu, forward.pd()));
        memory result = steps().memory(pd.diff_src_desc());
        var args = steps().args(DNNL_ARG_DIFF_DST, diff, DNNL_ARG_DIFF_SRC, result);
        memory chosen = out.workspaces.get(n.id());
        if (chosen != null) {
            args.put(DNNL_ARG_WORKSPACE, chosen);
        }
        steps().add(new pooling_backward(pd), pd, args, n.description() + " backward");
        contribute(in(n, 0), result);
    }

    /** The way back through a crop: the gradient where the crop took the map, zero where it cut. */
    private memory padded(Node n, memory g, Op.Crop c) {
        long[] whole = dims(in(n, 0));
        memory result = steps().memory(plain(whole));
        Pointer.memset(new Pointer(result.get_data_handle()), 0, size(whole) * Float.BYTES);
        memory part = steps().own(new memory(result.get_desc().submemory_desc(dims(n.id()), new long[] {0, 0, c.top(), c.left()}), cpu,
                result.get_data_handle()));
        memory diff = steps().conform(g, plain(dims(n.id())));
        steps().add(steps().own(new reorder(diff, part)), null, steps().args(DNNL_ARG_FROM, diff, DNNL_ARG_TO, part),
                n.name() + " backward");
        return result;
    }

    /** The way back through nearest-neighbour upsampling: each value the sum of the gradients it was copied to. */
    private void upsample(Node n, memory g) {
        resampling_forward.primitive_desc forward = out.resamplings.get(n.id());
        memory diff = steps().conform(g, forward.dst_desc());
        resampling_backward.primitive_desc pd = steps().own(new resampling_backward.primitive_desc(steps().own(
                new resampling_backward.desc(algorithm.resampling_nearest.value, forward.src_desc(), forward.dst_desc())),
                steps().attributes(false, null), cpu, forward));
        memory result = steps().memory(pd.diff_src_desc());
        steps().add(new resampling_backward(pd), pd, steps().args(DNNL_ARG_DIFF_DST, diff, DNNL_ARG_DIFF_SRC, result),
                n.description() + " backward");
        contribute(in(n, 0), result);
    }

    /** The part of {@code g} of dimensions {@code dims} at {@code offsets}, copied out channel-major. */
    private memory cut(Node n, memory g, long[] dims, long[] offsets) {
        memory whole = steps().conform(g, plain(dims(n.id())));
        memory part = steps().own(new memory(whole.get_desc().submemory_desc(dims, offsets), cpu, whole.get_data_handle()));
        memory result = steps().memory(plain(dims));
        steps().add(steps().own(new reorder(part, result)), null, steps().args(DNNL_ARG_FROM, part, DNNL_ARG_TO, result),
                n.name() + " backward");
        return result;
    }

    private void combine(Node n, Op.Combine c, memory g) {
        int count = n.inputs().size();
        switch (c.kind()) {
            case ADD -> n.inputs().forEach(i -> contribute(i, g));
            case AVERAGE -> {
                memory share = steps().linear(g, 1f / count, null, n.name() + " backward");
                n.inputs().forEach(i -> contribute(i, share));
            }
            case SUBTRACT -> {
                contribute(in(n, 0), g);
                contribute(in(n, 1), steps().linear(g, -1f, null, n.name() + " backward"));
            }
            case PRODUCT -> {
                for (int i = 0; i < count; i++) {
                    if (!between.contains(in(n, i))) {
                        continue;
                    }
                    memory x = g;
                    for (int j = 0; j < count; j++) {
                        if (j != i) {
                            memory other = out.values.get(in(n, j));
                            x = binary(algorithm.binary_mul, steps().conform(x, other.get_desc()), other, n.name() + " product backward");
                        }
                    }
                    contribute(in(n, i), x);
                }
            }
            case MAX -> max(n, g);
        }
    }

    /** The way back through a layer normalisation, row by row as the way forward went. */
    private void layerNorm(Node n, Op.LayerNorm l, memory g) {
        ForwardLowering.NormStep forward = out.norms.get(n.id());
        long[] d = dims(n.id());
        memory diff = n.shape().flat() ? steps().conform(g, plain(d)) : steps().conform(g, tagged(d, memory.format_tag.nhwc));
        memory diff2 = steps().own(new memory(forward.rows().get_desc(), cpu, diff.get_data_handle()));
        layer_normalization_backward.primitive_desc pd = steps().own(new layer_normalization_backward.primitive_desc(
                steps().own(new layer_normalization_backward.desc(prop_kind.backward.value, forward.rows().get_desc(),
                        forward.rows().get_desc(), l.epsilon(), dnnl_use_scaleshift)), steps().attributes(false, null), cpu, forward.pd()));
        // oneDNN computes the scale and shift's gradients along with the input's: kept, unread.
        memory unread = steps().memory(pd.diff_weights_desc());
        memory result = steps().memory(n.shape().flat() ? plain(d) : tagged(d, memory.format_tag.nhwc));
        memory result2 = steps().own(new memory(forward.rows().get_desc(), cpu, result.get_data_handle()));
        steps().add(new layer_normalization_backward(pd), pd, steps().args(DNNL_ARG_SRC, forward.rows(), DNNL_ARG_MEAN, forward.mean(),
                DNNL_ARG_VARIANCE, forward.variance(), DNNL_ARG_DIFF_DST, diff2, DNNL_ARG_SCALE_SHIFT, forward.scaleShift(),
                DNNL_ARG_DIFF_SRC, result2, DNNL_ARG_DIFF_SCALE_SHIFT, unread), n.description() + " backward");
        contribute(in(n, 0), result);
    }

    /**
     * The way back through a map times its factors: to the map, the gradient times the factors
     * (broadcast); to each factor, the sum over rows and columns of the gradient times the map.
     */
    private void channelScale(Node n, Op.ChannelScale s, memory g) {
        int map = in(n, s.mapInput());
        int vector = in(n, 1 - s.mapInput());
        long[] d = dims(map);
        long[] rows = {d[0], d[2] * d[3], d[1]};
        memory diff3 = rows(steps().conform(g, tagged(d, memory.format_tag.nhwc)), rows);
        if (between.contains(map)) {
            memory factors = steps().conform(out.values.get(vector), tagged(dims(vector), memory.format_tag.nhwc));
            memory scaled = binary(algorithm.binary_mul, diff3, rows(factors, new long[] {d[0], 1, d[1]}), n.name() + " backward to the map");
            contribute(map, steps().own(new memory(tagged(d, memory.format_tag.nhwc), cpu, scaled.get_data_handle())));
        }
        if (between.contains(vector)) {
            memory x3 = rows(steps().conform(out.values.get(map), tagged(d, memory.format_tag.nhwc)), rows);
            memory product = binary(algorithm.binary_mul, diff3, x3, n.name() + " backward to the factors");
            memory.desc sums = tagged(new long[] {d[0], 1, d[1]}, memory.format_tag.abc);
            reduction.primitive_desc pd = steps().own(new reduction.primitive_desc(steps().own(new reduction.desc(
                    algorithm.reduction_sum, product.get_desc(), sums, 0f, 0f)), steps().attributes(false, null), cpu));
            memory result = steps().memory(pd.dst_desc());
            steps().add(new reduction(pd), pd, steps().args(DNNL_ARG_SRC, product, DNNL_ARG_DST, result), n.name() + " factor sums");
            contribute(vector, steps().own(new memory(tagged(dims(vector), memory.format_tag.nhwc), cpu, result.get_data_handle())));
        }
    }

    /** A channels-last map's memory seen as rows of channels, {@code [n, h w, c]}. */
    private memory rows(memory nhwc, long[] rows) {
        return steps().own(new memory(tagged(rows, memory.format_tag.abc), cpu, nhwc.get_data_handle()));
    }

    /**
     * The way back through a maximum, as the forward pass took it: pairwise, left to right. Each
     * step's gradient goes to its left operand where that was the larger (ties included), else
     * to its right one.
     */
    private void max(Node n, memory g) {
        int count = n.inputs().size();
        memory.desc desc = out.values.get(in(n, 0)).get_desc();
        List<memory> running = new ArrayList<>(); // running.get(k): the maximum of inputs 0..k
        running.add(out.values.get(in(n, 0)));
        for (int k = 1; k < count - 1; k++) {
            running.add(binary(algorithm.binary_max, running.get(k - 1), steps().conform(out.values.get(in(n, k)), desc),
                    n.name() + " max backward"));
        }
        memory gradient = steps().conform(g, desc);
        for (int k = count - 1; k >= 1; k--) {
            memory left = running.get(k - 1);
            memory chosen = binary(algorithm.binary_ge, left, steps().conform(out.values.get(in(n, k)), desc), n.name() + " max backward");
            memory toLeft = binary(algorithm.binary_mul, gradient, chosen, n.name() + " max backward");
            contribute(in(n, k), binary(algorithm.binary_sub, gradient, toLeft, n.name() + " max backward"));
            gradient = toLeft;
        }
        contribute(in(n, 0), gradient);
    }

    private void dense(Node n, memory g) {
        if (!between.contains(in(n, 0))) {
            return;
        }
        inner_product_forward.primitive_desc forward = out.denses.get(n.id());
        Op.Dense d = (Op.Dense) n.op();
        long[] src = dims(in(n, 0));
        long outputs = d.weights().dims()[0];
        // The forward pass's kernel, in its layout (read in place where it could be).
        memory weights = out.denseWeights.get(n.id());
        inner_product_backward_data.primitive_desc pd = steps().own(new inner_product_backward_data.primitive_desc(
                steps().own(new inner_product_backward_data.desc(tagged(src, memory.format_tag.any),
                        weights.get_desc(), tagged(new long[] {out.pictures, outputs}, memory.format_tag.nc))),
                steps().attributes(false, null), cpu, forward));
        memory diff = steps().conform(g, pd.diff_dst_desc());
        memory result = steps().memory(pd.diff_src_desc());
        steps().add(new inner_product_backward_data(pd), pd, steps().args(DNNL_ARG_DIFF_DST, diff,
                DNNL_ARG_WEIGHTS, steps().conform(weights, pd.weights_desc()), DNNL_ARG_DIFF_SRC, result), n.description() + " backward");
        contribute(in(n, 0), result);
    }

    private void softmax(Node n, memory g) {
        memory y = out.values.get(n.id());
        softmax_forward.primitive_desc hint = steps().own(new softmax_forward.primitive_desc(
                steps().own(new softmax_forward.desc(prop_kind.forward_training, y.get_desc(), 1)), cpu));
        softmax_backward.primitive_desc pd = steps().own(new softmax_backward.primitive_desc(
                steps().own(new softmax_backward.desc(y.get_desc(), y.get_desc(), 1)), steps().attributes(false, null), cpu, hint));
        memory diff = steps().conform(g, y.get_desc());
        memory result = steps().memory(pd.diff_src_desc());
        steps().add(new softmax_backward(pd), pd, steps().args(DNNL_ARG_DST, y, DNNL_ARG_DIFF_DST, diff, DNNL_ARG_DIFF_SRC, result),
                n.name() + " backward");
        contribute(in(n, 0), result);
    }

    /** The way back through a layer its framework runs, between this run of steps and the next. */
    private void host(Node n, Op.Host h, memory g) {
        long[] d = dims(n.id());
        memory diff = steps().memory(plain(d));
        steps().add(steps().own(new reorder(g, diff)), null, steps().args(DNNL_ARG_FROM, g, DNNL_ARG_TO, diff), n.name() + " gradient");
        List<memory> results = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            results.add(steps().memory(plain(dims(in(n, i)))));
        }
        int pictures = out.pictures;
        stages.host(() -> {
            float[] values = new float[Math.toIntExact(size(d))];
            OnednnSteps.floats(diff).get(values);
            List<float[]> intoInputs = h.layer().backward(values, pictures);
            for (int i = 0; i < results.size(); i++) {
                OnednnSteps.floats(results.get(i)).put(intoInputs.get(i));
            }
        });
        for (int i = 0; i < n.inputs().size(); i++) {
            contribute(in(n, i), results.get(i));
        }
    }
}
