package io.cnnsee.dl4j.engine.frontend;

import io.cnnsee.dl4j.engine.graph.Activation;
import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.HostLayer;
import io.cnnsee.dl4j.engine.graph.Network;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.graph.Shape;
import io.cnnsee.dl4j.engine.graph.Tensor;
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
import org.deeplearning4j.nn.graph.vertex.impl.PreprocessorVertex;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The front-end for Deeplearning4j: a {@link ComputationGraph} as the compiler's {@link Graph}.
 * Each vertex becomes the node with the vertex's index as id (its output); a layer with its own
 * activation becomes two nodes (the layer, then the activation, which the passes fuse back where
 * they may), a softmax classifier the dense layer's logits, then softmax. Weights are read when a
 * plan first needs them. A vertex with no translation becomes a host node that Deeplearning4j
 * runs, with the reason; every vertex also has a host implementation for oneDNN's refusals.
 */
public final class Dl4jGraphReader {

    private final ComputationGraph graph;
    private final Map<String, InputType> types;
    private final Shape inputShape;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<Integer, HostLayer> hosts = new HashMap<>();
    private final Map<Integer, Integer> logits = new HashMap<>();
    private int nextId;

    private Dl4jGraphReader(ComputationGraph graph, Map<String, InputType> types, Shape inputShape) {
        this.graph = graph;
        this.types = types;
        this.inputShape = inputShape;
        this.nextId = graph.getVertices().length;
    }

    /**
     * @param types each vertex's output type, by name
     * @param input the shape of the picture the network takes
     */
    public static Network read(ComputationGraph graph, Map<String, InputType> types, Shape input) {
        Dl4jGraphReader r = new Dl4jGraphReader(graph, types, input);
        for (int index : graph.topologicalSortOrder()) {
            r.vertex(graph.getVertices()[index]);
        }
        return new Network(new Graph(r.nodes), r.hosts, r.logits);
    }

    private void vertex(GraphVertex v) {
        int id = v.getVertexIndex();
        if (v.isInputVertex()) {
            nodes.add(Node.of(id, v.getVertexName(), new Op.Input(), List.of(), inputShape));
            return;
        }
        List<Integer> inputs = new ArrayList<>();
        List<InputType> inputTypes = new ArrayList<>();
        for (var i : v.getInputVertices()) {
            inputs.add(i.getVertexIndex());
            inputTypes.add(typeOf(graph.getVertices()[i.getVertexIndex()]));
        }
        HostLayer host = new Dl4jHostLayer(graph, v, inputTypes, typeOf(v));
        hosts.put(id, host);
        String why = translate(v, inputs);
        if (why != null) {
            nodes.add(Node.of(id, v.getVertexName(), new Op.Host(host, why), inputs, shape(id)));
        }
    }

    private InputType typeOf(GraphVertex v) {
        return types.get(v.getVertexName());
    }

    /** Adds the nodes of {@code v}; or, where it has no translation, adds nothing and says why. */
    private String translate(GraphVertex v, List<Integer> inputs) {
        int id = v.getVertexIndex();
        String name = v.getVertexName();
        Shape out = shape(id);
        Shape in = shape(inputs.get(0));
        if (v instanceof LayerVertex lv) {
            return layer(lv, inputs, in, out);
        }
        if (v instanceof org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex) {
            ElementWiseVertex.Op op = ((ElementWiseVertex) graph.getConfiguration().getVertices().get(name)).getOp();
            Op.Combine.Kind kind = switch (op) {
                case Add -> Op.Combine.Kind.ADD;
                case Subtract -> Op.Combine.Kind.SUBTRACT;
                case Product -> Op.Combine.Kind.PRODUCT;
                case Max -> Op.Combine.Kind.MAX;
                case Average -> Op.Combine.Kind.AVERAGE;
                default -> null;
            };
            if (kind == null) {
                return "element-wise " + op + " has no oneDNN translation";
            }
            for (int i : inputs) {
                if (!shape(i).equals(out)) {
                    return "element-wise " + op + " of inputs of different shapes (" + shape(i) + " and " + out + ") has no oneDNN translation";
                }
            }
            nodes.add(Node.of(id, name, new Op.Combine(kind, Activation.IDENTITY), inputs, out));
            return null;
        }
        if (v instanceof MergeVertex) {
            long sum = 0;
            for (int i : inputs) {
                Shape s = shape(i);
                if (s.flat() != out.flat() || s.height() != out.height() || s.width() != out.width()) {
                    return "it does not join its inputs along their channels";
                }
                sum += s.channels();
            }
            if (sum != out.channels()) {
                return "it does not join its inputs along their channels";
            }
            nodes.add(Node.of(id, name, new Op.Concat(), inputs, out));
            return null;
        }
        if (v instanceof PreprocessorVertex pv && pv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor p && !in.flat()) {
            nodes.add(Node.of(id, name, new Op.Flatten(p.getFormat() == CNN2DFormat.NHWC), inputs, out));
            return null;
        }
        return v.getClass().getSimpleName() + " has no oneDNN translation in cnnsee";
    }

    private String layer(LayerVertex lv, List<Integer> inputs, Shape in, Shape out) {
        int id = lv.getVertexIndex();
        String name = lv.getVertexName();
        Layer conf = lv.getLayer().conf().getLayer();
        InputPreProcessor pre = lv.getLayerPreProcessor();
        boolean dense = conf.getClass() == DenseLayer.class || conf.getClass() == OutputLayer.class;
        boolean flattens = pre instanceof CnnToFeedForwardPreProcessor && !in.flat();
        boolean unflattens = pre instanceof FeedForwardToCnnPreProcessor && !in.flat();
        if (pre != null && !unflattens && !(flattens && dense)) {
            return "its input preprocessor " + pre.getClass().getSimpleName() + " has no oneDNN translation";
        }
        if (conf.getClass() == ConvolutionLayer.class || conf.getClass() == DepthwiseConvolution2D.class) {
            ConvolutionLayer c = (ConvolutionLayer) conf;
            if (c.getConvolutionMode() == ConvolutionMode.Causal) {
                return "causal padding has no oneDNN translation";
            }
            var act = Dl4jActivations.of(c.getActivationFn());
            if (act.isEmpty()) {
                return activationWhyNot(c.getActivationFn());
            }
            int[] k = c.getKernelSize();
            int[][] pads = padding(c.getConvolutionMode(), in, out, k, c.getStride(), c.getPadding(), c.getDilation());
            boolean depthwise = conf instanceof DepthwiseConvolution2D;
            INDArray w = lv.getLayer().getParam("W");
            Tensor weights = depthwise ? depthwiseKernel(w) : Tensor.of(w.shape(), () -> w.dup('c').data().asFloat());
            Tensor bias = c.hasBias() ? vector(lv.getLayer().getParam("b")) : null;
            Op.Conv conv = Op.Conv.of(weights, bias, depthwise ? in.channels() : 1, c.getStride(), c.getDilation(), pads[0], pads[1]);
            withActivation(id, name, conv, inputs, out, act.get());
            return null;
        }
        if (conf instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
            BatchNormAffine bn = BatchNormAffine.of((org.deeplearning4j.nn.layers.normalization.BatchNormalization) lv.getLayer());
            nodes.add(Node.of(id, name, new Op.ChannelAffine(bn.scale(), bn.shift()), inputs, out));
            return null;
        }
        if (conf instanceof ActivationLayer || conf instanceof LossLayer) {
            IActivation fn = conf instanceof ActivationLayer a ? a.getActivationFn() : ((LossLayer) conf).getActivationFn();
            if (fn instanceof ActivationSoftmax) {
                if (!out.flat()) {
                    return "softmax over a spatial map has no oneDNN translation in cnnsee";
                }
                nodes.add(Node.of(id, name, new Op.Softmax(), inputs, out));
                logits.put(id, inputs.get(0));
                return null;
            }
            var act = Dl4jActivations.of(fn);
            if (act.isEmpty()) {
                return activationWhyNot(fn);
            }
            nodes.add(Node.of(id, name, act.get().identity() ? new Op.Identity() : new Op.Eltwise(act.get()), inputs, out));
            return null;
        }
        if (conf.getClass() == SubsamplingLayer.class) {
            SubsamplingLayer s = (SubsamplingLayer) conf;
            if (s.getPoolingType() != PoolingType.MAX && s.getPoolingType() != PoolingType.AVG) {
                return s.getPoolingType() + " pooling has no oneDNN translation";
            }
            if (s.getDilation()[0] != 1 || s.getDilation()[1] != 1 || s.getConvolutionMode() == ConvolutionMode.Causal) {
                return "dilated or causal pooling has no oneDNN translation";
            }
            int[][] pads = padding(s.getConvolutionMode(), in, out, s.getKernelSize(), s.getStride(), s.getPadding(), new int[] {1, 1});
            nodes.add(Node.of(id, name, new Op.Pool(s.getPoolingType() == PoolingType.MAX, s.isAvgPoolIncludePadInDivisor(),
                    s.getKernelSize(), s.getStride(), pads[0], pads[1]), inputs, out));
            return null;
        }
        if (conf instanceof GlobalPoolingLayer g) {
            boolean kind = g.getPoolingType() == PoolingType.MAX || g.getPoolingType() == PoolingType.AVG;
            if (!kind || in.flat()) {
                return "global " + g.getPoolingType() + " pooling of " + (in.flat() ? "a flat" : "a spatial") + " input has no oneDNN translation";
            }
            nodes.add(Node.of(id, name, new Op.GlobalPool(g.getPoolingType() == PoolingType.MAX), inputs, out));
            return null;
        }
        if (dense) {
            IActivation fn = ((BaseLayer) conf).getActivationFn();
            boolean softmax = fn instanceof ActivationSoftmax;
            var act = softmax ? java.util.Optional.of(Activation.IDENTITY) : Dl4jActivations.of(fn);
            if (act.isEmpty()) {
                return activationWhyNot(fn);
            }
            InputType fed = typeOf(graph.getVertices()[inputs.get(0)]);
            boolean channelsLast = fed instanceof InputType.InputTypeConvolutional c && c.getFormat() == CNN2DFormat.NHWC;
            INDArray w = lv.getLayer().getParam("W");
            Tensor weights = denseKernel(w, in, channelsLast);
            Tensor bias = lv.getLayer().paramTable().containsKey("b") ? vector(lv.getLayer().getParam("b")) : null;
            Op.Dense d = new Op.Dense(weights, bias, Activation.IDENTITY);
            if (softmax) {
                int scores = nextId++;
                nodes.add(Node.of(scores, name, d, inputs, out));
                nodes.add(Node.of(id, name, new Op.Softmax(), List.of(scores), out));
                logits.put(id, scores);
            } else {
                withActivation(id, name, d, inputs, out, act.get());
            }
            return null;
        }
        if (conf instanceof DropoutLayer) {
            nodes.add(Node.of(id, name, new Op.Identity(), inputs, out));
            return null;
        }
        if (conf instanceof ZeroPaddingLayer z) {
            if (in.flat()) {
                return "zero padding of a flat input";
            }
            int[] p = z.getPadding();
            nodes.add(Node.of(id, name, new Op.ZeroPad(p[0], p[1], p[2], p[3]), inputs, out));
            return null;
        }
        return conf.getClass().getSimpleName() + " has no oneDNN translation in cnnsee";
    }

    /** {@code op} then, where not the identity, its activation as a node of its own with the vertex's id. */
    private void withActivation(int id, String name, Op op, List<Integer> inputs, Shape out, Activation act) {
        if (act.identity()) {
            nodes.add(Node.of(id, name, op, inputs, out));
            return;
        }
        int before = nextId++;
        nodes.add(Node.of(before, name, op, inputs, out));
        nodes.add(Node.of(id, name, new Op.Eltwise(act), List.of(before), out));
    }

    private static String activationWhyNot(IActivation activation) {
        return "its activation " + activation + " has no exact oneDNN equivalent";
    }

    /** Deeplearning4j's depthwise kernel {@code [kh, kw, in, m]} as a grouped one, {@code [in m, 1, kh, kw]}. */
    private static Tensor depthwiseKernel(INDArray w) {
        long[] s = w.shape();
        long kh = s[0], kw = s[1], in = s[2], m = s[3];
        return Tensor.of(new long[] {in * m, 1, kh, kw}, () -> {
            float[] src = w.dup('c').data().asFloat();
            float[] dst = new float[src.length];
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    for (int c = 0; c < in * m; c++) {
                        dst[(int) ((c * kh + y) * kw + x)] = src[(int) ((y * kw + x) * in * m + c)];
                    }
                }
            }
            return dst;
        });
    }

    /**
     * A dense kernel, Deeplearning4j's {@code W} = [in, out], as {@code [out, in]} with a spatial
     * input's values channel-major: Deeplearning4j flattens a channels-last map position by position.
     */
    private static Tensor denseKernel(INDArray w, Shape in, boolean channelsLast) {
        long nIn = w.size(0);
        long nOut = w.size(1);
        Tensor t = Tensor.of(new long[] {nOut, nIn}, () -> {
            float[] src = w.dup('c').data().asFloat();
            float[] dst = new float[src.length];
            int c = in.channels(), h = in.height(), wd = in.width();
            for (int k = 0; k < nIn; k++) {
                int from = k;
                if (channelsLast && !in.flat()) {
                    int ch = k / (h * wd), y = k / wd % h, x = k % wd;
                    from = (y * wd + x) * c + ch;
                }
                for (int o = 0; o < nOut; o++) {
                    dst[(int) (o * nIn + k)] = src[(int) (from * nOut + o)];
                }
            }
            return dst;
        });
        if (w.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT || w.rank() != 2) {
            return t;
        }
        // Where Deeplearning4j holds it (column-major, in a view of the network's parameters): W[k][o] at k s0 + o s1.
        long s0 = w.stride(0);
        long s1 = w.stride(1);
        org.bytedeco.javacpp.FloatPointer at = new org.bytedeco.javacpp.FloatPointer(w.data().addressPointer());
        long last = (nIn - 1) * s0 + (nOut - 1) * s1;
        if (w.data().length() <= last || at.get(0) != w.getFloat(0, 0) || at.get(last) != w.getFloat(nIn - 1, nOut - 1)) {
            return t; // not laid out as its strides say: copied instead
        }
        long address = at.address();
        Tensor.Strided view;
        if (in.flat()) {
            view = new Tensor.Strided(address, new long[] {nOut, nIn}, new long[] {s1, s0}, w);
        } else {
            long c = in.channels(), h = in.height(), wd = in.width();
            long[] strides = channelsLast ? new long[] {s1, s0, s0 * wd * c, s0 * c} : new long[] {s1, s0 * h * wd, s0 * wd, s0};
            view = new Tensor.Strided(address, new long[] {nOut, c, h, wd}, strides, w);
        }
        return t.inPlace(view);
    }

    private static Tensor vector(INDArray b) {
        return Tensor.of(new long[] {b.length()}, () -> b.dup('c').data().asFloat());
    }

    /**
     * Padding before and after, per axis, for Deeplearning4j's mode: Same pads to out = ceil(in /
     * stride), the extra row or column after; Truncate and Strict pad as configured, with what
     * the division leaves over after.
     */
    static int[][] padding(ConvolutionMode mode, Shape in, Shape out, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        int[] begin = new int[2];
        int[] end = new int[2];
        int[] src = {in.height(), in.width()};
        int[] dst = {out.height(), out.width()};
        for (int a = 0; a < 2; a++) {
            int effective = (kernel[a] - 1) * dilation[a] + 1;
            if (mode == ConvolutionMode.Same) {
                int total = Math.max(0, (dst[a] - 1) * stride[a] + effective - src[a]);
                begin[a] = total / 2;
                end[a] = total - begin[a];
            } else {
                begin[a] = padding[a];
                end[a] = (dst[a] - 1) * stride[a] + effective - src[a] - begin[a];
            }
        }
        return new int[][] {begin, end};
    }

    private Shape shape(int vertex) {
        GraphVertex v = graph.getVertices()[vertex];
        if (v.isInputVertex()) {
            return inputShape;
        }
        InputType t = types.get(v.getVertexName());
        if (t instanceof InputType.InputTypeConvolutional c) {
            return Shape.map((int) c.getChannels(), (int) c.getHeight(), (int) c.getWidth());
        }
        if (t instanceof InputType.InputTypeConvolutionalFlat f) {
            return Shape.map((int) f.getDepth(), (int) f.getHeight(), (int) f.getWidth());
        }
        if (t instanceof InputType.InputTypeFeedForward f) {
            return Shape.flat((int) f.getSize());
        }
        throw new IllegalStateException(v.getVertexName() + " puts out " + t + ", which the compiler does not hold");
    }
}
