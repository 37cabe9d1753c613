package io.cnnsee.dl4j;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.softmax_forward;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.graph.vertex.impl.MergeVertex;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_global_stats;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scaleshift;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;

/**
 * Compiles a Deeplearning4j graph, from its input to the vertices to read, into a {@link GraphPlan}
 * of oneDNN primitives for one picture. Each vertex becomes a primitive (convolution, depthwise
 * convolution, batch normalisation, element-wise activation, max or average pooling, global
 * pooling, zero padding, concatenation, element-wise add and the like, dense, softmax), dropout
 * becomes nothing, and what oneDNN cannot run ({@link #whyNot}) runs on Deeplearning4j.
 *
 * <p>Where nobody reads what lies between, a convolution takes in the batch normalisation after
 * it (folded into its weights), the residual add after that (oneDNN's sum post-op, written over
 * the other addend's memory when nothing else needs it any more) and the activation after that:
 * ResNet's conv-BN-add-ReLU is one primitive, as in ONNX Runtime's fused graph.
 */
final class GraphCompiler {

    private final ComputationGraph graph;
    private final GraphVertex[] vertices;
    private final int[] order;
    private final Map<String, InputType> types;
    private final long[] inputDims;
    private final engine cpu;
    private final GraphKernels kernels;
    private final Set<Integer> reads;
    private final Map<Integer, String> fallbacks;

    private final Map<Integer, memory> values = new HashMap<>();
    private final Set<Integer> emitted = new HashSet<>();
    /** Per vertex that ends a fused group, the group, first member first. */
    private final Map<Integer, List<GraphVertex>> groups = new HashMap<>();
    private final Set<Integer> inGroups = new HashSet<>();
    private final List<Runnable> stages = new ArrayList<>();
    private final List<OnednnSteps> segments = new ArrayList<>();
    private final Map<Integer, memory> readable = new LinkedHashMap<>();
    private final Map<Integer, Long> readSizes = new HashMap<>();
    private OnednnSteps steps;

    GraphCompiler(ComputationGraph graph, Map<String, InputType> types, long[] inputDims, engine cpu, GraphKernels kernels,
                  Set<Integer> reads, Map<Integer, String> fallbacks) {
        this.graph = graph;
        this.vertices = graph.getVertices();
        this.order = graph.topologicalSortOrder();
        this.types = types;
        this.inputDims = inputDims;
        this.cpu = cpu;
        this.kernels = kernels;
        this.reads = Set.copyOf(reads);
        this.fallbacks = Map.copyOf(fallbacks);
    }

    /**
     * Why oneDNN cannot run {@code v} here, or {@code null} when it can: the vertex then runs on
     * Deeplearning4j ({@link Dl4jStage}). The same answer for every plan of a graph.
     */
    static String whyNot(GraphVertex v, Map<String, InputType> types, ComputationGraph graph) {
        if (v.isInputVertex()) {
            return null;
        }
        InputType in = types.get(graph.getVertices()[v.getInputVertices()[0].getVertexIndex()].getVertexName());
        InputType out = types.get(v.getVertexName());
        if (v instanceof LayerVertex lv) {
            Layer conf = lv.getLayer().conf().getLayer();
            String kind = conf.getClass().getSimpleName();
            InputPreProcessor pre = lv.getLayerPreProcessor();
            boolean flattens = pre instanceof CnnToFeedForwardPreProcessor && in instanceof InputType.InputTypeConvolutional;
            boolean unflattens = pre instanceof FeedForwardToCnnPreProcessor && in instanceof InputType.InputTypeConvolutionalFlat;
            if (pre != null && !unflattens && !(flattens && (conf instanceof DenseLayer || conf instanceof OutputLayer))) {
                return "its input preprocessor " + pre.getClass().getSimpleName() + " has no oneDNN translation";
            }
            if (conf.getClass() == ConvolutionLayer.class || conf.getClass() == DepthwiseConvolution2D.class) {
                ConvolutionLayer c = (ConvolutionLayer) conf;
                if (c.getConvolutionMode() == ConvolutionMode.Causal) {
                    return "causal padding has no oneDNN translation";
                }
                return activationWhyNot(c.getActivationFn(), false);
            }
            if (conf instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
                return null;
            }
            if (conf instanceof ActivationLayer a) {
                return activationWhyNot(a.getActivationFn(), out instanceof InputType.InputTypeFeedForward);
            }
            if (conf instanceof LossLayer l) {
                return activationWhyNot(l.getActivationFn(), out instanceof InputType.InputTypeFeedForward);
            }
            if (conf.getClass() == SubsamplingLayer.class) {
                SubsamplingLayer s = (SubsamplingLayer) conf;
                if (s.getPoolingType() != PoolingType.MAX && s.getPoolingType() != PoolingType.AVG) {
                    return s.getPoolingType() + " pooling has no oneDNN translation";
                }
                if (s.getDilation()[0] != 1 || s.getDilation()[1] != 1 || s.getConvolutionMode() == ConvolutionMode.Causal) {
                    return "dilated or causal pooling has no oneDNN translation";
                }
                return null;
            }
            if (conf instanceof GlobalPoolingLayer g) {
                boolean kind2 = g.getPoolingType() == PoolingType.MAX || g.getPoolingType() == PoolingType.AVG;
                return kind2 && in instanceof InputType.InputTypeConvolutional ? null
                        : "global " + g.getPoolingType() + " pooling of " + in.getType() + " input has no oneDNN translation";
            }
            if (conf.getClass() == DenseLayer.class || conf.getClass() == OutputLayer.class) {
                return activationWhyNot(((BaseLayer) conf).getActivationFn(), true);
            }
            if (conf instanceof DropoutLayer) {
                return null;
            }
            if (conf instanceof ZeroPaddingLayer) {
                return in instanceof InputType.InputTypeConvolutional ? null : "zero padding of a flat input";
            }
            return kind + " has no oneDNN translation in cnnsee";
        }
        if (v instanceof org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex) {
            ElementWiseVertex.Op op = op(v, graph);
            return op == ElementWiseVertex.Op.Add || op == ElementWiseVertex.Op.Subtract || op == ElementWiseVertex.Op.Product
                    || op == ElementWiseVertex.Op.Max || op == ElementWiseVertex.Op.Average ? null
                    : "element-wise " + op + " has no oneDNN translation";
        }
        if (v instanceof MergeVertex) {
            long sum = 0;
            for (var i : v.getInputVertices()) {
                sum += channels(types.get(graph.getVertices()[i.getVertexIndex()].getVertexName()));
            }
            return sum == channels(out) ? null : "it does not join its inputs along their channels";
        }
        return v.getClass().getSimpleName() + " has no oneDNN translation in cnnsee";
    }

    private static String activationWhyNot(IActivation activation, boolean flat) {
        if (activation instanceof ActivationSoftmax) {
            return flat ? null : "softmax over a spatial map has no oneDNN translation in cnnsee";
        }
        return OnednnActivation.of(activation).isPresent() ? null
                : "its activation " + activation + " has no exact oneDNN equivalent";
    }

    private static long channels(InputType t) {
        if (t instanceof InputType.InputTypeConvolutional c) {
            return c.getChannels();
        }
        return t instanceof InputType.InputTypeFeedForward f ? f.getSize() : -1;
    }

    /** The plan up to the last vertex read, with the vertices of {@code fallbacks} on Deeplearning4j. */
    GraphPlan compile() {
        int last = 0;
        for (int p = 0; p < order.length; p++) {
            if (reads.contains(order[p])) {
                last = p;
            }
        }
        group(last);
        steps = newSegment();
        memory input = steps.memory(tagged(inputDims, memory.format_tag.nchw));
        long inputSize = size(inputDims);
        try {
            for (int p = 0; p <= last; p++) {
                GraphVertex v = vertices[order[p]];
                if (v.isInputVertex()) {
                    hold(v.getVertexIndex(), input);
                } else if (fallbacks.containsKey(v.getVertexIndex())) {
                    fallback(v);
                } else if (groups.containsKey(v.getVertexIndex())) {
                    emit(groups.get(v.getVertexIndex()));
                } else if (!inGroups.contains(v.getVertexIndex())) {
                    emit(List.of(v));
                }
                if (groups.containsKey(v.getVertexIndex())) {
                    groups.get(v.getVertexIndex()).forEach(m -> emitted.add(m.getVertexIndex()));
                } else if (!inGroups.contains(v.getVertexIndex())) {
                    emitted.add(v.getVertexIndex());
                }
                if (reads.contains(v.getVertexIndex())) {
                    readOut(v);
                }
            }
            endSegment();
            return new GraphPlan(stages, segments, input, inputSize, readable, readSizes);
        } catch (RuntimeException e) {
            segments.forEach(OnednnSteps::close);
            throw e;
        }
    }

    /** oneDNN refused to set up a vertex that {@link #whyNot} let through; it has to run on Deeplearning4j. */
    static final class Refused extends RuntimeException {
        private final int vertex;

        Refused(int vertex, String why, Throwable cause) {
            super(why, cause);
            this.vertex = vertex;
        }

        int vertex() {
            return vertex;
        }
    }

    // ---- Fusion ----------------------------------------------------------------------------

    /** Forms the fused groups (see the class comment) among the vertices up to position {@code last}. */
    private void group(int last) {
        for (int p = 0; p <= last; p++) {
            GraphVertex v = vertices[order[p]];
            if (fallbacks.containsKey(v.getVertexIndex()) || inGroups.contains(v.getVertexIndex())) {
                continue;
            }
            List<GraphVertex> members = new ArrayList<>(List.of(v));
            Layer conf = layer(v);
            boolean convolution = conf instanceof ConvolutionLayer;
            boolean elementWise = v instanceof org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
            boolean dense = conf instanceof DenseLayer || conf instanceof OutputLayer;
            if (convolution && OnednnActivation.of(((ConvolutionLayer) conf).getActivationFn()).orElseThrow().identity()) {
                GraphVertex next = sole(v);
                if (next != null && layer(next) instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
                    members.add(next);
                    next = sole(next);
                }
                if (next != null && isAdd(next) && next.getInputVertices().length == 2
                        && next.getInputVertices()[0].getVertexIndex() != next.getInputVertices()[1].getVertexIndex()) {
                    members.add(next);
                    next = sole(next);
                }
                if (next != null && isActivation(next)) {
                    members.add(next);
                }
            } else if (elementWise || dense && !(((BaseLayer) conf).getActivationFn() instanceof ActivationSoftmax)
                    && OnednnActivation.of(((BaseLayer) conf).getActivationFn()).orElseThrow().identity()) {
                GraphVertex next = sole(v);
                if (next != null && isActivation(next)) {
                    members.add(next);
                }
            }
            if (members.size() > 1) {
                for (GraphVertex m : members) {
                    inGroups.add(m.getVertexIndex());
                }
                groups.put(members.get(members.size() - 1).getVertexIndex(), members);
            }
        }
    }

    /** The one vertex that takes {@code v}'s output, when nobody else needs it: not read, not an output. */
    private GraphVertex sole(GraphVertex v) {
        if (reads.contains(v.getVertexIndex()) || v.getOutputVertices() == null || v.getOutputVertices().length != 1
                || graph.getConfiguration().getNetworkOutputs().contains(v.getVertexName())) {
            return null;
        }
        GraphVertex next = vertices[v.getOutputVertices()[0].getVertexIndex()];
        boolean plain = !(next instanceof LayerVertex lv) || lv.getLayerPreProcessor() == null;
        return plain && !fallbacks.containsKey(next.getVertexIndex()) && !inGroups.contains(next.getVertexIndex()) ? next : null;
    }

    private boolean isAdd(GraphVertex v) {
        return v instanceof org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex
                && op(v, graph) == ElementWiseVertex.Op.Add;
    }

    /** An activation layer of an element-wise activation oneDNN has (not softmax). */
    private static boolean isActivation(GraphVertex v) {
        return layer(v) instanceof ActivationLayer a && !(a.getActivationFn() instanceof ActivationSoftmax)
                && OnednnActivation.of(a.getActivationFn()).isPresent();
    }

    /** An element-wise vertex's operation, which only its configuration holds. */
    private static ElementWiseVertex.Op op(GraphVertex v, ComputationGraph graph) {
        return ((ElementWiseVertex) graph.getConfiguration().getVertices().get(v.getVertexName())).getOp();
    }

    private static Layer layer(GraphVertex v) {
        return v instanceof LayerVertex lv ? lv.getLayer().conf().getLayer() : null;
    }

    // ---- Emission --------------------------------------------------------------------------

    private void emit(List<GraphVertex> group) {
        GraphVertex head = group.get(0);
        GraphVertex tail = group.get(group.size() - 1);
        memory y;
        try {
            Layer conf = layer(head);
            if (conf instanceof ConvolutionLayer) {
                y = convolution(group);
            } else if (head instanceof org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex) {
                y = elementWise(head, group.size() > 1 ? activationOf(tail) : OnednnActivation.IDENTITY);
            } else if (head instanceof MergeVertex) {
                y = concatenation(head);
            } else if (conf instanceof DenseLayer || conf instanceof OutputLayer) {
                y = dense(head, group.size() > 1 ? activationOf(tail) : null);
            } else if (conf instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
                y = batchNorm(head, input(head, 0));
            } else if (conf instanceof ActivationLayer a) {
                y = activation(head, a.getActivationFn(), input(head, 0));
            } else if (conf instanceof LossLayer l) {
                y = activation(head, l.getActivationFn(), input(head, 0));
            } else if (conf instanceof SubsamplingLayer s) {
                y = pool(head, s);
            } else if (conf instanceof GlobalPoolingLayer g) {
                y = globalPool(head, g);
            } else if (conf instanceof ZeroPaddingLayer z) {
                y = zeroPadding(head, z);
            } else if (conf instanceof DropoutLayer) {
                y = input(head, 0);
            } else {
                throw new IllegalStateException("no translation for " + head.getVertexName());
            }
        } catch (RuntimeException e) {
            throw new Refused(head.getVertexIndex(), "oneDNN could not set it up: " + e.getMessage(), e);
        }
        hold(tail.getVertexIndex(), y);
    }

    private static OnednnActivation activationOf(GraphVertex activationLayer) {
        return OnednnActivation.of(((ActivationLayer) layer(activationLayer)).getActivationFn()).orElseThrow();
    }

    /** A convolution with what its group fused into it: batch normalisation, a residual add, an activation. */
    private memory convolution(List<GraphVertex> group) {
        LayerVertex cv = (LayerVertex) group.get(0);
        ConvolutionLayer conf = (ConvolutionLayer) cv.getLayer().conf().getLayer();
        BatchNormAffine bn = null;
        GraphVertex add = null;
        OnednnActivation act = OnednnActivation.of(conf.getActivationFn()).orElseThrow();
        for (GraphVertex m : group.subList(1, group.size())) {
            if (layer(m) instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
                bn = BatchNormAffine.of((org.deeplearning4j.nn.layers.normalization.BatchNormalization) ((LayerVertex) m).getLayer());
            } else if (layer(m) instanceof ActivationLayer) {
                act = activationOf(m);
            } else {
                add = m;
            }
        }
        boolean depthwise = conf instanceof DepthwiseConvolution2D;
        memory x = input(cv, 0);
        long[] src = inputDimsOf(cv);
        long[] dst = dims(cv.getVertexIndex());
        int[] k = conf.getKernelSize();
        long[] weights = depthwise
                ? new long[] {src[1], dst[1] / src[1], 1, k[0], k[1]}
                : new long[] {dst[1], src[1], k[0], k[1]};
        long[][] pads = padding(conf.getConvolutionMode(), src, dst, k, conf.getStride(), conf.getPadding(), conf.getDilation());
        boolean hasBias = conf.hasBias();
        memory.desc biasDesc = hasBias || bn != null ? tagged(new long[] {dst[1]}, memory.format_tag.x) : null;
        int[] d = conf.getDilation();
        memory.desc in = tagged(src, memory.format_tag.any);
        memory.desc w = tagged(weights, memory.format_tag.any);
        memory.desc out = tagged(dst, memory.format_tag.any);
        long[] strides = {conf.getStride()[0], conf.getStride()[1]};
        long[] dilates = {d[0] - 1, d[1] - 1};
        convolution_forward.desc desc = steps.own(biasDesc == null
                ? new convolution_forward.desc(prop_kind.forward_inference, algorithm.convolution_direct, in, w, out, strides, dilates,
                pads[0], pads[1])
                : new convolution_forward.desc(prop_kind.forward_inference, algorithm.convolution_direct, in, w, biasDesc, out,
                strides, dilates, pads[0], pads[1]));
        convolution_forward.primitive_desc pd = steps.own(new convolution_forward.primitive_desc(desc,
                steps.attributes(add != null, act), cpu));
        x = steps.conform(x, pd.src_desc());
        memory y;
        if (add != null) {
            int otherVertex = other(add, group);
            memory other = values.get(otherVertex);
            if (other.get_desc().equals(pd.dst_desc()) && overwritable(otherVertex, add)) {
                y = other; // the sum lands where the other addend was, which nothing reads any more
            } else {
                y = steps.memory(pd.dst_desc());
                steps.add(new reorder(other, y), null, steps.args(DNNL_ARG_FROM, other, DNNL_ARG_TO, y), add.getVertexName() + " addend");
            }
        } else {
            y = steps.memory(pd.dst_desc());
        }
        IntMemoryMap args = steps.args(DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, kernels.convolution(cv, depthwise, bn, pd.weights_desc()),
                DNNL_ARG_DST, y);
        if (biasDesc != null) {
            args.put(DNNL_ARG_BIAS, kernels.convolutionBias(cv, hasBias, bn, dst[1], pd.bias_desc()));
        }
        steps.add(new convolution_forward(pd), pd, args, names(group));
        return y;
    }

    /** The input of {@code add} that does not come from {@code group}. */
    private static int other(GraphVertex add, List<GraphVertex> group) {
        Set<Integer> members = new HashSet<>();
        group.forEach(m -> members.add(m.getVertexIndex()));
        for (var i : add.getInputVertices()) {
            if (!members.contains(i.getVertexIndex())) {
                return i.getVertexIndex();
            }
        }
        throw new IllegalStateException(add.getVertexName() + " adds its own group to itself");
    }

    /**
     * Whether {@code vertex}'s memory may be written over by {@code add}: no vertex that holds it
     * (the vertex, an earlier sum written into it, a dropout passing it on) is the network's input
     * or output, or is still to be read by anything but {@code add}. Reads are copied out as soon
     * as a vertex is made, so they do not count.
     */
    private boolean overwritable(int vertex, GraphVertex add) {
        memory m = values.get(vertex);
        for (var e : values.entrySet()) {
            if (e.getValue() != m) {
                continue;
            }
            GraphVertex v = vertices[e.getKey()];
            if (v.isInputVertex() || graph.getConfiguration().getNetworkOutputs().contains(v.getVertexName())) {
                return false;
            }
            for (var c : v.getOutputVertices()) {
                if (c.getVertexIndex() != add.getVertexIndex() && !emitted.contains(c.getVertexIndex())) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * oneDNN's left and right paddings for Deeplearning4j's mode: Same pads to out = ceil(in /
     * stride), the extra row or column at the bottom or right; Truncate and Strict pad as configured.
     */
    private static long[][] padding(ConvolutionMode mode, long[] src, long[] dst, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        long[] l = new long[2];
        long[] r = new long[2];
        for (int a = 0; a < 2; a++) {
            long effective = (long) (kernel[a] - 1) * dilation[a] + 1;
            if (mode == ConvolutionMode.Same) {
                long total = Math.max(0, (dst[2 + a] - 1) * stride[a] + effective - src[2 + a]);
                l[a] = total / 2;
                r[a] = total - l[a];
            } else {
                l[a] = padding[a];
                // What floor((in + 2 p - k) / s) + 1 = out leaves over on the right, which oneDNN wants exact.
                r[a] = (dst[2 + a] - 1) * stride[a] + effective - src[2 + a] - l[a];
            }
        }
        return new long[][] {l, r};
    }

    private memory batchNorm(GraphVertex v, memory x) {
        BatchNormAffine bn = BatchNormAffine.of((org.deeplearning4j.nn.layers.normalization.BatchNormalization) ((LayerVertex) v).getLayer());
        int c = bn.scale().length;
        // mean 0, variance 1 and eps 0 leave oneDNN's y = scale (x - mean) / sqrt(var + eps) + shift as the affine map.
        batch_normalization_forward.primitive_desc pd = steps.own(new batch_normalization_forward.primitive_desc(
                steps.own(new batch_normalization_forward.desc(prop_kind.forward_inference.value, x.get_desc(), 0f,
                        dnnl_use_global_stats | dnnl_use_scaleshift)), steps.attributes(false), cpu));
        float[] scaleShift = new float[2 * c];
        System.arraycopy(bn.scale(), 0, scaleShift, 0, c);
        System.arraycopy(bn.shift(), 0, scaleShift, c, c);
        float[] ones = new float[c];
        java.util.Arrays.fill(ones, 1f);
        memory y = steps.memory(pd.dst_desc());
        steps.add(new batch_normalization_forward(pd), pd, steps.args(DNNL_ARG_SRC, x,
                DNNL_ARG_MEAN, kernels.values(v.getVertexIndex(), "mean", new float[c], pd.mean_desc()),
                DNNL_ARG_VARIANCE, kernels.values(v.getVertexIndex(), "variance", ones, pd.variance_desc()),
                DNNL_ARG_SCALE_SHIFT, kernels.values(v.getVertexIndex(), "scale shift", scaleShift, pd.weights_desc()),
                DNNL_ARG_DST, y), v.getVertexName());
        return y;
    }

    /** An activation layer, loss layer or the like: the identity, an element-wise step, or softmax. */
    private memory activation(GraphVertex v, IActivation fn, memory x) {
        if (fn instanceof ActivationSoftmax) {
            return softmax(v, x);
        }
        OnednnActivation a = OnednnActivation.of(fn).orElseThrow();
        if (a.identity()) {
            return x;
        }
        eltwise_forward.primitive_desc pd = steps.own(new eltwise_forward.primitive_desc(steps.own(new eltwise_forward.desc(
                prop_kind.forward_inference, a.function(), x.get_desc(), a.alpha(), a.beta())), steps.attributes(false), cpu));
        memory y = steps.memory(pd.dst_desc());
        steps.add(new eltwise_forward(pd), pd, steps.args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y), v.getVertexName());
        return y;
    }

    private memory softmax(GraphVertex v, memory x) {
        softmax_forward.primitive_desc pd = steps.own(new softmax_forward.primitive_desc(
                steps.own(new softmax_forward.desc(prop_kind.forward_inference, x.get_desc(), 1)), steps.attributes(false), cpu));
        memory y = steps.memory(pd.dst_desc());
        steps.add(new softmax_forward(pd), pd, steps.args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y), v.getVertexName() + " softmax");
        return y;
    }

    private memory pool(GraphVertex v, SubsamplingLayer conf) {
        memory x = input(v, 0);
        long[] src = inputDimsOf(v);
        long[] dst = dims(v.getVertexIndex());
        int[] k = conf.getKernelSize();
        long[][] pads = padding(conf.getConvolutionMode(), src, dst, k, conf.getStride(), conf.getPadding(), new int[] {1, 1});
        algorithm alg = conf.getPoolingType() == PoolingType.MAX ? algorithm.pooling_max
                : conf.isAvgPoolIncludePadInDivisor() ? algorithm.pooling_avg_include_padding : algorithm.pooling_avg_exclude_padding;
        return pooling(v, x, alg, tagged(dst, memory.format_tag.any), new long[] {conf.getStride()[0], conf.getStride()[1]},
                new long[] {k[0], k[1]}, pads[0], pads[1]);
    }

    private memory pooling(GraphVertex v, memory x, algorithm alg, memory.desc dst, long[] strides, long[] kernel, long[] l, long[] r) {
        pooling_forward.primitive_desc pd = steps.own(new pooling_forward.primitive_desc(steps.own(new pooling_forward.desc(
                prop_kind.forward_inference, alg, x.get_desc(), dst, strides, kernel, l, r)), steps.attributes(false), cpu));
        memory y = steps.memory(pd.dst_desc());
        steps.add(new pooling_forward(pd), pd, steps.args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y), v.getVertexName());
        return y;
    }

    /** A pool over the whole map into [1, c, 1, 1], seen as [1, c] where Deeplearning4j collapses it. */
    private memory globalPool(GraphVertex v, GlobalPoolingLayer conf) {
        long[] src = inputDimsOf(v);
        long[] pooled = {src[0], src[1], 1, 1};
        algorithm alg = conf.getPoolingType() == PoolingType.MAX ? algorithm.pooling_max : algorithm.pooling_avg_exclude_padding;
        memory y = pooling(v, input(v, 0), alg, tagged(pooled, memory.format_tag.nchw), new long[] {1, 1},
                new long[] {src[2], src[3]}, new long[] {0, 0}, new long[] {0, 0});
        return dims(v.getVertexIndex()).length == 2 ? view(y, new long[] {src[0], src[1]}) : y;
    }

    /** The same values seen with other dimensions: plain memory over the same buffer. */
    private memory view(memory m, long[] dims) {
        return steps.own(new memory(plainLayout(dims), cpu,
                m.get_data_handle()));
    }

    /** Zero padding: the input copied into the middle of zeroed plain memory (Deeplearning4j's [top, bottom, left, right]). */
    private memory zeroPadding(GraphVertex v, ZeroPaddingLayer conf) {
        long[] src = inputDimsOf(v);
        long[] dst = dims(v.getVertexIndex());
        int[] p = conf.getPadding();
        memory y = zeroed(dst);
        into(input(v, 0), y, src, new long[] {0, 0, p[0], p[2]}, v.getVertexName());
        return y;
    }

    /** Concatenation along channels: each input copied into its channels of plain memory. */
    private memory concatenation(GraphVertex v) {
        long[] dst = dims(v.getVertexIndex());
        memory y = zeroed(dst);
        long offset = 0;
        for (int i = 0; i < v.getInputVertices().length; i++) {
            long[] src = dims(v.getInputVertices()[i].getVertexIndex());
            long[] at = new long[dst.length];
            at[1] = offset;
            into(input(v, i), y, src, at, v.getVertexName());
            offset += src[1];
        }
        return y;
    }

    private memory zeroed(long[] dims) {
        memory y = steps.memory(plainLayout(dims));
        Pointer.memset(new Pointer(y.get_data_handle()), 0, size(dims) * Float.BYTES);
        return y;
    }

    /** A step that reorders {@code x} into the part of {@code y} of dimensions {@code dims} at {@code offsets}. */
    private void into(memory x, memory y, long[] dims, long[] offsets, String name) {
        memory part = steps.own(new memory(y.get_desc().submemory_desc(dims, offsets), cpu, y.get_data_handle()));
        steps.add(steps.own(new reorder(x, part)), null, steps.args(DNNL_ARG_FROM, x, DNNL_ARG_TO, part), name);
    }

    private memory elementWise(GraphVertex v, OnednnActivation act) {
        ElementWiseVertex.Op op = op(v, graph);
        algorithm alg = switch (op) {
            case Add, Average -> algorithm.binary_add;
            case Subtract -> algorithm.binary_sub;
            case Product -> algorithm.binary_mul;
            case Max -> algorithm.binary_max;
            default -> throw new IllegalStateException("element-wise " + op);
        };
        int n = v.getInputVertices().length;
        memory x = input(v, 0);
        if (n == 1) {
            return x;
        }
        for (int i = 1; i < n; i++) {
            boolean lastStep = i == n - 1;
            OnednnActivation after = lastStep && op != ElementWiseVertex.Op.Average ? act : OnednnActivation.IDENTITY;
            memory other = steps.conform(input(v, i), x.get_desc());
            binary.primitive_desc pd = steps.own(new binary.primitive_desc(steps.own(new binary.desc(alg, x.get_desc(),
                    other.get_desc(), x.get_desc())), steps.attributes(false, after), cpu));
            memory y = steps.memory(pd.dst_desc());
            steps.add(new binary(pd), pd, steps.args(DNNL_ARG_SRC_0, x, DNNL_ARG_SRC_1, other, DNNL_ARG_DST, y), v.getVertexName());
            x = y;
        }
        if (op == ElementWiseVertex.Op.Average) {
            eltwise_forward.primitive_desc pd = steps.own(new eltwise_forward.primitive_desc(steps.own(new eltwise_forward.desc(
                    prop_kind.forward_inference, algorithm.eltwise_linear, x.get_desc(), 1f / n, 0f)), steps.attributes(false, act), cpu));
            memory y = steps.memory(pd.dst_desc());
            steps.add(new eltwise_forward(pd), pd, steps.args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y), v.getVertexName() + " average");
            x = y;
        }
        return x;
    }

    /**
     * A dense or output layer: an inner product with its activation fused ({@code fused}, an
     * activation layer after it, takes precedence), or followed by softmax.
     */
    private memory dense(GraphVertex v, OnednnActivation fused) {
        LayerVertex lv = (LayerVertex) v;
        BaseLayer conf = (BaseLayer) lv.getLayer().conf().getLayer();
        memory x = input(v, 0);
        // A spatial input is flattened by the preprocessor: the kernel is then [out, c, h, w] in its order.
        long[] src = inputDimsOf(v);
        long out = lv.getLayer().getParam("W").size(1);
        long[] kernel = src.length == 4 ? new long[] {out, src[1], src[2], src[3]} : new long[] {out, src[1]};
        boolean softmax = conf.getActivationFn() instanceof ActivationSoftmax;
        OnednnActivation act = fused != null ? fused : softmax ? OnednnActivation.IDENTITY
                : OnednnActivation.of(conf.getActivationFn()).orElseThrow();
        boolean hasBias = lv.getLayer().paramTable().containsKey("b");
        memory.desc bias = hasBias ? tagged(new long[] {out}, memory.format_tag.x) : null;
        memory.desc in = tagged(src, memory.format_tag.any);
        memory.desc w = tagged(kernel, memory.format_tag.any);
        memory.desc dst = tagged(new long[] {1, out}, memory.format_tag.nc);
        inner_product_forward.primitive_desc pd = steps.own(new inner_product_forward.primitive_desc(steps.own(bias == null
                ? new inner_product_forward.desc(prop_kind.forward_inference, in, w, dst)
                : new inner_product_forward.desc(prop_kind.forward_inference, in, w, bias, dst)), steps.attributes(false, act), cpu));
        x = steps.conform(x, pd.src_desc());
        memory y = steps.memory(pd.dst_desc());
        InputType fed = types.get(vertices[v.getInputVertices()[0].getVertexIndex()].getVertexName());
        CNN2DFormat format = fed instanceof InputType.InputTypeConvolutional c ? c.getFormat() : CNN2DFormat.NCHW;
        IntMemoryMap args = steps.args(DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, kernels.dense(lv, kernel, format, pd.weights_desc()),
                DNNL_ARG_DST, y);
        if (hasBias) {
            args.put(DNNL_ARG_BIAS, kernels.bias(lv, pd.bias_desc()));
        }
        steps.add(new inner_product_forward(pd), pd, args, v.getVertexName());
        return softmax && fused == null ? softmax(v, y) : y;
    }

    // ---- Fallback and reading out ------------------------------------------------------------

    /** Runs {@code v} on Deeplearning4j between this segment and the next. */
    private void fallback(GraphVertex v) {
        List<Dl4jStage.Plain> inputs = new ArrayList<>();
        for (var i : v.getInputVertices()) {
            Dl4jStage.Plain plain = plain(i.getVertexIndex());
            memory x = values.get(i.getVertexIndex());
            steps.add(steps.own(new reorder(x, plain.memory())), null, steps.args(DNNL_ARG_FROM, x, DNNL_ARG_TO, plain.memory()),
                    v.getVertexName() + " input");
            inputs.add(plain);
        }
        endSegment();
        steps = newSegment();
        Dl4jStage.Plain output = plain(v.getVertexIndex());
        stages.add(new Dl4jStage(v, inputs, output));
        hold(v.getVertexIndex(), output.memory());
    }

    /** Memory for {@code vertex}'s output in Deeplearning4j's own layout, and the shape it has there. */
    private Dl4jStage.Plain plain(int vertex) {
        InputType t = types.get(vertices[vertex].getVertexName());
        long[] d = dims(vertex);
        if (t instanceof InputType.InputTypeConvolutional c && c.getFormat() == CNN2DFormat.NHWC) {
            return new Dl4jStage.Plain(steps.memory(tagged(d, memory.format_tag.nhwc)), new long[] {d[0], d[2], d[3], d[1]});
        }
        if (t instanceof InputType.InputTypeConvolutionalFlat) {
            return new Dl4jStage.Plain(steps.memory(tagged(d, memory.format_tag.nchw)), new long[] {d[0], size(d) / d[0]});
        }
        return new Dl4jStage.Plain(steps.memory(plainLayout(d)), d);
    }

    private void readOut(GraphVertex v) {
        long[] d = dims(v.getVertexIndex());
        memory x = values.get(v.getVertexIndex());
        memory plain = steps.memory(plainLayout(d));
        steps.add(steps.own(new reorder(x, plain)), null, steps.args(DNNL_ARG_FROM, x, DNNL_ARG_TO, plain), v.getVertexName() + " read");
        readable.put(v.getVertexIndex(), plain);
        readSizes.put(v.getVertexIndex(), size(d) / d[0]);
    }

    private OnednnSteps newSegment() {
        OnednnSteps s = new OnednnSteps(cpu);
        segments.add(s);
        return s;
    }

    private void endSegment() {
        steps.seal();
        OnednnSteps s = steps;
        stages.add(() -> {
            s.run();
            s.await();
        });
    }

    private memory input(GraphVertex v, int i) {
        memory m = values.get(v.getInputVertices()[i].getVertexIndex());
        if (m == null) {
            throw new IllegalStateException(v.getVertexName() + "'s input " + i + " was not made");
        }
        return m;
    }

    private void hold(int vertex, memory m) {
        values.put(vertex, m);
    }

    /** The dimensions of {@code v}'s (first) input, as {@link #dims}. */
    private long[] inputDimsOf(GraphVertex v) {
        return dims(v.getInputVertices()[0].getVertexIndex());
    }

    /** {@code vertex}'s output as oneDNN's logical dimensions: [1, c, h, w] or [1, n]. */
    private long[] dims(int vertex) {
        GraphVertex v = vertices[vertex];
        if (v.isInputVertex()) {
            return inputDims;
        }
        InputType t = types.get(v.getVertexName());
        if (t instanceof InputType.InputTypeConvolutional c) {
            return new long[] {1, c.getChannels(), c.getHeight(), c.getWidth()};
        }
        if (t instanceof InputType.InputTypeConvolutionalFlat f) {
            return new long[] {1, f.getDepth(), f.getHeight(), f.getWidth()};
        }
        if (t instanceof InputType.InputTypeFeedForward f) {
            return new long[] {1, f.getSize()};
        }
        throw new IllegalStateException(v.getVertexName() + " puts out " + t + ", which a compiled graph does not hold");
    }

    private static String names(List<GraphVertex> group) {
        return String.join("+", group.stream().map(GraphVertex::getVertexName).toList());
    }

    /** Channel-major [1, c, h, w] or a flat [1, n]: how cnnsee reads values and Deeplearning4j's NCHW holds them. */
    private static memory.desc plainLayout(long[] dims) {
        return tagged(dims, dims.length == 2 ? memory.format_tag.nc : memory.format_tag.nchw);
    }

    private static memory.desc tagged(long[] dims, memory.format_tag tag) {
        return new memory.desc(dims, memory.data_type.f32, tag);
    }

    private static long size(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }
}
