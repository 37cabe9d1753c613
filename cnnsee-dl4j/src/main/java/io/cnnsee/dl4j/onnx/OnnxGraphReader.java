package io.cnnsee.dl4j.onnx;

import io.cnnsee.dl4j.engine.graph.Activation;
import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Layer;
import io.cnnsee.dl4j.engine.graph.Network;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.graph.Shape;
import io.cnnsee.dl4j.engine.graph.Tensor;
import onnx.Onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The front-end for ONNX: a model as {@code torch.onnx.export} writes it (opsets 13 to 18) as
 * the compiler's {@link Graph}. Each operator becomes a node (a few, for hard sigmoid), named by
 * the ONNX node's name, also reachable by its output tensor's name. Constants and the shape
 * arithmetic exporters write are folded as they are read. A model that ends in logits gets a
 * softmax, so that it has probabilities to report. An operator with no translation is refused
 * with its name, its type and what to do.
 */
public final class OnnxGraphReader {

    /**
     * The graph, the model's layers in order, each layer's output tensor name where it differs,
     * and whether cnnsee added the softmax of the model's logits.
     */
    public record Result(Network network, List<Layer> layers, Map<String, String> aliases, boolean addedSoftmax) {
    }

    /**
     * A tensor as read so far: a node's output, or a constant (then {@code node} is -1); or a node's
     * map seen as {@code groups} groups of channels ({@code [n, g, c / g, h, w]}), their two axes
     * swapped where {@code swapped}: the halves of a channel shuffle; or seen channels-last
     * ({@code [n, h, w, c]}, where {@code channelsLast}); or a step of GELU's exported formula
     * on the node's output ({@code pending}: "erf", "1+erf", "x(1+erf)").
     */
    private record Value(int node, Shape shape, long[] dims, float[] constant, int groups, boolean swapped, boolean channelsLast,
                         String pending) {
        Value(int node, Shape shape, long[] dims, float[] constant) {
            this(node, shape, dims, constant, 0, false, false, null);
        }

        Value(int node, Shape shape, long[] dims, float[] constant, int groups, boolean swapped) {
            this(node, shape, dims, constant, groups, swapped, false, null);
        }

        boolean isConstant() {
            return node < 0;
        }

        Value pending(String step) {
            return new Value(node, shape, null, null, 0, false, channelsLast, step);
        }
    }

    private final OnnxFile file;
    private final Long seed;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<Integer, Integer> logits = new HashMap<>();
    private final Map<String, Value> values = new HashMap<>();
    private final List<Layer> layers = new ArrayList<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    /** Tensors that are some x divided by sqrt(2), by name: x. */
    private final Map<String, Value> halves = new HashMap<>();
    private int nextId;

    private OnnxGraphReader(OnnxFile file, Long seed) {
        this.file = file;
        this.seed = seed;
    }

    /**
     * The input the model declares: {@code {channels, height, width}}, 0 where it is symbolic.
     *
     * @throws IllegalArgumentException when it is not one image input {@code [N, C, H, W]}
     */
    public static int[] declaredInput(OnnxFile file) {
        Onnx.ValueInfoProto in = input(file);
        List<Onnx.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
        if (dims.size() != 4) {
            throw new IllegalArgumentException(file.path().getFileName() + ": its input '" + in.getName() + "' has " + dims.size()
                    + " dimensions; cnnsee reads pictures as [batch, channels, height, width]");
        }
        long[] d = new long[4];
        for (int i = 0; i < 4; i++) {
            d[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : 0;
        }
        return new int[] {(int) d[1], (int) d[2], (int) d[3]};
    }

    private static Onnx.ValueInfoProto input(OnnxFile file) {
        List<Onnx.ValueInfoProto> inputs = file.graph().getInputList().stream()
                .filter(i -> file.initializer(i.getName()) == null).toList();
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(file.path().getFileName() + " has " + inputs.size() + " inputs "
                    + inputs.stream().map(Onnx.ValueInfoProto::getName).toList() + ": cnnsee inspects networks with one image input");
        }
        return inputs.get(0);
    }

    /**
     * The model of {@code file} for pictures of {@code input}; with {@code seed}, its weights drawn
     * at random (kernels He-normal, biases 0, batch norms the identity) for the sanity check.
     *
     * @throws IllegalArgumentException naming the operator, its type and what to do, for one it cannot translate
     */
    public static Result read(OnnxFile file, Shape input, Long seed) {
        OnnxGraphReader r = new OnnxGraphReader(file, seed);
        String in = input(file).getName();
        int id = r.nextId++;
        r.nodes.add(Node.of(id, in, new Op.Input(), List.of(), input));
        r.values.put(in, new Value(id, input, null, null));
        for (Onnx.NodeProto n : file.graph().getNodeList()) {
            r.node(n);
        }
        boolean added = r.classifier();
        return new Result(new Network(new Graph(r.nodes), Map.of(), r.logits), List.copyOf(r.layers), Map.copyOf(r.aliases), added);
    }

    /** Where the model's output is a vector of scores not yet a softmax, the softmax of them (then true): its probabilities. */
    private boolean classifier() {
        int outputs = file.graph().getOutputCount();
        Value out = values.get(file.graph().getOutput(outputs - 1).getName());
        if (out == null || out.isConstant() || !out.shape().flat()) {
            return false;
        }
        Node last = node(out.node());
        if (last.op() instanceof Op.Softmax) {
            logits.put(last.id(), last.inputs().get(0));
            return false;
        }
        String name = "softmax(" + file.graph().getOutput(outputs - 1).getName() + ")";
        int id = add(name, new Op.Softmax(), List.of(out.node()), out.shape());
        logits.put(id, out.node());
        layers.add(new Layer(name, id, out.shape(), false));
        return true;
    }

    private Node node(int id) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (nodes.get(i).id() == id) {
                return nodes.get(i);
            }
        }
        throw new IllegalStateException("no node " + id);
    }

    private int add(String name, Op op, List<Integer> inputs, Shape shape) {
        int id = nextId++;
        nodes.add(Node.of(id, name, op, inputs, shape));
        return id;
    }

    private IllegalArgumentException refuse(Onnx.NodeProto n, String why) {
        return new IllegalArgumentException(file.path().getFileName() + ": node '" + name(n) + "' (ONNX " + n.getOpType()
                + ") cannot be read: " + why);
    }

    private static String name(Onnx.NodeProto n) {
        return n.getName().isEmpty() ? n.getOutput(0) : n.getName();
    }

    // ---- operators ----------------------------------------------------------------------------

    private void node(Onnx.NodeProto n) {
        String op = n.getOpType();
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw refuse(n, "it is an operator of the domain " + n.getDomain() + ", not of ONNX itself");
        }
        if (constantOp(n)) {
            return;
        }
        Value x = in(n, 0);
        if (x.isConstant() && n.getInputCount() > 1 && !n.getInput(1).isEmpty() && !in(n, 1).isConstant()) {
            x = in(n, 1); // a constant first, as in bias + x
        }
        if (x.isConstant() && !op.equals("Concat")) {
            throw refuse(n, "it computes on constants alone, which cnnsee does not fold for this operator");
        }
        String name = name(n);
        Shape s = x.shape();
        if (op.equals("Div") && n.getInputCount() == 2 && in(n, 1).isConstant() && in(n, 1).constant().length == 1
                && Math.abs(in(n, 1).constant()[0] - Math.sqrt(2)) < 1e-4) {
            halves.put(n.getOutput(0), x); // perhaps GELU's x / sqrt(2), on its way to erf
        }
        if (x.groups() > 0 || op.equals("Reshape") && in(n, 1).isConstant() && in(n, 1).constant().length == 5
                || op.equals("Transpose") && !nhwcPermutation(n)) {
            shuffle(n, x);
            return;
        }
        if (channelsLastOrGelu(n)) {
            return;
        }
        if (op.equals("Split")) {
            split(n, x);
            return;
        }
        int out = switch (op) {
            case "Conv" -> conv(n, x);
            case "BatchNormalization" -> {
                float[] gamma = weights(n, 1, "gamma", s.channels());
                float[] beta = weights(n, 2, "beta", s.channels());
                float[] mean = weights(n, 3, "mean", s.channels());
                float[] var = weights(n, 4, "variance", s.channels());
                double eps = attrF(n, "epsilon", 1e-5f);
                float[] a = new float[s.channels()];
                float[] b = new float[s.channels()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (gamma[i] / Math.sqrt(var[i] + eps));
                    b[i] = beta[i] - mean[i] * a[i];
                }
                yield add(name, new Op.ChannelAffine(a, b), List.of(x.node()), s);
            }
            case "Relu" -> eltwise(name, x, Activation.RELU);
            case "LeakyRelu" -> eltwise(name, x, new Activation(Activation.Kind.RELU, attrF(n, "alpha", 0.01f), 0f));
            case "Elu" -> eltwise(name, x, new Activation(Activation.Kind.ELU, attrF(n, "alpha", 1f), 0f));
            case "Sigmoid" -> eltwise(name, x, new Activation(Activation.Kind.SIGMOID, 0f, 0f));
            case "Tanh" -> eltwise(name, x, new Activation(Activation.Kind.TANH, 0f, 0f));
            case "Softplus" -> eltwise(name, x, new Activation(Activation.Kind.SOFTPLUS, 1f, 0f));
            case "HardSwish" -> eltwise(name, x, new Activation(Activation.Kind.HARD_SWISH, 0f, 0f));
            case "Gelu" -> eltwise(name, x, new Activation("tanh".equals(attrS(n, "approximate", "none"))
                    ? Activation.Kind.GELU_TANH : Activation.Kind.GELU_ERF, 0f, 0f));
            case "Clip" -> eltwise(name, x, new Activation(Activation.Kind.CLIP, bound(n, 1, "min", -Float.MAX_VALUE),
                    bound(n, 2, "max", Float.MAX_VALUE)));
            case "HardSigmoid" -> {
                float[] alpha = filled(s.channels(), attrF(n, "alpha", 0.2f));
                float[] beta = filled(s.channels(), attrF(n, "beta", 0.5f));
                int affine = add(name, new Op.ChannelAffine(alpha, beta), List.of(x.node()), s);
                yield add(name, new Op.Eltwise(new Activation(Activation.Kind.CLIP, 0f, 1f)), List.of(affine), s);
            }
            case "MaxPool", "AveragePool" -> pool(n, x);
            case "GlobalAveragePool", "GlobalMaxPool" -> {
                requireMap(n, s);
                yield add(name, new Op.GlobalPool(op.equals("GlobalMaxPool")), List.of(x.node()), Shape.map(s.channels(), 1, 1));
            }
            case "ReduceMean" -> reduceMean(n, x);
            case "Add", "Sub", "Mul", "Div", "Max", "Sum" -> binary(n);
            case "Concat" -> concat(n);
            case "Flatten" -> {
                if (attrI(n, "axis", 1) != 1) {
                    throw refuse(n, "it flattens from axis " + attrI(n, "axis", 1) + "; cnnsee flattens each picture (axis 1)");
                }
                yield s.flat() ? add(name, new Op.Identity(), List.of(x.node()), s)
                        : add(name, new Op.Flatten(false), List.of(x.node()), Shape.flat((int) s.size()));
            }
            case "Reshape" -> reshape(n, x);
            case "Gemm" -> gemm(n, x);
            case "Softmax" -> {
                if (!s.flat()) {
                    throw refuse(n, "softmax over a map (" + s + ") has no translation; over a vector it has");
                }
                int id = add(name, new Op.Softmax(), List.of(x.node()), s);
                logits.put(id, x.node());
                yield id;
            }
            case "Dropout", "Identity" -> add(name, new Op.Identity(), List.of(x.node()), s);
            case "Slice" -> slice(n, x);
            case "Pad" -> pad(n, x);
            default -> throw refuse(n, "cnnsee has no translation for it yet (docs/models.md lists the operators it reads)");
        };
        Shape shape = node(out).shape();
        values.put(n.getOutput(0), new Value(out, shape, null, null));
        layers.add(new Layer(name, out, shape, op.equals("Conv")));
        if (!n.getOutput(0).equals(name)) {
            aliases.put(n.getOutput(0), name);
        }
    }

    /** Operators on constants alone, folded as read: Constant and the shape arithmetic of exporters. */
    private boolean constantOp(Onnx.NodeProto n) {
        switch (n.getOpType()) {
            case "Constant" -> {
                for (Onnx.AttributeProto a : n.getAttributeList()) {
                    switch (a.getName()) {
                        case "value" -> constant(n, toDims(a.getT().getDimsList()), file.floats(a.getT()));
                        case "value_float" -> constant(n, new long[0], new float[] {a.getF()});
                        case "value_int" -> constant(n, new long[0], new float[] {a.getI()});
                        case "value_ints" -> constant(n, new long[] {a.getIntsCount()}, toFloats(a.getIntsList()));
                        case "value_floats" -> constant(n, new long[] {a.getFloatsCount()}, toFloatsF(a.getFloatsList()));
                        default -> throw refuse(n, "a constant of kind " + a.getName() + " has no translation");
                    }
                }
                return true;
            }
            case "Shape" -> {
                Value x = in(n, 0);
                long[] d = x.isConstant() ? x.dims() : x.shape().flat() ? new long[] {1, x.shape().channels()}
                        : new long[] {1, x.shape().channels(), x.shape().height(), x.shape().width()};
                float[] v = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    v[i] = d[i];
                }
                constant(n, new long[] {d.length}, v);
                return true;
            }
            default -> {
                boolean allConstant = n.getInputCount() > 0;
                for (int i = 0; i < n.getInputCount(); i++) {
                    allConstant &= n.getInput(i).isEmpty() || in(n, i).isConstant();
                }
                if (!allConstant) {
                    return false;
                }
                switch (n.getOpType()) {
                    case "Cast", "Identity" -> constant(n, in(n, 0).dims(), in(n, 0).constant());
                    case "Add", "Sub", "Mul", "Div" -> {
                        float[] a = in(n, 0).constant();
                        float[] b = in(n, 1).constant();
                        float[] v = new float[Math.max(a.length, b.length)];
                        for (int i = 0; i < v.length; i++) {
                            float x = a[a.length == 1 ? 0 : i];
                            float y = b[b.length == 1 ? 0 : i];
                            v[i] = switch (n.getOpType()) {
                                case "Add" -> x + y;
                                case "Sub" -> x - y;
                                case "Mul" -> x * y;
                                // Shape arithmetic is on integers: ONNX's integer division truncates.
                                default -> x == Math.rint(x) && y == Math.rint(y) ? truncatingDivision(x, y) : x / y;
                            };
                        }
                        constant(n, a.length >= b.length ? in(n, 0).dims() : in(n, 1).dims(), v);
                    }
                    case "Unsqueeze", "Squeeze" -> constant(n, new long[] {in(n, 0).constant().length}, in(n, 0).constant());
                    case "Gather" -> {
                        Value data = in(n, 0);
                        float[] idx = in(n, 1).constant();
                        float[] v = new float[idx.length];
                        for (int i = 0; i < idx.length; i++) {
                            int at = (int) idx[i];
                            v[i] = data.constant()[at < 0 ? at + data.constant().length : at];
                        }
                        constant(n, in(n, 1).dims(), v);
                    }
                    case "Concat" -> {
                        List<Float> all = new ArrayList<>();
                        for (int i = 0; i < n.getInputCount(); i++) {
                            for (float f : in(n, i).constant()) {
                                all.add(f);
                            }
                        }
                        float[] v = new float[all.size()];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = all.get(i);
                        }
                        constant(n, new long[] {v.length}, v);
                    }
                    default -> throw refuse(n, "it computes on constants alone, which cnnsee does not fold for this operator");
                }
                return true;
            }
        }
    }

    private void constant(Onnx.NodeProto n, long[] dims, float[] v) {
        values.put(n.getOutput(0), new Value(-1, null, dims, v));
    }

    /** Input {@code i}: a node's output, an initializer, or a folded constant. */
    private Value in(Onnx.NodeProto n, int i) {
        String name = n.getInput(i);
        Value v = values.get(name);
        if (v != null) {
            return v;
        }
        Onnx.TensorProto t = file.initializer(name);
        if (t == null) {
            throw refuse(n, "it reads '" + name + "', which no operator or initializer of the model gives");
        }
        v = new Value(-1, null, toDims(t.getDimsList()), file.floats(t));
        values.put(name, v);
        return v;
    }

    private int eltwise(String name, Value x, Activation a) {
        return add(name, new Op.Eltwise(a), List.of(x.node()), x.shape());
    }

    private float bound(Onnx.NodeProto n, int input, String attribute, float otherwise) {
        if (n.getInputCount() > input && !n.getInput(input).isEmpty()) {
            return in(n, input).constant()[0];
        }
        return attrF(n, attribute, otherwise);
    }

    private int conv(Onnx.NodeProto n, Value x) {
        requireMap(n, x.shape());
        Value w = in(n, 1);
        if (!w.isConstant() || w.dims().length != 4) {
            throw refuse(n, "its kernel is not a constant of 4 dimensions");
        }
        long[] d = w.dims();
        int groups = (int) attrI(n, "group", 1);
        int[] k = {(int) d[2], (int) d[3]};
        int[] stride = ints(n, "strides", 1);
        int[] dilation = ints(n, "dilations", 1);
        Shape s = x.shape();
        int[][] pads = pads(n, s, k, stride, dilation, false);
        int outH = (s.height() + pads[0][0] + pads[1][0] - ((k[0] - 1) * dilation[0] + 1)) / stride[0] + 1;
        int outW = (s.width() + pads[0][1] + pads[1][1] - ((k[1] - 1) * dilation[1] + 1)) / stride[1] + 1;
        float[] kernel = random(w.constant(), d[1] * d[2] * d[3], "kernel");
        Tensor bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty()
                ? Tensor.of(new long[] {d[0]}, random(in(n, 2).constant(), 0, "bias")) : null;
        Op.Conv conv = Op.Conv.of(Tensor.of(d, kernel), bias, groups, stride, dilation, pads[0], pads[1]);
        return add(name(n), conv, List.of(x.node()), Shape.map((int) d[0], outH, outW));
    }

    /** Padding before {@code [rows, columns]} and after, from {@code pads} or {@code auto_pad}. */
    private int[][] pads(Onnx.NodeProto n, Shape s, int[] k, int[] stride, int[] dilation, boolean ceil) {
        String auto = attrS(n, "auto_pad", "NOTSET");
        int[] begin = new int[2];
        int[] end = new int[2];
        int[] in = {s.height(), s.width()};
        if (auto.startsWith("SAME")) {
            for (int a = 0; a < 2; a++) {
                int out = (in[a] + stride[a] - 1) / stride[a];
                int total = Math.max(0, (out - 1) * stride[a] + (k[a] - 1) * dilation[a] + 1 - in[a]);
                begin[a] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                end[a] = total - begin[a];
            }
        } else if (!auto.equals("VALID")) {
            int[] p = ints(n, "pads", 0, 4);
            begin = new int[] {p[0], p[1]};
            end = new int[] {p[2], p[3]};
        }
        if (ceil) {
            for (int a = 0; a < 2; a++) {
                int effective = (k[a] - 1) * dilation[a] + 1;
                int span = in[a] + begin[a] + end[a] - effective;
                int out = (span + stride[a] - 1) / stride[a] + 1;
                if ((out - 1) * stride[a] >= in[a] + begin[a]) {
                    out--; // PyTorch's rule: the last window starts inside the picture or its padding before
                }
                end[a] = Math.max(end[a], (out - 1) * stride[a] + effective - in[a] - begin[a]);
            }
        }
        return new int[][] {begin, end};
    }

    private int pool(Onnx.NodeProto n, Value x) {
        requireMap(n, x.shape());
        boolean max = n.getOpType().equals("MaxPool");
        int[] k = ints(n, "kernel_shape", 1);
        int[] stride = ints(n, "strides", 1);
        int[] dilation = ints(n, "dilations", 1);
        if (dilation[0] != 1 || dilation[1] != 1) {
            throw refuse(n, "dilated pooling has no translation");
        }
        boolean ceil = attrI(n, "ceil_mode", 0) == 1;
        Shape s = x.shape();
        int[][] pads = pads(n, s, k, stride, dilation, ceil);
        boolean countPadding = !max && attrI(n, "count_include_pad", 0) == 1;
        if (countPadding && ceil) {
            int[][] floor = pads(n, s, k, stride, dilation, false);
            if (!Arrays.equals(floor[1], pads[1])) {
                throw refuse(n, "an average counting its padding with ceil_mode has no exact translation");
            }
        }
        int outH = (s.height() + pads[0][0] + pads[1][0] - k[0]) / stride[0] + 1;
        int outW = (s.width() + pads[0][1] + pads[1][1] - k[1]) / stride[1] + 1;
        return add(name(n), new Op.Pool(max, countPadding, k, stride, pads[0], pads[1]), List.of(x.node()),
                Shape.map(s.channels(), outH, outW));
    }

    private int reduceMean(Onnx.NodeProto n, Value x) {
        long[] axes = n.getInputCount() > 1 ? toLongs(in(n, 1).constant()) : longs(n, "axes");
        long[] sorted = axes.clone();
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = sorted[i] < 0 ? sorted[i] + 4 : sorted[i];
        }
        Arrays.sort(sorted);
        if (x.shape().flat() || !Arrays.equals(sorted, new long[] {2, 3})) {
            throw refuse(n, "a mean over axes " + Arrays.toString(axes) + " has no translation (over a map's rows and columns it has)");
        }
        Shape out = attrI(n, "keepdims", 1) == 1 ? Shape.map(x.shape().channels(), 1, 1) : Shape.flat(x.shape().channels());
        return add(name(n), new Op.GlobalPool(false), List.of(x.node()), out);
    }

    private int binary(Onnx.NodeProto n) {
        String op = n.getOpType();
        if (n.getInputCount() != 2) {
            throw refuse(n, "it has " + n.getInputCount() + " inputs; cnnsee translates two");
        }
        Value a = in(n, 0);
        Value b = in(n, 1);
        if (a.isConstant() || b.isConstant()) {
            return affine(n, a.isConstant() ? b : a, a.isConstant() ? a : b, a.isConstant());
        }
        if (op.equals("Mul") && a.shape().equals(b.shape())) {
            Integer x = sigmoidOf(a, b) ? Integer.valueOf(b.node()) : sigmoidOf(b, a) ? Integer.valueOf(a.node()) : null;
            if (x != null) {
                // x * sigmoid(x), as PyTorch exports SiLU: one swish, not a sigmoid and a product.
                return add(name(n), new Op.Eltwise(new Activation(Activation.Kind.SWISH, 1f, 0f)), List.of(x), a.shape());
            }
        }
        if (a.shape().equals(b.shape())) {
            Op.Combine.Kind kind = switch (op) {
                case "Add", "Sum" -> Op.Combine.Kind.ADD;
                case "Sub" -> Op.Combine.Kind.SUBTRACT;
                case "Mul" -> Op.Combine.Kind.PRODUCT;
                case "Max" -> Op.Combine.Kind.MAX;
                default -> throw refuse(n, "a division of two computed tensors has no translation");
            };
            return add(name(n), new Op.Combine(kind, Activation.IDENTITY), List.of(a.node(), b.node()), a.shape());
        }
        if (op.equals("Mul")) {
            int map = perChannelOf(b.shape(), a.shape()) ? 0 : perChannelOf(a.shape(), b.shape()) ? 1 : -1;
            if (map >= 0) {
                return add(name(n), new Op.ChannelScale(map), List.of(a.node(), b.node()), map == 0 ? a.shape() : b.shape());
            }
        }
        throw refuse(n, "its inputs differ in shape (" + a.shape() + " and " + b.shape() + ")");
    }

    /** Whether {@code s} is the sigmoid of {@code x}. */
    private boolean sigmoidOf(Value s, Value x) {
        Node node = node(s.node());
        return node.op() instanceof Op.Eltwise e && e.activation().kind() == Activation.Kind.SIGMOID && node.inputs().get(0) == x.node();
    }

    /** {@code x op c} with a constant {@code c} of one value or one per channel, as a scale and shift per channel. */
    private int affine(Onnx.NodeProto n, Value x, Value c, boolean constantFirst) {
        int ch = x.shape().channels();
        float[] v = c.constant();
        if (v.length != 1 && v.length != ch) {
            throw refuse(n, "it combines with a constant of " + v.length + " values; cnnsee translates one value or one per channel");
        }
        long[] d = c.dims() == null ? new long[0] : c.dims();
        boolean lastAxis = x.channelsLast() || x.shape().flat();
        boolean alongChannels = v.length == 1 || (lastAxis ? d.length > 0 && d[d.length - 1] == ch
                : d.length >= 3 && d[d.length - 3] == ch && d[d.length - 2] == 1 && d[d.length - 1] == 1);
        if (!alongChannels) {
            throw refuse(n, "its constant of shape " + Arrays.toString(d) + " does not run along the channels of " + x.shape());
        }
        float[] scale = filled(ch, 1f);
        float[] shift = new float[ch];
        for (int i = 0; i < ch; i++) {
            float value = v[v.length == 1 ? 0 : i];
            switch (n.getOpType()) {
                case "Add", "Sum" -> shift[i] = value;
                case "Sub" -> {
                    scale[i] = constantFirst ? -1f : 1f;
                    shift[i] = constantFirst ? value : -value;
                }
                case "Mul" -> scale[i] = value;
                case "Div" -> {
                    if (constantFirst) {
                        throw refuse(n, "a constant divided by a tensor has no translation");
                    }
                    scale[i] = 1f / value;
                }
                default -> throw refuse(n, "it compares with a constant, which has no translation");
            }
        }
        return add(name(n), new Op.ChannelAffine(scale, shift), List.of(x.node()), x.shape());
    }

    /** Whether {@code v} is one value per channel of the map {@code m} ({@code c x 1 x 1}). */
    private static boolean perChannelOf(Shape v, Shape m) {
        return !m.flat() && !v.flat() && v.height() == 1 && v.width() == 1 && v.channels() == m.channels()
                && (m.height() > 1 || m.width() > 1);
    }

    private int concat(Onnx.NodeProto n) {
        long axis = attrI(n, "axis", 1);
        List<Integer> inputs = new ArrayList<>();
        Shape first = in(n, 0).shape();
        int channels = 0;
        for (int i = 0; i < n.getInputCount(); i++) {
            Value v = in(n, i);
            if (v.isConstant()) {
                throw refuse(n, "it joins a constant to computed tensors");
            }
            Shape s = v.shape();
            if (s.flat() != first.flat() || s.height() != first.height() || s.width() != first.width()) {
                throw refuse(n, "its inputs differ in size (" + first + " and " + s + ")");
            }
            channels += s.channels();
            inputs.add(v.node());
        }
        if (axis != 1 && axis != -(first.flat() ? 1 : 3)) {
            throw refuse(n, "it joins along axis " + axis + "; cnnsee joins along the channels (axis 1)");
        }
        return add(name(n), new Op.Concat(), inputs, first.flat() ? Shape.flat(channels) : Shape.map(channels, first.height(), first.width()));
    }

    private int reshape(Onnx.NodeProto n, Value x) {
        float[] target = in(n, 1).constant();
        Shape s = x.shape();
        long[] current = s.flat() ? new long[] {1, s.channels()} : new long[] {1, s.channels(), s.height(), s.width()};
        long[] t = new long[target.length];
        long known = 1;
        int infer = -1;
        for (int i = 0; i < t.length; i++) {
            t[i] = (long) target[i];
            if (t[i] == 0 && i < current.length) {
                t[i] = current[i];
            }
            if (t[i] == -1) {
                infer = i;
            } else {
                known *= t[i];
            }
        }
        if (infer >= 0) {
            t[infer] = s.size() / known;
        }
        if (Arrays.equals(t, current)) {
            return add(name(n), new Op.Identity(), List.of(x.node()), s);
        }
        if (t.length == 2 && t[0] == 1 && t[1] == s.size()) {
            return s.flat() ? add(name(n), new Op.Identity(), List.of(x.node()), s)
                    : add(name(n), new Op.Flatten(false), List.of(x.node()), Shape.flat((int) s.size()));
        }
        throw refuse(n, "it makes " + Arrays.toString(t) + " of " + Arrays.toString(current) + ", a reshape cnnsee does not translate");
    }

    private int gemm(Onnx.NodeProto n, Value x) {
        if (!x.shape().flat()) {
            throw refuse(n, "it reads a map; flatten it first");
        }
        if (attrI(n, "transA", 0) != 0) {
            throw refuse(n, "a transposed input has no translation");
        }
        Value w = in(n, 1);
        long[] d = w.dims();
        boolean transB = attrI(n, "transB", 0) == 1;
        int out = (int) (transB ? d[0] : d[1]);
        int inSize = (int) (transB ? d[1] : d[0]);
        if (inSize != x.shape().channels()) {
            throw refuse(n, "it takes " + inSize + " values but gets " + x.shape().channels() + " (is the input size the one the "
                    + "network was built for?)");
        }
        float alpha = attrF(n, "alpha", 1f);
        float beta = attrF(n, "beta", 1f);
        float[] src = random(w.constant(), inSize, "kernel");
        float[] kernel = new float[src.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < inSize; i++) {
                kernel[o * inSize + i] = alpha * (transB ? src[o * inSize + i] : src[i * out + o]);
            }
        }
        Tensor bias = null;
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            float[] c = random(in(n, 2).constant(), 0, "bias");
            float[] b = new float[out];
            for (int o = 0; o < out; o++) {
                b[o] = beta * c[c.length == 1 ? 0 : o];
            }
            bias = Tensor.of(new long[] {out}, b);
        }
        return add(name(n), new Op.Dense(Tensor.of(new long[] {out, inSize}, kernel), bias, Activation.IDENTITY), List.of(x.node()),
                Shape.flat(out));
    }

    private int pad(Onnx.NodeProto n, Value x) {
        requireMap(n, x.shape());
        if (!"constant".equals(attrS(n, "mode", "constant"))) {
            throw refuse(n, "padding in mode " + attrS(n, "mode", "") + " has no translation (constant zeros has)");
        }
        long[] p = n.getInputCount() > 1 ? toLongs(in(n, 1).constant()) : longs(n, "pads");
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && in(n, 2).constant()[0] != 0f) {
            throw refuse(n, "padding with a value other than 0 has no translation");
        }
        if (p.length != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0) {
            throw refuse(n, "it pads " + Arrays.toString(p) + "; cnnsee pads rows and columns");
        }
        Shape s = x.shape();
        if (p[2] == 0 && p[3] == 0 && p[6] == 0 && p[7] == 0) {
            return add(name(n), new Op.Identity(), List.of(x.node()), s);
        }
        return add(name(n), new Op.ZeroPad((int) p[2], (int) p[6], (int) p[3], (int) p[7]), List.of(x.node()),
                Shape.map(s.channels(), (int) (s.height() + p[2] + p[6]), (int) (s.width() + p[3] + p[7])));
    }

    private boolean nhwcPermutation(Onnx.NodeProto n) {
        long[] perm = longs(n, "perm");
        return Arrays.equals(perm, new long[] {0, 2, 3, 1}) || Arrays.equals(perm, new long[] {0, 3, 1, 2});
    }

    /**
     * ConvNeXt's channels-last stretches ({@code Transpose} to {@code [n, h, w, c]}, layer norm,
     * per-position {@code MatMul}, GELU, {@code Transpose} back) and GELU as PyTorch exports it
     * ({@code x * (1 + erf(x / sqrt 2)) * 0.5}), followed on the engine's channel-major maps:
     * a channels-last view is the same node, its last axis the channels. True where {@code n}
     * was such a step.
     */
    private boolean channelsLastOrGelu(Onnx.NodeProto n) {
        String op = n.getOpType();
        Value x = in(n, 0);
        String out = n.getOutput(0);
        if (op.equals("Transpose")) {
            boolean toLast = Arrays.equals(longs(n, "perm"), new long[] {0, 2, 3, 1});
            if (x.shape().flat() || x.pending() != null || toLast == x.channelsLast()) {
                throw refuse(n, "it transposes axes " + Arrays.toString(longs(n, "perm")) + "; cnnsee follows a map to channels-last "
                        + "and back, and a channel shuffle");
            }
            values.put(out, new Value(x.node(), x.shape(), null, null, 0, false, toLast, null));
            return true;
        }
        boolean involved = op.equals("Erf") || op.equals("LayerNormalization") || op.equals("MatMul");
        for (int i = 0; i < n.getInputCount(); i++) {
            Value v = n.getInput(i).isEmpty() ? null : in(n, i);
            involved |= v != null && (v.channelsLast() || v.pending() != null);
        }
        if (!involved) {
            return false;
        }
        String name = name(n);
        Value b = n.getInputCount() > 1 ? in(n, 1) : null;
        if (op.equals("Erf")) {
            Value half = halves.get(n.getInput(0));
            if (half == null) {
                throw refuse(n, "erf alone has no translation; GELU's x * (1 + erf(x / sqrt 2)) / 2 has");
            }
            values.put(out, half.pending("erf"));
            return true;
        }
        if (x.pending() != null || b != null && b.pending() != null) {
            boolean xPending = x.pending() != null;
            Value p = xPending ? x : b;
            Value other = xPending ? b : x;
            float[] c = other.isConstant() ? other.constant() : null;
            if (op.equals("Add") && p.pending().equals("erf") && c != null && c.length == 1 && c[0] == 1f) {
                values.put(out, p.pending("1+erf"));
            } else if (op.equals("Mul") && p.pending().equals("1+erf") && !other.isConstant() && other.node() == p.node()
                    && other.pending() == null) {
                values.put(out, p.pending("x(1+erf)"));
            } else if (op.equals("Mul") && p.pending().equals("x(1+erf)") && c != null && c.length == 1 && c[0] == 0.5f) {
                int id = add(name, new Op.Eltwise(new Activation(Activation.Kind.GELU_ERF, 0f, 0f)), List.of(p.node()), p.shape());
                output(n, id, p.channelsLast());
            } else {
                throw refuse(n, "it uses part of GELU's formula otherwise than GELU does");
            }
            return true;
        }
        Shape s = x.shape();
        switch (op) {
            case "LayerNormalization" -> {
                long axis = attrI(n, "axis", -1);
                if (!x.channelsLast() && !s.flat() || axis != -1 && axis != (s.flat() ? 1 : 3)) {
                    throw refuse(n, "it normalises along axis " + axis + "; cnnsee normalises the channels (the last axis, channels-last)");
                }
                float[] gamma = in(n, 1).constant();
                float[] beta = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? in(n, 2).constant() : new float[s.channels()];
                if (seed != null) {
                    gamma = filled(s.channels(), 1f);
                    beta = new float[s.channels()];
                }
                output(n, add(name, new Op.LayerNorm(gamma, beta, attrF(n, "epsilon", 1e-5f)), List.of(x.node()), s), x.channelsLast());
            }
            case "MatMul" -> {
                if (!x.channelsLast() || b == null || !b.isConstant() || b.dims().length != 2 || b.dims()[0] != s.channels()) {
                    throw refuse(n, "a product with a computed tensor, or not along a channels-last map's channels, has no translation");
                }
                int cin = s.channels();
                int cout = (int) b.dims()[1];
                float[] src = random(b.constant(), cin, "kernel");
                float[] kernel = new float[cin * cout];
                for (int i = 0; i < cin; i++) {
                    for (int o = 0; o < cout; o++) {
                        kernel[o * cin + i] = src[i * cout + o];
                    }
                }
                int id = add(name, Op.Conv.of(Tensor.of(new long[] {cout, cin, 1, 1}, kernel), null, 1, new int[] {1, 1},
                        new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0}), List.of(x.node()), Shape.map(cout, s.height(), s.width()));
                output(n, id, true);
            }
            case "Add", "Sub", "Mul", "Div" -> {
                Value a = x;
                if (a.isConstant() || b.isConstant()) {
                    Value map = a.isConstant() ? b : a;
                    output(n, affine(n, map, a.isConstant() ? a : b, a.isConstant()), map.channelsLast());
                } else if (a.channelsLast() == b.channelsLast() && a.shape().equals(b.shape()) && !op.equals("Div")) {
                    Op.Combine.Kind kind = op.equals("Add") ? Op.Combine.Kind.ADD : op.equals("Sub") ? Op.Combine.Kind.SUBTRACT
                            : Op.Combine.Kind.PRODUCT;
                    output(n, add(name, new Op.Combine(kind, Activation.IDENTITY), List.of(a.node(), b.node()), a.shape()), a.channelsLast());
                } else {
                    throw refuse(n, "it combines a channels-last map with a map of another layout or shape");
                }
            }
            case "Relu", "Sigmoid", "Tanh", "HardSwish", "Gelu", "Identity", "Dropout" -> {
                Activation a = switch (op) {
                    case "Relu" -> Activation.RELU;
                    case "Sigmoid" -> new Activation(Activation.Kind.SIGMOID, 0f, 0f);
                    case "Tanh" -> new Activation(Activation.Kind.TANH, 0f, 0f);
                    case "HardSwish" -> new Activation(Activation.Kind.HARD_SWISH, 0f, 0f);
                    case "Gelu" -> new Activation("tanh".equals(attrS(n, "approximate", "none")) ? Activation.Kind.GELU_TANH
                            : Activation.Kind.GELU_ERF, 0f, 0f);
                    default -> Activation.IDENTITY;
                };
                output(n, add(name, a.identity() ? new Op.Identity() : new Op.Eltwise(a), List.of(x.node()), s), x.channelsLast());
            }
            default -> throw refuse(n, "it works on a channels-last map, which cnnsee follows through layer norms, per-position "
                    + "products, additions and activations only");
        }
        return true;
    }

    /** Records {@code id} as node {@code n}'s output, a layer of the model, seen channels-last where {@code channelsLast}. */
    private void output(Onnx.NodeProto n, int id, boolean channelsLast) {
        Shape shape = node(id).shape();
        values.put(n.getOutput(0), new Value(id, shape, null, null, 0, false, channelsLast, null));
        layers.add(new Layer(name(n), id, shape, false));
        if (!n.getOutput(0).equals(name(n))) {
            aliases.put(n.getOutput(0), name(n));
        }
    }

    /**
     * ShuffleNet's channel shuffle, {@code [n, c, h, w]} seen as {@code [n, g, c / g, h, w]}, the two
     * group axes swapped, seen as {@code [n, c, h, w]} again: a permutation of the channels, run
     * as a 1x1 convolution whose kernel picks each output's input channel.
     */
    private void shuffle(Onnx.NodeProto n, Value x) {
        Shape s = x.shape();
        String op = n.getOpType();
        if (op.equals("Reshape") && x.groups() == 0) {
            float[] t = in(n, 1).constant();
            if (s.flat() || t[0] != 1 || t[3] != s.height() || t[4] != s.width() || ((long) t[1]) * ((long) t[2]) != s.channels()) {
                throw refuse(n, "it makes " + Arrays.toString(t) + " of " + s + ", a reshape cnnsee does not translate");
            }
            values.put(n.getOutput(0), new Value(x.node(), s, null, null, (int) t[1], false));
            return;
        }
        if (op.equals("Transpose") && x.groups() > 0 && !x.swapped()
                && Arrays.equals(longs(n, "perm"), new long[] {0, 2, 1, 3, 4})) {
            values.put(n.getOutput(0), new Value(x.node(), s, null, null, x.groups(), true));
            return;
        }
        if (op.equals("Reshape") && x.swapped()) {
            float[] t = in(n, 1).constant();
            if (t.length == 4 && (t[1] == s.channels() || t[1] == -1) && t[2] == s.height() && t[3] == s.width()) {
                int c = s.channels();
                int g = x.groups();
                int perGroup = c / g;
                float[] kernel = new float[c * c];
                for (int a = 0; a < perGroup; a++) {
                    for (int b = 0; b < g; b++) {
                        kernel[(a * g + b) * c + b * perGroup + a] = 1f; // output a g + b reads input b (c / g) + a
                    }
                }
                int id = add(name(n), Op.Conv.of(Tensor.of(new long[] {c, c, 1, 1}, kernel), null, 1, new int[] {1, 1},
                        new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0}), List.of(x.node()), s);
                values.put(n.getOutput(0), new Value(id, s, null, null));
                layers.add(new Layer(name(n), id, s, false));
                if (!n.getOutput(0).equals(name(n))) {
                    aliases.put(n.getOutput(0), name(n));
                }
                return;
            }
        }
        throw refuse(n, "it reshapes or transposes a map in a way cnnsee does not translate (a channel shuffle it does)");
    }

    /**
     * A map split along its channels into parts (PyTorch's {@code chunk} and {@code split}, as newer
     * exporters write them): each output its channels, picked by a 1x1 convolution.
     */
    private void split(Onnx.NodeProto n, Value x) {
        requireMap(n, x.shape());
        long axis = attrI(n, "axis", 0);
        if (axis != 1 && axis != -3) {
            throw refuse(n, "it splits along axis " + axis + "; cnnsee splits the channels (axis 1)");
        }
        int c = x.shape().channels();
        int parts = n.getOutputCount();
        long[] sizes;
        if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
            sizes = toLongs(in(n, 1).constant());
        } else if (attr(n, "split") != null) {
            sizes = longs(n, "split");
        } else {
            sizes = new long[parts];
            long each = ((long) c + parts - 1) / parts; // opset 18's num_outputs: equal parts, the last smaller
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.min(each, c - each * i);
            }
        }
        int from = 0;
        for (int i = 0; i < parts; i++) {
            int count = (int) sizes[i];
            float[] kernel = new float[count * c];
            for (int o = 0; o < count; o++) {
                kernel[o * c + from + o] = 1f;
            }
            Shape out = Shape.map(count, x.shape().height(), x.shape().width());
            String name = name(n) + (parts > 1 ? ":" + i : "");
            int id = add(name, Op.Conv.of(Tensor.of(new long[] {count, c, 1, 1}, kernel), null, 1, new int[] {1, 1},
                    new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0}), List.of(x.node()), out);
            values.put(n.getOutput(i), new Value(id, out, null, null));
            layers.add(new Layer(name, id, out, false));
            aliases.put(n.getOutput(i), name);
            from += count;
        }
    }

    /** Channels {@code start} to {@code end} of a map (ShuffleNet's split), as a 1x1 convolution that picks them. */
    private int slice(Onnx.NodeProto n, Value x) {
        requireMap(n, x.shape());
        long[] starts = toLongs(in(n, 1).constant());
        long[] ends = toLongs(in(n, 2).constant());
        long[] axes = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? toLongs(in(n, 3).constant()) : new long[] {0};
        long[] steps = n.getInputCount() > 4 && !n.getInput(4).isEmpty() ? toLongs(in(n, 4).constant()) : new long[] {1};
        Shape s = x.shape();
        if (axes.length != 1 || axes[0] != 1 || steps[0] != 1) {
            throw refuse(n, "it slices axes " + Arrays.toString(axes) + "; cnnsee slices the channels (axis 1) in steps of 1");
        }
        int c = s.channels();
        int from = (int) Math.max(0, Math.min(c, starts[0] < 0 ? starts[0] + c : starts[0]));
        int to = (int) Math.max(from, Math.min(c, ends[0] < 0 ? ends[0] + c : ends[0]));
        int count = to - from;
        float[] kernel = new float[count * c];
        for (int o = 0; o < count; o++) {
            kernel[o * c + from + o] = 1f;
        }
        return add(name(n), Op.Conv.of(Tensor.of(new long[] {count, c, 1, 1}, kernel), null, 1, new int[] {1, 1}, new int[] {1, 1},
                new int[] {0, 0}, new int[] {0, 0}), List.of(x.node()), Shape.map(count, s.height(), s.width()));
    }

    private void requireMap(Onnx.NodeProto n, Shape s) {
        if (s.flat()) {
            throw refuse(n, "it needs a map [N, C, H, W] but gets a vector of " + s.channels() + " values");
        }
    }

    /** Weights read from input {@code i}: the file's, or where the model is random, a batch norm's identity. */
    private float[] weights(Onnx.NodeProto n, int i, String role, int size) {
        float[] v = in(n, i).constant();
        if (v == null || v.length != size) {
            throw refuse(n, "its " + role + " has " + (v == null ? 0 : v.length) + " values for " + size + " channels");
        }
        if (seed == null) {
            return v;
        }
        return role.equals("gamma") || role.equals("variance") ? filled(size, 1f) : new float[size];
    }

    /** The file's values; where the model is random, He-normal kernels ({@code fanIn}) and zero biases. */
    private float[] random(float[] values, long fanIn, String role) {
        if (seed == null) {
            return values;
        }
        float[] v = new float[values.length];
        if (role.equals("kernel")) {
            SplittableRandom r = new SplittableRandom(seed * 31 + nextId);
            double sd = Math.sqrt(2.0 / Math.max(1, fanIn));
            for (int i = 0; i < v.length; i++) {
                double u = 1 - r.nextDouble();
                v[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble()) * sd);
            }
        }
        return v;
    }

    // ---- attributes ---------------------------------------------------------------------------

    private static Onnx.AttributeProto attr(Onnx.NodeProto n, String name) {
        for (Onnx.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static long attrI(Onnx.NodeProto n, String name, long otherwise) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? otherwise : a.getI();
    }

    private static float attrF(Onnx.NodeProto n, String name, float otherwise) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? otherwise : a.getF();
    }

    private static String attrS(Onnx.NodeProto n, String name, String otherwise) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? otherwise : a.getS().toStringUtf8();
    }

    private static long[] longs(Onnx.NodeProto n, String name) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? new long[0] : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A pair of spatial values ({@code [rows, columns]}), {@code otherwise} where absent. */
    private static int[] ints(Onnx.NodeProto n, String name, int otherwise) {
        return ints(n, name, otherwise, 2);
    }

    private static int[] ints(Onnx.NodeProto n, String name, int otherwise, int count) {
        long[] v = longs(n, name);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = v.length == 0 ? otherwise : (int) v[i];
        }
        return out;
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }

    private static long[] toDims(List<Long> dims) {
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] toLongs(float[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (long) v[i];
        }
        return out;
    }

    private static float[] toFloats(List<Long> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    private static float[] toFloatsF(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    /** ONNX's integer division, which truncates towards zero, on whole numbers held as floats. */
    private static float truncatingDivision(float x, float y) {
        long quotient = (long) x / (long) y;
        return quotient;
    }
}
