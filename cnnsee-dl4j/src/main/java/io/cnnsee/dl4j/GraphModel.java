package io.cnnsee.dl4j;

import io.cnnsee.BiasGradients;
import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMap;
import io.cnnsee.FirstLayerKernels;
import io.cnnsee.FullGradient;
import io.cnnsee.ImageInput;
import io.cnnsee.InputGradient;
import io.cnnsee.MapShape;
import io.cnnsee.Objective;
import io.cnnsee.ReceptiveField;
import io.cnnsee.Tap;
import io.cnnsee.UnsupportedCapabilityException;
import io.cnnsee.WeightsInfo;
import io.cnnsee.dl4j.engine.graph.Layer;
import io.cnnsee.dl4j.engine.graph.Network;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A network a front-end read straight into the engine's own graph (a Keras file, {@link
 * KerasModels}), run on oneDNN forward and backward: no Deeplearning4j network behind it.
 * Taps are its layers whose output is a map, by their names in the file; the default ones are
 * the last output before each down-sampling. Thread-safe: passes are serialised.
 */
public final class GraphModel extends EngineModel {

    private final String name;
    private final Network network;
    private final Map<String, Layer> layers;
    /** Other names of layers (an ONNX node's output tensor), by the layer's name. */
    private final Map<String, String> aliases;
    private final ImageInput input;
    private final ClassLabels labels;
    private final WeightsInfo weights;
    private final ConvolutionAlgorithm convolutions;
    private final LongFunction<GraphModel> randomTwin;
    private final AutoCloseable source;
    /** What reports should add of how the network was read, or nothing. */
    private final String remark;
    private final int planThreads;
    private final List<Tap> spatial;
    private final List<Tap> defaults;
    private final Tap classifier;
    private CompiledRuns compiled;
    private boolean closed;

    GraphModel(String name, Network network, List<Layer> layers, Map<String, String> aliases, ImageInput input, ClassLabels labels,
               WeightsInfo weights, ConvolutionAlgorithm convolutions, LongFunction<GraphModel> randomTwin, AutoCloseable source,
               String remark) {
        this.name = name;
        this.remark = Objects.requireNonNull(remark, "remark");
        this.aliases = Map.copyOf(aliases);
        this.network = network;
        this.input = input;
        this.labels = labels;
        this.weights = weights;
        this.convolutions = convolutions;
        this.randomTwin = randomTwin;
        this.source = source;
        this.planThreads = io.cnnsee.dl4j.engine.onednn.OmpThreads.current();
        Map<String, Layer> byName = new LinkedHashMap<>();
        layers.forEach(l -> byName.put(l.name(), l));
        this.layers = byName;
        this.spatial = layers.stream().filter(l -> !l.shape().flat()).map(GraphModel::tap).toList();
        if (spatial.isEmpty()) {
            throw new IllegalArgumentException(name + " has no layer whose output is a map (channels x height x width): "
                    + "cnnsee inspects convolutional networks");
        }
        this.defaults = defaults(layers);
        this.classifier = classifier(layers, network).orElse(null);
    }

    /** The last layer as a tap, where it is a softmax over classes whose scores before it the graph holds. */
    static Optional<Tap> classifier(List<Layer> layers, Network network) {
        Layer last = layers.get(layers.size() - 1);
        boolean classifies = last.shape().flat() && network.logits().containsKey(last.node());
        return classifies ? Optional.of(Tap.of(last.name(), new MapShape(last.shape().channels(), 1, 1))) : Optional.empty();
    }

    /**
     * Per run of maps of one size that holds a convolution, its last map: before each
     * down-sampling. Maps of 1 x 1 (squeeze-and-excitation's) show nothing of where and are left out.
     */
    private static List<Tap> defaults(List<Layer> layers) {
        List<Tap> out = new ArrayList<>();
        Layer runLast = null;
        boolean conv = false;
        for (Layer l : layers) {
            if (l.shape().flat() || l.shape().height() * l.shape().width() == 1) {
                continue;
            }
            if (runLast != null && (runLast.shape().height() != l.shape().height() || runLast.shape().width() != l.shape().width())) {
                if (conv) {
                    out.add(tap(runLast));
                }
                conv = false;
            }
            runLast = l;
            conv |= l.convolution();
        }
        if (runLast != null && (conv || out.isEmpty())) {
            out.add(tap(runLast));
        }
        return List.copyOf(out);
    }

    private static Tap tap(Layer l) {
        return Tap.of(l.name(), new MapShape(l.shape().channels(), l.shape().height(), l.shape().width()));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public WeightsInfo weights() {
        return weights;
    }

    @Override
    public MapShape inputShape() {
        return input.shape();
    }

    @Override
    public List<Tap> taps() {
        return defaults;
    }

    @Override
    public List<Tap> allTaps() {
        return spatial;
    }

    @Override
    public Tap tap(String layerName) {
        Objects.requireNonNull(layerName, "layerName");
        layerName = aliases.getOrDefault(layerName, layerName);
        for (Tap t : spatial) {
            if (t.layerName().equals(layerName)) {
                return t;
            }
        }
        List<String> names = spatial.stream().map(Tap::layerName).toList();
        Layer l = layers.get(layerName);
        if (l != null) {
            throw new IllegalArgumentException(name + "'s layer '" + layerName + "' puts out " + l.shape() + ", not a map: choose one of "
                    + names);
        }
        throw new io.cnnsee.UnknownLayerException(name, layerName, "its layers with maps", names);
    }

    @Override
    Optional<Tap> classes() {
        return Optional.ofNullable(classifier);
    }

    @Override
    public String classLabel(int index) {
        return labels.label(index);
    }

    @Override
    public BufferedImage inputView(BufferedImage image) {
        return input.view(image);
    }

    @Override
    public ImageInput imageInput() {
        return input;
    }

    @Override
    public float[] networkInput(BufferedImage image) {
        return input.toChannelsFirst(Objects.requireNonNull(image, "image"));
    }

    @Override
    public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
        return forwardAll(List.of(Objects.requireNonNull(image, "image must not be null")), taps).get(0);
    }

    @Override
    public List<List<FeatureMap>> forwardAll(List<BufferedImage> images, List<Tap> taps) {
        Objects.requireNonNull(images, "images");
        int[] nodes = nodes(taps);
        List<float[]> values = new ArrayList<>(images.size());
        for (BufferedImage image : images) {
            values.add(input.toChannelsFirst(Objects.requireNonNull(image, "image must not be null")));
        }
        List<List<FeatureMap>> out = new ArrayList<>(images.size());
        synchronized (this) {
            compiled().forward(values, nodes, (reader, picture) -> {
                List<FeatureMap> maps = new ArrayList<>(taps.size());
                for (int i = 0; i < taps.size(); i++) {
                    int node = nodes[i];
                    maps.add(FeatureMap.fill(taps.get(i), target -> reader.read(node, target)));
                }
                out.add(maps);
            });
        }
        return out;
    }

    /**
     * The taps' values, channel-major, for one input given as the network takes it (channel-major,
     * already scaled, as {@link #networkInput} makes it): for tensors from a pipeline of one's own.
     */
    public float[][] forward(float[] values, List<Tap> taps) {
        Objects.requireNonNull(values, "values");
        if (values.length != input.shape().size()) {
            throw new IllegalArgumentException("The input has " + values.length + " values; " + name + " takes " + input.shape()
                    + " = " + input.shape().size());
        }
        int[] nodes = nodes(taps);
        float[][] out = new float[taps.size()][];
        synchronized (this) {
            compiled().forward(List.of(values), nodes, (reader, picture) -> {
                for (int i = 0; i < nodes.length; i++) {
                    out[i] = new float[taps.get(i).shape().size()];
                    reader.read(nodes[i], out[i]);
                }
            });
        }
        return out;
    }

    @Override
    boolean scoresClasses() {
        return classifier != null;
    }

    @Override
    public boolean scoresFrom(Tap tap) {
        Layer l = layer(Objects.requireNonNull(tap, "tap").layerName());
        if (classifier == null || l == null) {
            return false;
        }
        synchronized (this) {
            return compiled().from(l.node(), layers.get(classifier.layerName()).node()).isPresent();
        }
    }

    /** Forward only, in batches, on oneDNN, from the tap's node on. */
    @Override
    public List<float[]> classScoresFrom(Tap tap, List<float[]> outputs) {
        checkOutputs(tap, outputs);
        int classes = layers.get(classifier.layerName()).node();
        synchronized (this) {
            return compiled().from(layer(tap.layerName()).node(), classes).orElseThrow().classScores(outputs, classes)
                    .orElseThrow();
        }
    }

    /** Forward only, in batches, on oneDNN. */
    @Override
    public List<float[]> classScores(List<float[]> inputs) {
        checkInputs(inputs, input.shape().size());
        Tap classes = classifier();
        synchronized (this) {
            return compiled().classScores(inputs, layers.get(classes.layerName()).node()).orElseThrow();
        }
    }

    @Override
    public FullGradient fullGradient(BufferedImage image, int classIndex) {
        Objects.requireNonNull(image, "image must not be null");
        int chosen = checkClass(classIndex);
        float[] values = input.toChannelsFirst(image);
        synchronized (this) {
            return compiled().fullGradient(values, layers.get(classifier().layerName()).node(), chosen)
                    .orElseThrow(() -> new UnsupportedCapabilityException(name, BiasGradients.class, "FullGrad"));
        }
    }

    @Override
    public ClassGradient classGradient(BufferedImage image, int classIndex, List<Tap> taps) {
        Objects.requireNonNull(image, "image must not be null");
        Tap classes = classes().orElseThrow(() -> new UnsupportedOperationException(name + " does not end in a "
                + "softmax over classes, so it has no class score to explain (Grad-CAM needs one)"));
        int chosen = checkClass(classIndex);
        for (Tap t : Objects.requireNonNull(taps, "taps")) {
            if (layer(t.layerName()) == null || layer(t.layerName()).shape().flat()) {
                throw new IllegalArgumentException("Grad-CAM needs a convolutional layer; " + t.layerName()
                        + " is not a map: choose one of " + spatial.stream().map(Tap::layerName).toList());
            }
        }
        int[] nodes = nodes(taps);
        float[] values = input.toChannelsFirst(image);
        synchronized (this) {
            CompiledRuns.ClassScore s = compiled().classScore(values, layers.get(classes.layerName()).node(),
                    chosen, nodes).orElseThrow();
            List<FeatureMap> activations = new ArrayList<>(taps.size());
            List<FeatureMap> grads = new ArrayList<>(taps.size());
            for (int i = 0; i < taps.size(); i++) {
                activations.add(FeatureMap.copyOf(taps.get(i), s.activations()[i]));
                grads.add(FeatureMap.copyOf(taps.get(i), s.gradients()[i]));
            }
            return new ClassGradient(s.chosen(), s.score(), FeatureMap.copyOf(classes, s.probabilities()), activations, grads);
        }
    }

    @Override
    public InputGradient inputGradient(float[] values, Objective objective) {
        return inputGradients(List.of(Objects.requireNonNull(values, "values")), List.of(Objects.requireNonNull(objective, "objective")))
                .get(0);
    }

    @Override
    public List<InputGradient> inputGradients(List<float[]> inputs, List<Objective> objectives) {
        return inputGradients(inputs, objectives, false);
    }

    @Override
    boolean guidesGradients() {
        return true;
    }

    @Override
    public List<InputGradient> guidedInputGradients(List<float[]> inputs, List<Objective> objectives) {
        return inputGradients(inputs, objectives, true);
    }

    private List<InputGradient> inputGradients(List<float[]> inputs, List<Objective> objectives, boolean guided) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(objectives, "objectives");
        if (inputs.isEmpty() || inputs.size() != objectives.size()) {
            throw new IllegalArgumentException("One objective per input, and at least one: got " + inputs.size() + " inputs and "
                    + objectives.size() + " objectives");
        }
        checkInputs(inputs, input.shape().size());
        objectives.forEach(this::checkTerms);
        synchronized (this) {
            CompiledRuns runs = compiled();
            int logits = classifier == null ? -1 : network.logits().get(layers.get(classifier.layerName()).node());
            List<CompiledRuns.Gradient> g = runs.inputGradients(inputs, objectives, t -> t.kind() == Objective.Kind.CLASS_LOGIT
                    ? logits : layer(t.layer()).node(), guided);
            List<InputGradient> out = new ArrayList<>(g.size());
            for (int i = 0; i < g.size(); i++) {
                out.add(new InputGradient(objectives.get(i), g.get(i).value(), input.shape(), g.get(i).gradient()));
            }
            return out;
        }
    }

    private void checkTerms(Objective objective) {
        for (Objective.Term t : objective.terms()) {
            if (t.kind() == Objective.Kind.CLASS_LOGIT) {
                Tap classes = classes().orElseThrow(() -> new IllegalArgumentException(name + " does not end in a "
                        + "softmax over classes, so it has no class score for " + objective));
                if (t.index() >= classes.shape().channels()) {
                    throw new IllegalArgumentException("Class " + t.index() + " is not one of " + name + "'s classes 0 to "
                            + (classes.shape().channels() - 1));
                }
            } else {
                Tap tap = tap(t.layer());
                if (t.index() >= tap.shape().channels()) {
                    throw new IllegalArgumentException(t.layer() + " has channels 0 to " + (tap.shape().channels() - 1) + ", not "
                            + t.index());
                }
            }
        }
    }

    /** From the kernels, strides and paddings on the way from the picture to the tap, the widest where paths join. */
    @Override
    public Optional<ReceptiveField> receptiveField(Tap tap) {
        Layer l = layer(Objects.requireNonNull(tap, "tap").layerName());
        if (l == null || l.shape().flat()) {
            return Optional.empty();
        }
        Map<Integer, ReceptiveField> fields = new java.util.HashMap<>();
        for (Node n : network.graph().nodes()) {
            ReceptiveField f = ReceptiveField.PIXEL;
            for (int i : n.inputs()) {
                ReceptiveField from = fields.get(i);
                if (from != null && from.size() > f.size()) {
                    f = from;
                }
            }
            if (n.op() instanceof Op.Conv c) {
                f = f.then(c.kernel()[0], c.stride()[0], c.padBegin()[0], c.dilation()[0]);
            } else if (n.op() instanceof Op.Pool p) {
                f = f.then(p.kernel()[0], p.stride()[0], p.padBegin()[0], 1);
            } else if (n.op() instanceof Op.ZeroPad z) {
                f = f.then(1, 1, z.top(), 1);
            }
            fields.put(n.id(), f);
            if (n.id() == l.node()) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The kernels of the first convolution, when it reads the picture's 3 channels through square kernels. */
    @Override
    Optional<FirstLayerKernels> kernels() {
        if (input.channels() != 3) {
            return Optional.empty();
        }
        int in = network.graph().input();
        for (Node n : network.graph().nodes()) {
            boolean readsPicture = n.inputs().size() == 1 && (n.inputs().get(0) == in
                    || network.graph().node(n.inputs().get(0)).op() instanceof Op.ZeroPad
                    && network.graph().node(n.inputs().get(0)).inputs().get(0) == in);
            if (n.op() instanceof Op.Conv c && readsPicture) {
                long[] d = c.weights().dims();
                if (c.groups() != 1 || d[1] != 3 || d[2] != d[3]) {
                    return Optional.empty();
                }
                float[] values = c.weights().values();
                if (input.order() == ImageInput.ChannelOrder.BGR) {
                    values = Dl4jModel.swapFirstAndThirdPlane(values, (int) d[0], (int) d[2]);
                }
                return Optional.of(new FirstLayerKernels(n.name(), (int) d[0], (int) d[2], values));
            }
        }
        return Optional.empty();
    }

    /** The same network with untrained weights drawn from {@code seed}, labelled as random: the sanity check's other half. */
    public GraphModel withRandomWeights(long seed) {
        return randomTwin.apply(seed);
    }

    /** How its 3 x 3 stride-1 convolutions are computed. */
    public ConvolutionAlgorithm convolutions() {
        return convolutions;
    }

    /** Which layers run on oneDNN, and which elsewhere and why. */
    @Override
    public String engineNote() {
        synchronized (this) {
            return closed ? "" : compiled().note() + (remark.isEmpty() ? "" : "; " + remark);
        }
    }

    /** The layers that do not run on oneDNN, by name; empty when it runs them all. */
    public List<String> fallbackLayers() {
        synchronized (this) {
            return compiled().fallbacks();
        }
    }

    private int[] nodes(List<Tap> taps) {
        Objects.requireNonNull(taps, "taps");
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Name at least one tap to read");
        }
        int[] nodes = new int[taps.size()];
        for (int i = 0; i < taps.size(); i++) {
            Tap t = Objects.requireNonNull(taps.get(i), "tap");
            Layer l = layer(t.layerName());
            MapShape shape = l == null ? null : new MapShape(l.shape().channels(), l.shape().height(), l.shape().width());
            if (l == null || !t.shape().equals(shape)) {
                throw new IllegalArgumentException("Tap " + t + " is not one of " + name + "'s: choose from taps(), allTaps() or tap(name)");
            }
            nodes[i] = l.node();
        }
        return nodes;
    }

    /** The layer of that name or alias; null where there is none. */
    private Layer layer(String name) {
        Layer l = layers.get(name);
        return l != null ? l : layers.get(aliases.get(name));
    }

    /** The network on oneDNN, compiled on first use; the caller holds the lock. */
    private CompiledRuns compiled() {
        if (closed) {
            throw new IllegalStateException(name + " has been closed");
        }
        if (compiled == null) {
            compiled = CompiledRuns.of(network, name, convolutions == ConvolutionAlgorithm.WINOGRAD, planThreads)
                    .orElseThrow(() -> new IllegalStateException(name + " runs on oneDNN only, and oneDNN is "
                            + (io.cnnsee.dl4j.engine.onednn.CompiledNetwork.switchedOff() ? "switched off (-Dcnnsee.onednn=false)"
                            : "not available on " + System.getProperty("os.name") + "-" + System.getProperty("os.arch"))));
        }
        return compiled;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (compiled != null) {
            compiled.close();
            compiled = null;
        }
        try {
            source.close();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot close " + name + "'s file: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + weights.source() + "; input " + input + ")";
    }
}
