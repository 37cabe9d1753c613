package io.cnnsee.dl4j.keras;

import io.cnnsee.dl4j.engine.graph.Activation;
import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Layer;
import io.cnnsee.dl4j.engine.graph.Network;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.graph.Shape;
import io.cnnsee.dl4j.engine.graph.Tensor;
import org.nd4j.shade.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The front-end for Keras: a model's configuration (Keras 3 or Keras 2, Sequential or
 * functional) and its weights as the compiler's {@link Graph}, straight from the file, without
 * Deeplearning4j. Each layer becomes one node or a few (a layer with an activation, a separable
 * convolution); its last node is the layer's output. Weights are read when a plan first needs
 * them. A layer with no translation is refused with its name, its Keras class and what to do.
 */
public final class KerasGraphReader {

    /** The graph, and the model's layers in order. */
    public record Result(Network network, List<Layer> layers) {
    }

    private final KerasFile file;
    private final KerasWeights weights;
    private final Shape inputShape;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<Integer, Integer> logits = new HashMap<>();
    private final Map<String, Integer> outputs = new HashMap<>();
    private final List<Layer> layers = new ArrayList<>();
    /** The names of the models inside the model. */
    private final java.util.Set<String> nestedModels = new java.util.HashSet<>();
    private int nextId;

    private KerasGraphReader(KerasFile file, KerasWeights weights, Shape inputShape) {
        this.file = file;
        this.weights = weights;
        this.inputShape = inputShape;
    }

    /**
     * The input the model declares: {@code {channels, height, width}}, 0 where it takes any size.
     *
     * @throws IllegalArgumentException when it is not one image input in channels-last order
     */
    public static int[] declaredInput(KerasFile file) {
        JsonNode shape = null;
        JsonNode model = file.modelConfig();
        for (JsonNode layer : model.path("layers")) {
            JsonNode c = layer.path("config");
            if ("InputLayer".equals(layer.path("class_name").asText())) {
                shape = c.has("batch_shape") ? c.get("batch_shape") : c.get("batch_input_shape");
                break;
            }
            if (c.has("batch_input_shape")) {
                shape = c.get("batch_input_shape");
                break;
            }
        }
        if (shape == null && model.has("build_input_shape")) {
            shape = model.get("build_input_shape");
        }
        if (shape == null || !shape.isArray() || shape.size() != 4) {
            throw new IllegalArgumentException(file.path() + " does not declare a picture input (batch, height, width, channels): "
                    + "cnnsee inspects convolutional networks with one image input" + (shape == null ? "" : "; it declares " + shape));
        }
        return new int[] {shape.get(3).asInt(0), shape.get(1).asInt(0), shape.get(2).asInt(0)};
    }

    /**
     * The model of {@code file} for pictures of {@code input}, with {@code weights}.
     *
     * @throws IllegalArgumentException naming the layer, its Keras class and what to do, for a layer it cannot translate
     */
    public static Result read(KerasFile file, KerasWeights weights, Shape input) {
        KerasGraphReader r = new KerasGraphReader(file, weights, input);
        String kind = file.config().path("class_name").asText();
        JsonNode model = file.modelConfig();
        List<JsonNode> all = new ArrayList<>();
        model.path("layers").forEach(all::add);
        if ("Sequential".equals(kind)) {
            r.sequential(all);
        } else if ("Functional".equals(kind) || "Model".equals(kind)) {
            r.functional(all, model);
        } else {
            throw new IllegalArgumentException(file.path() + " holds a " + kind + " model, whose layers are Python code rather than "
                    + "a configuration: save a functional or Sequential model (keras.Model(inputs, outputs)) instead");
        }
        return new Result(new Network(new Graph(r.nodes), Map.of(), r.logits), List.copyOf(r.layers));
    }

    private void sequential(List<JsonNode> all) {
        String previous = null;
        for (JsonNode layer : all) {
            String name = name(layer);
            if (previous == null) {
                previous = input(layer);
                if (!"InputLayer".equals(layer.path("class_name").asText())) {
                    layer(layer, name, List.of(previous));
                    previous = name;
                }
                continue;
            }
            layer(layer, name, List.of(previous));
            previous = name;
        }
    }

    /** The input node; named after the InputLayer, or "input" where the first layer declares the shape. */
    private String input(JsonNode layer) {
        String name = "InputLayer".equals(layer.path("class_name").asText()) ? name(layer) : "input";
        int id = nextId++;
        nodes.add(Node.of(id, name, new Op.Input(), List.of(), inputShape));
        outputs.put(name, id);
        return name;
    }

    private void functional(List<JsonNode> all, JsonNode model) {
        for (JsonNode layer : all) {
            if ("Sequential".equals(layer.path("class_name").asText())) {
                nestedModels.add(name(layer));
            }
        }
        List<String> inputs = tensorNames(model.path("input_layers"));
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(file.path() + " has " + inputs.size() + " inputs " + inputs
                    + ": cnnsee inspects networks with one image input");
        }
        List<JsonNode> pending = new ArrayList<>(all);
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                JsonNode layer = it.next();
                String name = name(layer);
                if ("InputLayer".equals(layer.path("class_name").asText())) {
                    input(layer);
                    it.remove();
                    progress = true;
                    continue;
                }
                List<String> from = inbound(layer, name);
                if (from.stream().allMatch(outputs::containsKey)) {
                    layer(layer, name, from);
                    it.remove();
                    progress = true;
                }
            }
            if (!progress) {
                JsonNode stuck = pending.get(0);
                throw new IllegalArgumentException(file.path() + ": layer '" + name(stuck) + "' reads "
                        + inbound(stuck, name(stuck)) + ", which no layer of the model puts out");
            }
        }
    }

    private static String name(JsonNode layer) {
        String name = layer.path("config").path("name").asText("");
        return name.isEmpty() ? layer.path("name").asText() : name;
    }

    /** The layers a functional model's layer reads, in order: Keras 2's nested lists or Keras 3's call arguments. */
    private List<String> inbound(JsonNode layer, String name) {
        JsonNode nodesIn = layer.path("inbound_nodes");
        if (nodesIn.size() > 1) {
            throw new IllegalArgumentException(file.path() + ": layer '" + name + "' is called " + nodesIn.size()
                    + " times (a shared layer), which cnnsee does not translate: give each call a layer of its own");
        }
        if (nodesIn.size() == 0) {
            return List.of();
        }
        JsonNode call = nodesIn.get(0);
        List<String> names = new ArrayList<>();
        if (call.isArray() && call.size() > 0 && call.get(0).isTextual()) {
            names.add(history(call, name)); // Keras 2's TFOpLambda: one tensor, not a list of them
            JsonNode y = call.path(3).path("y");
            if (y.isArray() && y.size() > 0 && y.get(0).isTextual()) {
                names.add(history(y, name)); // its second operand, when a tensor
            }
        } else if (call.isArray()) {
            for (JsonNode t : call) {
                names.add(history(t, name));
            }
        } else {
            collectTensors(call.path("args"), names, name);
        }
        return names;
    }

    private void collectTensors(JsonNode args, List<String> names, String layer) {
        if (args.isObject() && "__keras_tensor__".equals(args.path("class_name").asText())) {
            names.add(history(args.path("config").path("keras_history"), layer));
        } else if (args.isArray()) {
            args.forEach(a -> collectTensors(a, names, layer));
        }
    }

    private String history(JsonNode h, String layer) {
        // tf-keras numbers a nested model's call in this model 1 (its call 0 built it on its own input).
        boolean nestedCall = nestedModels.contains(h.path(0).asText()) && h.path(1).asInt() == 1;
        if (h.path(1).asInt() != 0 && !nestedCall || h.path(2).asInt() != 0) {
            throw new IllegalArgumentException(file.path() + ": layer '" + layer + "' reads output " + h.path(2).asInt()
                    + " of call " + h.path(1).asInt() + " of '" + h.path(0).asText()
                    + "' (a shared or multi-output layer), which cnnsee does not translate");
        }
        return h.path(0).asText();
    }

    private static List<String> tensorNames(JsonNode list) {
        List<String> names = new ArrayList<>();
        if (list.isArray() && list.size() > 0 && list.get(0).isTextual()) {
            names.add(list.get(0).asText()); // Keras 3 writes a single input flat
        } else {
            list.forEach(t -> names.add(t.path(0).asText()));
        }
        return names;
    }

    // ---- layers -------------------------------------------------------------------------------

    private void layer(JsonNode layer, String name, List<String> from) {
        String cls = layer.path("class_name").asText();
        JsonNode c = layer.path("config");
        List<Integer> in = new ArrayList<>();
        for (String f : from) {
            in.add(outputs.get(f));
        }
        if (in.isEmpty()) {
            throw refuse(name, cls, "it reads no layer");
        }
        if (c.has("data_format") && "channels_first".equals(c.path("data_format").asText())) {
            throw refuse(name, cls, "it is channels-first; cnnsee reads channels-last Keras models, Keras's default");
        }
        Shape s = shape(in.get(0));
        int out = switch (cls) {
            case "Conv2D" -> conv(name, cls, c, in, s);
            case "DepthwiseConv2D" -> depthwise(name, cls, c, in, s);
            case "SeparableConv2D" -> separable(name, cls, c, in, s);
            case "Dense" -> dense(name, cls, c, in, s);
            case "BatchNormalization" -> batchNorm(name, cls, c, in, s);
            case "Activation" -> activation(name, cls, c.path("activation"), in.get(0), s, true);
            case "ReLU" -> add(name, new Op.Eltwise(relu(name, cls, c)), in, s);
            case "LeakyReLU" -> add(name, new Op.Eltwise(new Activation(Activation.Kind.RELU,
                    (float) c.path(c.has("negative_slope") ? "negative_slope" : "alpha").asDouble(0.3), 0f)), in, s);
            case "ELU" -> add(name, new Op.Eltwise(new Activation(Activation.Kind.ELU, (float) c.path("alpha").asDouble(1), 0f)), in, s);
            case "Softmax" -> softmax(name, cls, in.get(0), s);
            case "MaxPooling2D", "AveragePooling2D" -> pool(name, cls, c, in, s);
            case "GlobalAveragePooling2D", "GlobalMaxPooling2D" -> add(name, new Op.GlobalPool(cls.contains("Max")), in,
                    c.path("keepdims").asBoolean(false) ? Shape.map(s.channels(), 1, 1) : Shape.flat(s.channels()));
            case "ZeroPadding2D" -> {
                int[] p = pairs(c.path("padding"));
                yield add(name, new Op.ZeroPad(p[0], p[1], p[2], p[3]), in,
                        Shape.map(s.channels(), s.height() + p[0] + p[1], s.width() + p[2] + p[3]));
            }
            case "Cropping2D" -> crop(name, cls, c, in, s);
            case "UpSampling2D" -> upsample(name, cls, c, in, s);
            case "Concatenate" -> concat(name, cls, c, in);
            case "Add", "Subtract", "Multiply", "Average", "Maximum" -> combine(name, cls, in);
            case "Flatten" -> s.flat() ? add(name, new Op.Identity(), in, s)
                    : add(name, new Op.Flatten(true), in, Shape.flat((int) s.size()));
            case "Reshape" -> reshape(name, cls, c, in, s);
            case "Dropout", "SpatialDropout2D", "GaussianDropout", "GaussianNoise", "AlphaDropout", "ActivityRegularization",
                 "Identity" -> add(name, new Op.Identity(), in, s);
            case "Rescaling" -> add(name, new Op.ChannelAffine(perChannel(c.path("scale"), s.channels(), name, cls),
                    perChannel(c.path("offset"), s.channels(), name, cls)), in, s);
            case "Normalization" -> normalization(name, cls, c, in, s);
            case "LayerNormalization" -> layerNorm(name, cls, c, in, s);
            case "LayerScale" -> {
                Supplier<float[]> gamma = weights.of(name, cls, List.of(new KerasWeights.Expected("gamma", s.channels()))).get(0);
                yield add(name, new Op.ChannelAffine(gamma.get(), new float[s.channels()]), in, s);
            }
            case "CustomScaleLayer" -> {
                float scale = (float) c.path("scale").asDouble(Double.NaN);
                if (Float.isNaN(scale) || in.size() != 2) {
                    throw refuse(name, cls, "it is not InceptionResNetV2's x + scale * y");
                }
                float[] f = new float[shape(in.get(1)).channels()];
                java.util.Arrays.fill(f, scale);
                int scaled = node(name, new Op.ChannelAffine(f, new float[f.length]), List.of(in.get(1)), shape(in.get(1)));
                yield add(name, new Op.Combine(Op.Combine.Kind.ADD, Activation.IDENTITY), List.of(in.get(0), scaled), s);
            }
            case "Sequential" -> {
                // A Sequential inside the model (ConvNeXt's stem): its layers, in a chain, as the model's own.
                String previous = from.get(0);
                for (JsonNode inner : c.path("layers")) {
                    if ("InputLayer".equals(inner.path("class_name").asText())) {
                        continue;
                    }
                    String innerName = name(inner);
                    layer(inner, innerName, List.of(previous));
                    previous = innerName;
                }
                outputs.put(name, outputs.get(previous));
                yield -1;
            }
            case "Functional", "Model" -> throw refuse(name, cls, "it is a functional model inside the model; cnnsee reads "
                    + "Sequential ones nested: build the model without nesting (or save the inner model on its own)");
            case "TFOpLambda" -> tfOp(layer, name, cls, c, in, s);
            case "Lambda" -> throw refuse(name, cls, "it is Python code (" + c.path("function").toString()
                    + "), not a layer a file can describe: save the model with Keras 3 (which writes built-in layers), "
                    + "or replace it with a built-in layer");
            default -> throw refuse(name, cls, "cnnsee has no translation for it yet (docs/models.md lists the layers it reads)");
        };
        if (out < 0) {
            return; // a nested model: its layers are listed
        }
        boolean convolution = cls.equals("Conv2D") || cls.equals("DepthwiseConv2D") || cls.equals("SeparableConv2D");
        outputs.put(name, out);
        layers.add(new Layer(name, out, shape(out), convolution));
    }

    /**
     * tf-keras's record of an operator applied to a tensor: {@code x + y} and {@code x * y}, with
     * {@code y} a tensor or a number (MobileNetV3's hard sigmoid, ConvNeXt's residual sums).
     */
    private int tfOp(JsonNode layer, String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        String function = c.path("function").asText();
        JsonNode y = layer.path("inbound_nodes").path(0).path(3).path("y");
        boolean add = function.equals("__operators__.add") || function.equals("math.add");
        boolean multiply = function.equals("math.multiply") || function.equals("__operators__.mul");
        if (!add && !multiply) {
            throw refuse(name, cls, "it is Python code (\"" + function + "\"), not a layer a file can describe: save the model "
                    + "with Keras 3 (which writes built-in layers), or replace it with a built-in layer");
        }
        if (in.size() == 2) {
            if (!shape(in.get(0)).equals(shape(in.get(1)))) {
                throw refuse(name, cls, "its operands differ in shape (" + shape(in.get(0)) + " and " + shape(in.get(1)) + ")");
            }
            return add(name, new Op.Combine(add ? Op.Combine.Kind.ADD : Op.Combine.Kind.PRODUCT, Activation.IDENTITY), in, s);
        }
        if (!y.isNumber()) {
            throw refuse(name, cls, "its second operand " + y + " is neither a tensor nor a number");
        }
        float v = (float) y.asDouble();
        float[] scale = new float[s.channels()];
        float[] shift = new float[s.channels()];
        java.util.Arrays.fill(scale, add ? 1f : v);
        java.util.Arrays.fill(shift, add ? v : 0f);
        return add(name, new Op.ChannelAffine(scale, shift), in, s);
    }

    private IllegalArgumentException refuse(String name, String cls, String why) {
        return new IllegalArgumentException(file.path().getFileName() + ": layer '" + name + "' (Keras " + cls + ") cannot be read: "
                + why);
    }

    private Shape shape(int node) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (nodes.get(i).id() == node) {
                return nodes.get(i).shape();
            }
        }
        throw new IllegalStateException("no node " + node);
    }

    private Op opOf(int node) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (nodes.get(i).id() == node) {
                return nodes.get(i).op();
            }
        }
        throw new IllegalStateException("no node " + node);
    }

    /** A node of the layer, not its output. */
    private int node(String name, Op op, List<Integer> inputs, Shape out) {
        int id = nextId++;
        nodes.add(Node.of(id, name, op, inputs, out));
        return id;
    }

    /** The layer's output node. */
    private int add(String name, Op op, List<Integer> inputs, Shape out) {
        return node(name, op, inputs, out);
    }

    // ---- convolutions -------------------------------------------------------------------------

    private int conv(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        requireMap(name, cls, s);
        int filters = c.path("filters").asInt();
        int groups = c.path("groups").asInt(1);
        int[] k = ints(c.path("kernel_size"));
        Geometry g = geometry(name, cls, c, s, k);
        List<KerasWeights.Expected> expected = new ArrayList<>();
        expected.add(new KerasWeights.Expected("kernel", k[0], k[1], s.channels() / groups, filters));
        boolean bias = c.path("use_bias").asBoolean(true);
        if (bias) {
            expected.add(new KerasWeights.Expected("bias", filters));
        }
        List<Supplier<float[]>> w = weights.of(name, cls, expected);
        Tensor kernel = kernel(w.get(0), k[0], k[1], s.channels() / groups, filters);
        Op.Conv op = Op.Conv.of(kernel, bias ? vector(w.get(1), filters) : null, groups, g.stride, g.dilation, g.begin, g.end);
        int conv = node(name, op, in, g.out(filters));
        return activation(name, cls, c.path("activation"), conv, g.out(filters), false);
    }

    private int depthwise(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        requireMap(name, cls, s);
        int m = c.path("depth_multiplier").asInt(1);
        int[] k = ints(c.path("kernel_size"));
        Geometry g = geometry(name, cls, c, s, k);
        List<KerasWeights.Expected> expected = new ArrayList<>();
        expected.add(new KerasWeights.Expected("depthwise_kernel", k[0], k[1], s.channels(), m));
        boolean bias = c.path("use_bias").asBoolean(true);
        if (bias) {
            expected.add(new KerasWeights.Expected("bias", (long) s.channels() * m));
        }
        List<Supplier<float[]>> w = weights.of(name, cls, expected);
        Op.Conv op = Op.Conv.of(depthwiseKernel(w.get(0), k[0], k[1], s.channels(), m), bias ? vector(w.get(1), (long) s.channels() * m) : null,
                s.channels(), g.stride, g.dilation, g.begin, g.end);
        Shape out = g.out(s.channels() * m);
        return activation(name, cls, c.path("activation"), node(name, op, in, out), out, false);
    }

    private int separable(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        requireMap(name, cls, s);
        int m = c.path("depth_multiplier").asInt(1);
        int filters = c.path("filters").asInt();
        int[] k = ints(c.path("kernel_size"));
        Geometry g = geometry(name, cls, c, s, k);
        List<KerasWeights.Expected> expected = new ArrayList<>();
        expected.add(new KerasWeights.Expected("depthwise_kernel", k[0], k[1], s.channels(), m));
        expected.add(new KerasWeights.Expected("pointwise_kernel", 1, 1, (long) s.channels() * m, filters));
        boolean bias = c.path("use_bias").asBoolean(true);
        if (bias) {
            expected.add(new KerasWeights.Expected("bias", filters));
        }
        List<Supplier<float[]>> w = weights.of(name, cls, expected);
        Op.Conv dw = Op.Conv.of(depthwiseKernel(w.get(0), k[0], k[1], s.channels(), m), null, s.channels(), g.stride, g.dilation,
                g.begin, g.end);
        int depth = node(name, dw, in, g.out(s.channels() * m));
        Op.Conv pw = Op.Conv.of(kernel(w.get(1), 1, 1, s.channels() * m, filters), bias ? vector(w.get(2), filters) : null, 1,
                new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0});
        int point = node(name, pw, List.of(depth), g.out(filters));
        return activation(name, cls, c.path("activation"), point, g.out(filters), false);
    }

    private record Geometry(int[] stride, int[] dilation, int[] begin, int[] end, int height, int width) {
        Shape out(int channels) {
            return Shape.map(channels, height, width);
        }
    }

    /** Strides, dilation, and padding as TensorFlow's "same" (the odd row or column after) or "valid" gives it. */
    private Geometry geometry(String name, String cls, JsonNode c, Shape s, int[] kernel) {
        int[] stride = c.has("strides") && !c.get("strides").isNull() ? ints(c.path("strides")) : kernel.clone();
        int[] dilation = c.has("dilation_rate") ? ints(c.path("dilation_rate")) : new int[] {1, 1};
        String padding = c.path("padding").asText("valid").toLowerCase(Locale.ROOT);
        int[] in = {s.height(), s.width()};
        int[] out = new int[2];
        int[] begin = new int[2];
        int[] end = new int[2];
        for (int a = 0; a < 2; a++) {
            int effective = (kernel[a] - 1) * dilation[a] + 1;
            if (padding.equals("same")) {
                out[a] = (in[a] + stride[a] - 1) / stride[a];
                int total = Math.max(0, (out[a] - 1) * stride[a] + effective - in[a]);
                begin[a] = total / 2;
                end[a] = total - begin[a];
            } else if (padding.equals("valid")) {
                out[a] = (in[a] - effective) / stride[a] + 1;
            } else {
                throw refuse(name, cls, "its padding '" + padding + "' has no translation (same and valid do)");
            }
            if (out[a] < 1 || in[a] < effective && padding.equals("valid")) {
                throw refuse(name, cls, "its input of " + s + " is smaller than its window of " + kernel[0] + "x" + kernel[1]
                        + ": give a larger picture (--input-size)");
            }
        }
        return new Geometry(stride, dilation, begin, end, out[0], out[1]);
    }

    /** Keras's kernel {@code [kh, kw, in, out]} as the engine's {@code [out, in, kh, kw]}. */
    private static Tensor kernel(Supplier<float[]> keras, int kh, int kw, int in, int out) {
        return Tensor.of(new long[] {out, in, kh, kw}, () -> {
            float[] src = keras.get();
            float[] dst = new float[src.length];
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    for (int i = 0; i < in; i++) {
                        int from = ((y * kw + x) * in + i) * out;
                        for (int o = 0; o < out; o++) {
                            dst[((o * in + i) * kh + y) * kw + x] = src[from + o];
                        }
                    }
                }
            }
            return dst;
        });
    }

    /** A depthwise kernel {@code [kh, kw, in, m]} as a grouped one, {@code [in m, 1, kh, kw]} (output channel {@code c m + j}). */
    private static Tensor depthwiseKernel(Supplier<float[]> keras, int kh, int kw, int in, int m) {
        int channels = in * m;
        return Tensor.of(new long[] {channels, 1, kh, kw}, () -> {
            float[] src = keras.get();
            float[] dst = new float[src.length];
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    for (int ch = 0; ch < channels; ch++) {
                        dst[(ch * kh + y) * kw + x] = src[(y * kw + x) * channels + ch];
                    }
                }
            }
            return dst;
        });
    }

    private static Tensor vector(Supplier<float[]> values, long size) {
        return Tensor.of(new long[] {size}, values);
    }

    // ---- dense, normalisations ----------------------------------------------------------------

    private int dense(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        int units = c.path("units").asInt();
        boolean bias = c.path("use_bias").asBoolean(true);
        List<KerasWeights.Expected> expected = new ArrayList<>();
        expected.add(new KerasWeights.Expected("kernel", s.channels(), units));
        if (bias) {
            expected.add(new KerasWeights.Expected("bias", units));
        }
        List<Supplier<float[]>> w = weights.of(name, cls, expected);
        Tensor b = bias ? vector(w.get(1), units) : null;
        if (!s.flat()) {
            // Dense on a map acts on each position's channels: a 1x1 convolution.
            Op.Conv op = Op.Conv.of(kernel(w.get(0), 1, 1, s.channels(), units), b, 1, new int[] {1, 1}, new int[] {1, 1},
                    new int[] {0, 0}, new int[] {0, 0});
            Shape out = Shape.map(units, s.height(), s.width());
            return activation(name, cls, c.path("activation"), node(name, op, in, out), out, false);
        }
        int n = s.channels();
        Supplier<float[]> kerasKernel = w.get(0);
        Tensor kernel = Tensor.of(new long[] {units, n}, () -> {
            float[] src = kerasKernel.get();
            float[] dst = new float[src.length];
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < units; o++) {
                    dst[o * n + i] = src[i * units + o];
                }
            }
            return dst;
        });
        int d = node(name, new Op.Dense(kernel, b, Activation.IDENTITY), in, Shape.flat(units));
        return activation(name, cls, c.path("activation"), d, Shape.flat(units), false);
    }

    private int batchNorm(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        requireChannelAxis(name, cls, c.path("axis"), s);
        int ch = s.channels();
        boolean scale = c.path("scale").asBoolean(true);
        boolean center = c.path("center").asBoolean(true);
        List<KerasWeights.Expected> expected = gammaBeta(c, ch);
        expected.add(new KerasWeights.Expected("moving_mean", ch));
        expected.add(new KerasWeights.Expected("moving_variance", ch));
        List<Supplier<float[]>> w = weights.of(name, cls, expected);
        int at = 0;
        float[] gamma = scale ? w.get(at++).get() : ones(ch);
        float[] beta = center ? w.get(at++).get() : new float[ch];
        float[] mean = w.get(at++).get();
        float[] var = w.get(at).get();
        double eps = c.path("epsilon").asDouble(1e-3);
        float[] a = new float[ch];
        float[] b = new float[ch];
        for (int i = 0; i < ch; i++) {
            a[i] = (float) (gamma[i] / Math.sqrt(var[i] + eps));
            b[i] = beta[i] - mean[i] * a[i];
        }
        return add(name, new Op.ChannelAffine(a, b), in, s);
    }

    private int normalization(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        requireChannelAxis(name, cls, c.path("axis"), s);
        if (c.path("invert").asBoolean(false)) {
            throw refuse(name, cls, "it inverts a normalisation, which cnnsee does not translate");
        }
        int ch = s.channels();
        float[] mean;
        float[] var;
        if (c.hasNonNull("mean") && c.hasNonNull("variance")) {
            mean = perChannel(c.get("mean"), ch, name, cls);
            var = perChannel(c.get("variance"), ch, name, cls);
        } else {
            List<Supplier<float[]>> w = weights.of(name, cls, List.of(new KerasWeights.Expected("mean", ch),
                    new KerasWeights.Expected("variance", ch), new KerasWeights.Expected("count")));
            mean = w.get(0).get();
            var = w.get(1).get();
        }
        float[] a = new float[ch];
        float[] b = new float[ch];
        for (int i = 0; i < ch; i++) {
            a[i] = (float) (1.0 / Math.max(Math.sqrt(var[i]), 1e-7)); // Keras divides by max(sqrt(var), epsilon)
            b[i] = -mean[i] * a[i];
        }
        return add(name, new Op.ChannelAffine(a, b), in, s);
    }

    private int layerNorm(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        requireChannelAxis(name, cls, c.path("axis"), s);
        if (c.path("rms_scaling").asBoolean(false)) {
            throw refuse(name, cls, "RMS scaling has no translation yet");
        }
        int ch = s.channels();
        boolean scale = c.path("scale").asBoolean(true);
        boolean center = c.path("center").asBoolean(true);
        List<Supplier<float[]>> w = weights.of(name, cls, gammaBeta(c, ch));
        float[] gamma = scale ? w.get(0).get() : ones(ch);
        float[] beta = center ? w.get(scale ? 1 : 0).get() : new float[ch];
        float eps = (float) c.path("epsilon").asDouble(1e-3);
        return add(name, new Op.LayerNorm(gamma, beta, eps), in, s);
    }

    /** A normalisation's learned scale and shift, where its configuration has them ({@code scale}, {@code center}). */
    private static List<KerasWeights.Expected> gammaBeta(JsonNode c, int channels) {
        List<KerasWeights.Expected> expected = new ArrayList<>();
        if (c.path("scale").asBoolean(true)) {
            expected.add(new KerasWeights.Expected("gamma", channels));
        }
        if (c.path("center").asBoolean(true)) {
            expected.add(new KerasWeights.Expected("beta", channels));
        }
        return expected;
    }

    private void requireChannelAxis(String name, String cls, JsonNode axis, Shape s) {
        int a = axis.isArray() ? (axis.size() == 1 ? axis.get(0).asInt() : Integer.MIN_VALUE) : axis.asInt(-1);
        int last = s.flat() ? 1 : 3;
        if (a != -1 && a != last) {
            throw refuse(name, cls, "it works along axis " + axis + "; cnnsee translates it along the channels (axis -1) only");
        }
    }

    // ---- activations --------------------------------------------------------------------------

    /** {@code node} followed by the activation {@code spec} names; softmax over a vector makes the node its logits. */
    private int activation(String name, String cls, JsonNode spec, int node, Shape s, boolean layerOfItsOwn) {
        String fn = activationName(spec);
        if (fn.equals("linear") || fn.isEmpty()) {
            return layerOfItsOwn ? add(name, new Op.Identity(), List.of(node), s) : node;
        }
        if (fn.equals("softmax")) {
            return softmax(name, cls, node, s);
        }
        Activation a = switch (fn) {
            case "relu" -> Activation.RELU;
            case "relu6" -> new Activation(Activation.Kind.CLIP, 0f, 6f);
            case "leaky_relu" -> new Activation(Activation.Kind.RELU, 0.2f, 0f);
            case "elu" -> new Activation(Activation.Kind.ELU, 1f, 0f);
            case "sigmoid" -> new Activation(Activation.Kind.SIGMOID, 0f, 0f);
            case "tanh" -> new Activation(Activation.Kind.TANH, 0f, 0f);
            case "softplus" -> new Activation(Activation.Kind.SOFTPLUS, 1f, 0f);
            case "swish", "silu" -> new Activation(Activation.Kind.SWISH, 1f, 0f);
            case "gelu" -> new Activation(Activation.Kind.GELU_ERF, 0f, 0f);
            case "hard_swish", "hard_silu" -> new Activation(Activation.Kind.HARD_SWISH, 0f, 0f);
            default -> throw refuse(name, cls, "its activation '" + fn + "' has no exact translation");
        };
        return add(name, new Op.Eltwise(a), List.of(node), s);
    }

    private static String activationName(JsonNode spec) {
        if (spec == null || spec.isMissingNode() || spec.isNull()) {
            return "";
        }
        if (spec.isTextual()) {
            return spec.asText();
        }
        JsonNode config = spec.path("config");
        return config.isTextual() ? config.asText() : spec.path("class_name").asText().toLowerCase(Locale.ROOT);
    }

    private Activation relu(String name, String cls, JsonNode c) {
        JsonNode max = c.path("max_value");
        float slope = (float) c.path("negative_slope").asDouble(0);
        if (c.path("threshold").asDouble(0) != 0) {
            throw refuse(name, cls, "a ReLU with a threshold has no translation");
        }
        if (max.isNull() || max.isMissingNode()) {
            return new Activation(Activation.Kind.RELU, slope, 0f);
        }
        if (slope != 0) {
            throw refuse(name, cls, "a capped ReLU with a negative slope has no translation");
        }
        return new Activation(Activation.Kind.CLIP, 0f, (float) max.asDouble());
    }

    private int softmax(String name, String cls, int node, Shape s) {
        if (!s.flat()) {
            throw refuse(name, cls, "softmax over a map (" + s + ") has no translation; over a vector it has");
        }
        int id = add(name, new Op.Softmax(), List.of(node), s);
        logits.put(id, node);
        return id;
    }

    // ---- pooling and shapes -------------------------------------------------------------------

    private int pool(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        requireMap(name, cls, s);
        int[] k = ints(c.path("pool_size"));
        Geometry g = geometry(name, cls, c, s, k);
        boolean max = cls.startsWith("Max");
        // TensorFlow's average leaves the padding out of its divisor.
        return add(name, new Op.Pool(max, false, k, g.stride, g.begin, g.end), in, g.out(s.channels()));
    }

    private int crop(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        requireMap(name, cls, s);
        int[] p = pairs(c.path("cropping"));
        Shape out = Shape.map(s.channels(), s.height() - p[0] - p[1], s.width() - p[2] - p[3]);
        return add(name, new Op.Crop(p[0], p[1], p[2], p[3]), in, out);
    }

    private int upsample(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        requireMap(name, cls, s);
        if (!"nearest".equals(c.path("interpolation").asText("nearest"))) {
            throw refuse(name, cls, "interpolation '" + c.path("interpolation").asText() + "' has no translation (nearest has)");
        }
        int[] size = ints(c.path("size"));
        return add(name, new Op.Upsample(size[0], size[1]), in, Shape.map(s.channels(), s.height() * size[0], s.width() * size[1]));
    }

    private int concat(String name, String cls, JsonNode c, List<Integer> in) {
        Shape first = shape(in.get(0));
        int axis = c.path("axis").asInt(-1);
        if (axis != -1 && axis != (first.flat() ? 1 : 3)) {
            throw refuse(name, cls, "it joins along axis " + axis + "; cnnsee joins along the channels (axis -1)");
        }
        int channels = 0;
        for (int i : in) {
            Shape s = shape(i);
            if (s.flat() != first.flat() || s.height() != first.height() || s.width() != first.width()) {
                throw refuse(name, cls, "its inputs differ in size (" + first + " and " + s + ")");
            }
            channels += s.channels();
        }
        Shape out = first.flat() ? Shape.flat(channels) : Shape.map(channels, first.height(), first.width());
        return add(name, new Op.Concat(), in, out);
    }

    private int combine(String name, String cls, List<Integer> in) {
        Shape first = shape(in.get(0));
        boolean same = in.stream().allMatch(i -> shape(i).equals(first));
        if (!same && cls.equals("Multiply") && in.size() == 2) {
            Shape a = first;
            Shape b = shape(in.get(1));
            int map = vectorLike(b, a) ? 0 : vectorLike(a, b) ? 1 : -1;
            if (map >= 0) {
                return add(name, new Op.ChannelScale(map), in, map == 0 ? a : b);
            }
        }
        if (!same) {
            throw refuse(name, cls, "its inputs differ in shape (" + in.stream().map(this::shape).toList() + ")");
        }
        Op.Combine.Kind kind = switch (cls) {
            case "Add" -> Op.Combine.Kind.ADD;
            case "Subtract" -> Op.Combine.Kind.SUBTRACT;
            case "Multiply" -> Op.Combine.Kind.PRODUCT;
            case "Average" -> Op.Combine.Kind.AVERAGE;
            default -> Op.Combine.Kind.MAX;
        };
        return add(name, new Op.Combine(kind, Activation.IDENTITY), in, first);
    }

    /** Whether {@code v} is one value per channel of the map {@code m} ({@code c x 1 x 1}). */
    private static boolean vectorLike(Shape v, Shape m) {
        return !m.flat() && !v.flat() && v.height() == 1 && v.width() == 1 && v.channels() == m.channels()
                && (m.height() > 1 || m.width() > 1);
    }

    private int reshape(String name, String cls, JsonNode c, List<Integer> in, Shape s) {
        int[] target = ints(c.path("target_shape"));
        long size = 1;
        for (int t : target) {
            size *= t;
        }
        if (size != s.size()) {
            throw refuse(name, cls, "it makes " + java.util.Arrays.toString(target) + " of " + s);
        }
        if (target.length == 1) {
            return s.flat() ? add(name, new Op.Identity(), in, s) : add(name, new Op.Flatten(true), in, Shape.flat(target[0]));
        }
        if (target.length == 3 && target[0] == 1 && target[1] == 1 && s.flat() && opOf(in.get(0)) instanceof Op.GlobalPool g) {
            // A global pool's vector made a 1x1 map (squeeze-and-excitation): the same pool, kept as a map.
            Node pool = nodes.stream().filter(n -> n.id() == in.get(0)).findFirst().orElseThrow();
            return add(name, g, pool.inputs(), Shape.map(target[2], 1, 1));
        }
        if (target.length == 3 && !s.flat() && target[0] == s.height() && target[1] == s.width() && target[2] == s.channels()) {
            return add(name, new Op.Identity(), in, s);
        }
        throw refuse(name, cls, "it makes " + java.util.Arrays.toString(target) + " of " + s + ", a reshape cnnsee does not translate");
    }

    private void requireMap(String name, String cls, Shape s) {
        if (s.flat()) {
            throw refuse(name, cls, "it needs a map (height, width, channels) but gets a vector of " + s.channels() + " values");
        }
    }

    // ---- config values ------------------------------------------------------------------------

    private static int[] ints(JsonNode n) {
        if (n.isArray()) {
            int[] v = new int[n.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = n.get(i).asInt();
            }
            return v;
        }
        return new int[] {n.asInt(), n.asInt()};
    }

    /** Keras's padding or cropping: {@code p}, {@code (rows, columns)} or {@code ((top, bottom), (left, right))}. */
    private static int[] pairs(JsonNode n) {
        if (!n.isArray()) {
            int p = n.asInt();
            return new int[] {p, p, p, p};
        }
        if (n.get(0).isArray()) {
            return new int[] {n.get(0).get(0).asInt(), n.get(0).get(1).asInt(), n.get(1).get(0).asInt(), n.get(1).get(1).asInt()};
        }
        return new int[] {n.get(0).asInt(), n.get(0).asInt(), n.get(1).asInt(), n.get(1).asInt()};
    }

    private float[] perChannel(JsonNode n, int channels, String name, String cls) {
        float[] v = new float[channels];
        if (n.isArray() && n.size() == channels) {
            for (int i = 0; i < channels; i++) {
                v[i] = (float) n.get(i).asDouble();
            }
        } else if (n.isArray() && n.size() == 1 || n.isNumber()) {
            java.util.Arrays.fill(v, (float) (n.isArray() ? n.get(0) : n).asDouble());
        } else if (n.isMissingNode() || n.isNull()) {
            return v;
        } else {
            throw refuse(name, cls, "it gives " + n + " where one value or one per channel (" + channels + ") was expected");
        }
        return v;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }
}
