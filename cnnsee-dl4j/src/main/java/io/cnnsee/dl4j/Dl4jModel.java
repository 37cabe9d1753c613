package io.cnnsee.dl4j;

import io.cnnsee.BiasGradients;
import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMap;
import io.cnnsee.FirstLayerKernels;
import io.cnnsee.FullGradient;
import io.cnnsee.ImageInput;
import io.cnnsee.InputGradient;
import io.cnnsee.InputScores;
import io.cnnsee.MapShape;
import io.cnnsee.Objective;
import io.cnnsee.ReceptiveFields;
import io.cnnsee.Tap;
import io.cnnsee.UnsupportedCapabilityException;
import io.cnnsee.WeightsInfo;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Any convolutional network of Deeplearning4j, ready to be inspected: made by {@link Dl4jModels}
 * from a {@code MultiLayerNetwork}, a {@code ComputationGraph}, a {@code ModelSerializer} zip, a
 * Keras {@code .h5} file, or the zoo ({@link Dl4jZoo}).
 *
 * <p>Taps are every layer or vertex whose output is a spatial map, by their names in the
 * network; the default ones are the last output before each down-sampling ({@link #taps()}).
 * Runs on the one compiled engine, forward and backward ({@link CompiledRuns}, docs/engine.md);
 * a layer it has no translation for, and every layer where oneDNN's natives do not load, on
 * Deeplearning4j's own. Thread-safe: passes are serialised on the network.
 */
public final class Dl4jModel extends EngineModel {

    private final String name;
    private final ComputationGraph graph;
    private final ImageInput input;
    private final InputLayout layout;
    private final GraphLayers layers;
    private final WeightsInfo weights;
    private final ClassLabels labels;
    private final GraphPass pass;
    private final ConvolutionAlgorithm convolutions;
    /** The OpenMP threads of the thread that made the model, which every compiled plan is made with. */
    private final int planThreads;
    /** The network on oneDNN, compiled on first use; {@code null} before, and where it cannot be. */
    private CompiledRuns compiled;
    private boolean compileTried;
    private volatile boolean closed;

    Dl4jModel(String name, ComputationGraph graph, ImageInput input, InputLayout layout, GraphLayers layers,
              WeightsInfo weights, ClassLabels labels) {
        this(name, graph, input, layout, layers, weights, labels, ConvolutionAlgorithm.WINOGRAD);
    }

    private Dl4jModel(String name, ComputationGraph graph, ImageInput input, InputLayout layout, GraphLayers layers,
                      WeightsInfo weights, ClassLabels labels, ConvolutionAlgorithm convolutions) {
        this.convolutions = Objects.requireNonNull(convolutions, "convolutions");
        this.planThreads = io.cnnsee.dl4j.engine.onednn.OmpThreads.current();
        this.name = name;
        this.graph = graph;
        this.input = input;
        this.layout = layout;
        this.layers = layers;
        this.weights = weights;
        this.labels = labels;
        this.pass = new GraphPass(graph);
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

    /** How pictures become this network's input. */
    public ImageInput input() {
        return input;
    }

    /** The Deeplearning4j network (a converted copy sharing the parameters, for a {@code MultiLayerNetwork}). */
    public ComputationGraph graph() {
        return graph;
    }

    /**
     * The last spatial output before each down-sampling that follows a convolution: VGG's
     * blocks, ResNet's stages. {@link #spatialTaps()} lists every other choice.
     */
    @Override
    public List<Tap> taps() {
        return layers.defaults();
    }

    /** Every layer or vertex whose output is a spatial map, in network order. */
    @Override
    public List<Tap> allTaps() {
        return spatialTaps();
    }

    /** Every layer or vertex whose output is a spatial map, in network order. */
    public List<Tap> spatialTaps() {
        return layers.spatialTaps();
    }

    @Override
    public Tap tap(String layerName) {
        Objects.requireNonNull(layerName, "layerName");
        Optional<Tap> tap = layers.spatial(layerName);
        if (tap.isPresent()) {
            return tap.get();
        }
        List<String> names = spatialTaps().stream().map(Tap::layerName).toList();
        if (layers.hasVertex(layerName)) {
            throw new IllegalArgumentException(name + "'s layer '" + layerName + "' puts out "
                    + describe(layers.outputType(layerName)) + ", not a spatial map: choose one of " + names);
        }
        throw new io.cnnsee.UnknownLayerException(name, layerName, "its layers with spatial maps", names);
    }

    private static String describe(InputType type) {
        return type == null ? "the network's input" : type instanceof InputType.InputTypeFeedForward f
                ? "a flat vector of " + f.getSize() + " values" : GraphLayers.describe(type);
    }

    @Override
    Optional<Tap> classes() {
        return layers.classifierTap();
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
    public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
        return forward(image, taps, true);
    }

    /** {@link #forward} on Deeplearning4j's own layers, whatever oneDNN could run: what the compiled pass is checked against. */
    List<FeatureMap> forwardOnDeeplearning4j(BufferedImage image, List<Tap> taps) {
        return forward(image, taps, false);
    }

    private List<FeatureMap> forward(BufferedImage image, List<Tap> taps, boolean onOnednn) {
        Objects.requireNonNull(image, "image must not be null");
        Objects.requireNonNull(taps, "taps");
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Name at least one tap to read");
        }
        int[] vertices = vertexIndices(taps);
        float[] values = input.toChannelsFirst(image);
        List<FeatureMap> maps = new ArrayList<>(taps.size());
        synchronized (graph) {
            checkOpen();
            CompiledRuns onednn = onOnednn ? compiled() : null;
            if (onednn != null) {
                onednn.forward(List.of(values), vertices, (reader, picture) -> maps.addAll(maps(reader, taps, vertices)));
                return maps;
            }
            try {
                pass.forward(layout.toArray(values, input, graph.getConfiguration().getDataType()), lastPosition(vertices));
                for (int i = 0; i < taps.size(); i++) {
                    maps.add(read(taps.get(i), pass.output(vertices[i])));
                }
                return maps;
            } finally {
                pass.clear();
            }
        }
    }

    /** {@link #forward} for several pictures, run as batches on oneDNN. */
    @Override
    public List<List<FeatureMap>> forwardAll(List<BufferedImage> images, List<Tap> taps) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(taps, "taps");
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Name at least one tap to read");
        }
        int[] vertices = vertexIndices(taps);
        List<float[]> values = new ArrayList<>(images.size());
        for (BufferedImage image : images) {
            values.add(input.toChannelsFirst(Objects.requireNonNull(image, "image must not be null")));
        }
        synchronized (graph) {
            checkOpen();
            CompiledRuns onednn = compiled();
            if (onednn == null) {
                List<List<FeatureMap>> out = new ArrayList<>(images.size());
                for (BufferedImage image : images) {
                    out.add(forward(image, taps, false));
                }
                return out;
            }
            List<List<FeatureMap>> out = new ArrayList<>(images.size());
            onednn.forward(values, vertices, (reader, picture) -> out.add(maps(reader, taps, vertices)));
            return out;
        }
    }

    /** The taps' maps of one picture of a compiled pass, read straight into them. */
    private static List<FeatureMap> maps(CompiledRuns.Reader reader, List<Tap> taps, int[] vertices) {
        List<FeatureMap> maps = new ArrayList<>(taps.size());
        for (int i = 0; i < taps.size(); i++) {
            int vertex = vertices[i];
            maps.add(FeatureMap.fill(taps.get(i), target -> reader.read(vertex, target)));
        }
        return maps;
    }

    @Override
    boolean guidesGradients() {
        synchronized (graph) {
            return compiled() != null;
        }
    }

    /** Guided, on oneDNN; only where the network compiles ({@link #capability}). */
    @Override
    public List<InputGradient> guidedInputGradients(List<float[]> inputs, List<Objective> objectives) {
        return inputGradients(inputs, objectives, true, true);
    }

    @Override
    boolean scoresClasses() {
        synchronized (graph) {
            CompiledRuns onednn = compiled();
            return onednn != null && layers.classifier().flatMap(c -> onednn.logits(c.getVertexIndex())).isPresent();
        }
    }

    @Override
    public boolean scoresFrom(Tap tap) {
        Objects.requireNonNull(tap, "tap");
        synchronized (graph) {
            CompiledRuns onednn = compiled();
            return onednn != null && layers.hasVertex(tap.layerName()) && layers.classifier().isPresent()
                    && onednn.from(layers.vertexIndex(tap.layerName()), layers.classifier().orElseThrow().getVertexIndex())
                    .isPresent();
        }
    }

    /** Forward only, in batches, on oneDNN, from the tap's vertex on. */
    @Override
    public List<float[]> classScoresFrom(Tap tap, List<float[]> outputs) {
        checkOutputs(tap, outputs);
        synchronized (graph) {
            checkOpen();
            int classes = layers.classifier().orElseThrow().getVertexIndex();
            return compiled().from(layers.vertexIndex(tap.layerName()), classes).orElseThrow().classScores(outputs, classes)
                    .orElseThrow();
        }
    }

    /** Forward only, in batches, on oneDNN; only where the network compiles ({@link #capability}). */
    @Override
    public List<float[]> classScores(List<float[]> inputs) {
        checkInputs(inputs, input.shape().size());
        classifier();
        synchronized (graph) {
            checkOpen();
            CompiledRuns onednn = compiled();
            int vertex = layers.classifier().orElseThrow().getVertexIndex();
            return (onednn == null ? Optional.<List<float[]>>empty() : onednn.classScores(inputs, vertex))
                    .orElseThrow(() -> new io.cnnsee.UnsupportedCapabilityException(name, InputScores.class, "Scoring inputs"));
        }
    }

    @Override
    public ClassGradient classGradient(BufferedImage image, int classIndex, List<Tap> taps) {
        return classGradient(image, classIndex, taps, true);
    }

    /** On oneDNN only ({@link #capability}). */
    @Override
    public FullGradient fullGradient(BufferedImage image, int classIndex) {
        Objects.requireNonNull(image, "image must not be null");
        int chosen = checkClass(classIndex);
        float[] values = input.toChannelsFirst(image);
        synchronized (graph) {
            checkOpen();
            CompiledRuns onednn = compiled();
            return (onednn == null ? Optional.<FullGradient>empty()
                    : onednn.fullGradient(values, layers.classifier().orElseThrow().getVertexIndex(), chosen))
                    .orElseThrow(() -> new UnsupportedCapabilityException(name, BiasGradients.class, "FullGrad"));
        }
    }

    /** {@link #classGradient} through Deeplearning4j's own layers: what the compiled backward pass is checked against. */
    ClassGradient classGradientOnDeeplearning4j(BufferedImage image, int classIndex, List<Tap> taps) {
        return classGradient(image, classIndex, taps, false);
    }

    private ClassGradient classGradient(BufferedImage image, int classIndex, List<Tap> taps, boolean onOnednn) {
        Objects.requireNonNull(image, "image must not be null");
        Objects.requireNonNull(taps, "taps");
        Tap classifierTap = classes().orElseThrow(() -> new UnsupportedOperationException(name + " does not end in a "
                + "softmax over classes, so it has no class score to explain (Grad-CAM needs one)"));
        LayerVertex classifierVertex = layers.classifier().orElseThrow();
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Name at least one layer to differentiate");
        }
        int chosenOrMost = checkClass(classIndex);
        for (Tap t : taps) {
            if (layers.spatial(t.layerName()).isEmpty()) {
                throw new IllegalArgumentException("Grad-CAM needs a convolutional layer; " + t.layerName()
                        + " is not a spatial map: choose one of " + spatialTaps().stream().map(Tap::layerName).toList());
            }
        }
        int[] vertices = vertexIndices(taps);
        int lowest = Integer.MAX_VALUE;
        Set<Integer> wanted = new HashSet<>();
        for (int v : vertices) {
            lowest = Math.min(lowest, pass.positionOf(v));
            wanted.add(v);
        }
        int classifierIndex = classifierVertex.getVertexIndex();
        float[] values = input.toChannelsFirst(image);
        synchronized (graph) {
            checkOpen();
            CompiledRuns onednn = onOnednn ? compiled() : null;
            var compiledScore = onednn == null ? Optional.<CompiledRuns.ClassScore>empty()
                    : onednn.classScore(values, classifierIndex, chosenOrMost, vertices);
            if (compiledScore.isPresent()) {
                CompiledRuns.ClassScore s = compiledScore.get();
                List<FeatureMap> activations = new ArrayList<>(taps.size());
                List<FeatureMap> grads = new ArrayList<>(taps.size());
                for (int i = 0; i < taps.size(); i++) {
                    activations.add(FeatureMap.copyOf(taps.get(i), s.activations()[i]));
                    grads.add(FeatureMap.copyOf(taps.get(i), s.gradients()[i]));
                }
                return new ClassGradient(s.chosen(), s.score(), FeatureMap.copyOf(classifierTap, s.probabilities()), activations, grads);
            }
            INDArray x = layout.toArray(values, input, graph.getConfiguration().getDataType());
            try {
                pass.forward(x, pass.positionOf(classifierIndex));
                FeatureMap probabilities = read(classifierTap, pass.output(classifierIndex));
                int chosen = classIndex == ClassGradient.MOST_PROBABLE_CLASS ? argmax(probabilities.toArray()) : classIndex;
                float score = logit(classifierVertex, chosen);
                int classifierInput = classifierVertex.getInputVertices()[0].getVertexIndex();
                Map<Integer, INDArray> gradients = pass.backward(
                        Map.of(classifierInput, pass.logitSeed(classifierVertex, chosen)), lowest, wanted);
                List<FeatureMap> activations = new ArrayList<>(taps.size());
                List<FeatureMap> grads = new ArrayList<>(taps.size());
                for (int i = 0; i < taps.size(); i++) {
                    activations.add(read(taps.get(i), pass.output(vertices[i])));
                    INDArray g = gradients.get(vertices[i]);
                    grads.add(g == null ? FeatureMap.copyOf(taps.get(i), new float[taps.get(i).shape().size()])
                            : read(taps.get(i), g));
                }
                return new ClassGradient(chosen, score, probabilities, activations, grads);
            } finally {
                pass.clear();
            }
        }
    }

    /** From the graph's kernels, strides and paddings ({@link ReceptiveFields}). */
    @Override
    public Optional<io.cnnsee.ReceptiveField> receptiveField(Tap tap) {
        Objects.requireNonNull(tap, "tap");
        return Optional.ofNullable(layers.receptiveFields().get(tap.layerName()));
    }

    @Override
    public ImageInput imageInput() {
        return input;
    }

    @Override
    public float[] networkInput(BufferedImage image) {
        return input.toChannelsFirst(Objects.requireNonNull(image, "image"));
    }

    /**
     * {@code objective}'s value and gradient with respect to the input: on oneDNN forward and
     * backward, or, where the network does not compile, through Deeplearning4j's layers.
     */
    @Override
    public InputGradient inputGradient(float[] values, Objective objective) {
        return inputGradients(List.of(Objects.requireNonNull(values, "values")), List.of(Objects.requireNonNull(objective, "objective"))).get(0);
    }

    /** {@link #inputGradient} for several inputs, run as batches on oneDNN. */
    @Override
    public List<InputGradient> inputGradients(List<float[]> inputs, List<Objective> objectives) {
        return inputGradients(inputs, objectives, true, false);
    }

    /** {@link #inputGradients} through Deeplearning4j's own layers: what the compiled backward pass is checked against. */
    List<InputGradient> inputGradientsOnDeeplearning4j(List<float[]> inputs, List<Objective> objectives) {
        return inputGradients(inputs, objectives, false, false);
    }

    /** {@code guided}: each ReLU's way back guided, which only oneDNN's passes do. */
    private List<InputGradient> inputGradients(List<float[]> inputs, List<Objective> objectives, boolean onOnednn,
                                               boolean guided) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(objectives, "objectives");
        if (inputs.isEmpty() || inputs.size() != objectives.size()) {
            throw new IllegalArgumentException("One objective per input, and at least one: got " + inputs.size()
                    + " inputs and " + objectives.size() + " objectives");
        }
        List<int[]> reads = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            float[] values = Objects.requireNonNull(inputs.get(i), "input");
            if (values.length != input.shape().size()) {
                throw new IllegalArgumentException(name + " takes inputs of " + input.shape() + " = " + input.shape().size()
                        + " values, not " + values.length);
            }
            reads.add(termVertices(Objects.requireNonNull(objectives.get(i), "objective")));
        }
        synchronized (graph) {
            checkOpen();
            CompiledRuns onednn = onOnednn ? compiled() : null;
            Optional<Integer> logits = layers.classifier().flatMap(c -> onednn == null ? Optional.empty() : onednn.logits(c.getVertexIndex()));
            boolean classScores = objectives.stream().anyMatch(o -> o.terms().stream().anyMatch(t -> t.kind() == Objective.Kind.CLASS_LOGIT));
            List<InputGradient> out = new ArrayList<>(inputs.size());
            if (onednn != null && (logits.isPresent() || !classScores)) {
                List<CompiledRuns.Gradient> g = onednn.inputGradients(inputs, objectives, t -> t.kind() == Objective.Kind.CLASS_LOGIT
                        ? logits.orElseThrow() : layers.vertexIndex(t.layer()), guided);
                for (int i = 0; i < g.size(); i++) {
                    out.add(new InputGradient(objectives.get(i), g.get(i).value(), input.shape(), g.get(i).gradient()));
                }
                return out;
            }
            if (guided) {
                throw new io.cnnsee.UnsupportedCapabilityException(name, io.cnnsee.GuidedGradients.class, "Guided gradients");
            }
            for (int i = 0; i < inputs.size(); i++) {
                out.add(inputGradientOnDeeplearning4j(inputs.get(i), objectives.get(i), reads.get(i)));
            }
            return out;
        }
    }

    /** Per term of {@code objective}, the vertex it reads, checked against the network. */
    private int[] termVertices(Objective objective) {
        int[] reads = new int[objective.terms().size()];
        for (int i = 0; i < reads.length; i++) {
            Objective.Term t = objective.terms().get(i);
            if (t.kind() == Objective.Kind.CLASS_LOGIT) {
                Tap classes = classes().orElseThrow(() -> new IllegalArgumentException(name + " does not end in a "
                        + "softmax over classes, so it has no class score for " + objective));
                if (t.index() >= classes.shape().channels()) {
                    throw new IllegalArgumentException("Class " + t.index() + " is not one of " + name + "'s classes 0 to "
                            + (classes.shape().channels() - 1));
                }
                reads[i] = layers.classifier().orElseThrow().getVertexIndex();
            } else {
                Tap tap = tap(t.layer());
                if (t.index() >= tap.shape().channels()) {
                    throw new IllegalArgumentException(t.layer() + " has channels 0 to " + (tap.shape().channels() - 1)
                            + ", not " + t.index());
                }
                reads[i] = layers.vertexIndex(t.layer());
            }
        }
        return reads;
    }

    /** Runs {@code values} forward, the objective's terms read from the pass, then back through Deeplearning4j's layers; the caller holds the graph's lock. */
    private InputGradient inputGradientOnDeeplearning4j(float[] values, Objective objective, int[] reads) {
        int last = 0;
        for (int vertex : reads) {
            last = Math.max(last, pass.positionOf(vertex));
        }
        INDArray x = layout.toArray(values, input, graph.getConfiguration().getDataType());
        int inputVertex = graph.getVertex(graph.getConfiguration().getNetworkInputs().get(0)).getVertexIndex();
        try {
            pass.forward(x, last);
            double value = 0;
            Map<Integer, INDArray> seeds = new java.util.HashMap<>();
            for (int i = 0; i < reads.length; i++) {
                Objective.Term t = objective.terms().get(i);
                int vertex = reads[i];
                if (t.kind() == Objective.Kind.CLASS_LOGIT) {
                    LayerVertex classifierVertex = layers.classifier().orElseThrow();
                    value += t.weight() * logit(classifierVertex, t.index());
                    seeds.merge(classifierVertex.getInputVertices()[0].getVertexIndex(),
                            pass.logitSeed(classifierVertex, t.index()).mul(t.weight()), INDArray::add);
                } else {
                    INDArray out = pass.output(vertex);
                    ChannelSeed seed = ChannelSeed.of(out, layers.outputType(graph.getVertices()[vertex].getVertexName()),
                            t.index(), t.kind() == Objective.Kind.CENTRE_UNIT);
                    value += t.weight() * seed.value();
                    seeds.merge(vertex, seed.gradient().muli(t.weight()), INDArray::add);
                }
            }
            INDArray g = pass.backward(seeds, pass.positionOf(inputVertex), java.util.Set.of(inputVertex)).get(inputVertex);
            float[] gradient = g == null ? new float[values.length] : layout.toChannelsFirst(g, input);
            return new InputGradient(objective, value, input.shape(), gradient);
        } finally {
            pass.clear();
        }
    }

    /** The class's score before softmax: recomputed from the classifier's input and weights. */
    private float logit(LayerVertex classifier, int classIndex) {
        INDArray in = classifier.getInputs()[0];
        if (classifier.getLayerPreProcessor() != null) {
            in = classifier.getLayerPreProcessor().preProcess(in, 1, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        }
        var layer = classifier.getLayer();
        if (layer.numParams() == 0) {
            return in.getFloat(0, classIndex);
        }
        INDArray w = layer.getParam("W");
        INDArray b = layer.getParam("b");
        double score = in.reshape(1, in.length()).mmul(w.getColumn(classIndex).reshape(w.size(0), 1)).getDouble(0);
        return (float) (b == null ? score : score + b.getDouble(classIndex));
    }

    private FeatureMap read(Tap tap, INDArray activation) {
        InputType type = layers.outputType(tap.layerName());
        if (type instanceof InputType.InputTypeConvolutional conv) {
            return FeatureMap.copyOf(tap, InputLayout.channelsFirst(activation, conv.getFormat()));
        }
        return FeatureMap.copyOf(tap, activation.dup('c').data().asFloat());
    }

    private int[] vertexIndices(List<Tap> taps) {
        int[] indices = new int[taps.size()];
        for (int i = 0; i < taps.size(); i++) {
            Tap t = Objects.requireNonNull(taps.get(i), "tap");
            // By name and shape: a caller may name its taps for people (VGG16's "block 1").
            boolean known = layers.spatial(t.layerName()).map(s -> sameLayer(s, t)).orElse(false)
                    || classes().map(s -> sameLayer(s, t)).orElse(false) || flatOutput(t);
            if (!known) {
                throw new IllegalArgumentException("Tap " + t + " is not one of " + name + "'s: choose from taps(), "
                        + "spatialTaps() or tap(name)");
            }
            indices[i] = layers.vertexIndex(t.layerName());
        }
        return indices;
    }

    /** Whether {@code t} is a layer's flat output (a dense layer's), as {@code n x 1 x 1}. */
    private boolean flatOutput(Tap t) {
        return layers.hasVertex(t.layerName()) && layers.outputType(t.layerName()) instanceof InputType.InputTypeFeedForward f
                && t.shape().equals(new MapShape((int) f.getSize(), 1, 1));
    }

    private static boolean sameLayer(Tap a, Tap b) {
        return a.layerName().equals(b.layerName()) && a.shape().equals(b.shape());
    }

    /** The index of the largest value; the first of equals. */
    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private int lastPosition(int[] vertices) {
        int last = 0;
        for (int v : vertices) {
            last = Math.max(last, pass.positionOf(v));
        }
        return last;
    }

    /**
     * The kernels of the first convolution that reads the picture, in R, G, B planes, when it
     * reads 3 channels through square kernels.
     */
    @Override
    Optional<FirstLayerKernels> kernels() {
        if (input.channels() != 3) {
            return Optional.empty();
        }
        synchronized (graph) {
            checkOpen();
            for (int index : graph.topologicalSortOrder()) {
                GraphVertex v = graph.getVertices()[index];
                if (!v.hasLayer() || !(v.getLayer().conf().getLayer() instanceof ConvolutionLayer conv) || !readsPixels(v)) {
                    continue;
                }
                INDArray w = v.getLayer().getParam("W"); // [out, in, kh, kw]
                if (w == null || w.rank() != 4 || w.size(1) != 3 || w.size(2) != w.size(3)
                        || conv instanceof org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D) {
                    return Optional.empty();
                }
                int out = (int) w.size(0);
                int k = (int) w.size(2);
                float[] values = w.dup('c').data().asFloat();
                if (input.order() == ImageInput.ChannelOrder.BGR) {
                    values = swapFirstAndThirdPlane(values, out, k);
                }
                return Optional.of(new FirstLayerKernels(v.getVertexName(), out, k, values));
            }
        }
        return Optional.empty();
    }

    /** Whether {@code v} reads the input itself, or through zero padding only (ResNet50's stem). */
    private boolean readsPixels(GraphVertex v) {
        GraphVertex at = v;
        while (at.getInputVertices() != null && at.getInputVertices().length == 1) {
            at = graph.getVertices()[at.getInputVertices()[0].getVertexIndex()];
            if (at.isInputVertex()) {
                return true;
            }
            if (!(at.hasLayer() && at.getLayer().conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer)) {
                return false;
            }
        }
        return false;
    }

    /** Square kernels over 3 planes with the first and third swapped (BGR to RGB); {@code k} their side. */
    static float[] swapFirstAndThirdPlane(float[] values, int kernels, int k) {
        float[] out = values.clone();
        int plane = k * k;
        for (int i = 0; i < kernels; i++) {
            int base = i * 3 * plane;
            System.arraycopy(values, base + 2 * plane, out, base, plane);
            System.arraycopy(values, base, out, base + 2 * plane, plane);
        }
        return out;
    }

    /**
     * The same network, sharing its parameters, with its 3 x 3 stride-1 convolutions computed as
     * {@code algorithm} says ({@link ConvolutionAlgorithm#WINOGRAD} by default, where oneDNN has it).
     */
    public Dl4jModel withConvolutions(ConvolutionAlgorithm algorithm) {
        return new Dl4jModel(name, graph, input, layout, layers, weights, labels, algorithm);
    }

    /** How its 3 x 3 stride-1 convolutions are computed. */
    public ConvolutionAlgorithm convolutions() {
        return convolutions;
    }

    /**
     * The same network with untrained weights drawn from {@code seed}, labelled as random: the
     * other half of a sanity check (Adebayo et al. 2018), whatever the network.
     */
    public Dl4jModel withRandomWeights(long seed) {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        conf.getDefaultConfiguration().setSeed(seed);
        for (var vertex : conf.getVertices().values()) {
            if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv) {
                lv.getLayerConf().setSeed(seed);
            }
        }
        ComputationGraph random = new ComputationGraph(conf);
        random.init();
        GraphLayers randomLayers = GraphLayers.of(random, layout.inputType(input), name);
        return new Dl4jModel(name, random, input, layout, randomLayers, WeightsInfo.random(seed), labels, convolutions);
    }

    /** The network on oneDNN, compiled on first use (the caller holds the graph's lock); {@code null} where there is none. */
    private CompiledRuns compiled() {
        if (!compileTried) {
            compileTried = true;
            io.cnnsee.dl4j.engine.graph.Shape shape = io.cnnsee.dl4j.engine.graph.Shape.map(input.channels(), input.height(), input.width());
            compiled = CompiledRuns.of(graph, layers.types(), shape, name, convolutions == ConvolutionAlgorithm.WINOGRAD, planThreads)
                    .orElse(null);
        }
        return compiled;
    }

    /**
     * Which layers run on oneDNN and which on Deeplearning4j's own implementation, for reports:
     * feature maps, predictions and gradients (Grad-CAM, saliency, feature visualisation) alike.
     */
    @Override
    public String engineNote() {
        synchronized (graph) {
            CompiledRuns onednn = closed ? null : compiled();
            return onednn == null ? "Deeplearning4j's own layers" : onednn.note();
        }
    }

    /** The layers that run on Deeplearning4j's own implementation instead of oneDNN, by name; empty when oneDNN runs them all. */
    public List<String> fallbackLayers() {
        synchronized (graph) {
            CompiledRuns onednn = compiled();
            return onednn == null ? java.util.Arrays.stream(graph.getVertices()).filter(v -> !v.isInputVertex())
                    .map(GraphVertex::getVertexName).toList() : onednn.fallbacks();
        }
    }

    /** What oneDNN runs for each step of a pass reading {@code taps}, e.g. "res2a_branch2a+bn2a_branch2a: brgconv_1x1:avx512_core". */
    List<String> implementations(List<Tap> taps) {
        synchronized (graph) {
            CompiledRuns onednn = compiled();
            return onednn == null ? List.of() : onednn.implementations(vertexIndices(taps));
        }
    }

    /** Each vertex's output type, by name. */
    Map<String, InputType> types() {
        return layers.types();
    }

    /** The OpenMP threads every plan of the compiled network is made with; 0 where there is none. */
    int planThreads() {
        synchronized (graph) {
            CompiledRuns onednn = compiled();
            return onednn == null ? 0 : onednn.planThreads();
        }
    }

    /** The OpenMP threads each kept plan was made with. */
    List<Integer> threadsOfPlans() {
        synchronized (graph) {
            CompiledRuns onednn = compiled();
            return onednn == null ? List.of() : onednn.threadsOfPlans();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name + " has been closed");
        }
    }

    /** Frees nothing the caller did not give: a network passed in stays usable. */
    @Override
    public void close() {
        synchronized (graph) {
            closed = true;
            if (compiled != null) {
                compiled.close();
                compiled = null;
            }
        }
    }

    @Override
    public String toString() {
        return name + " (" + weights.source() + "; input " + input + ")";
    }
}
