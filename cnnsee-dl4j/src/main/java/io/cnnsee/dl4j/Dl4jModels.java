package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.WeightsInfo;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Makes an {@link Dl4jModel} of any convolutional Deeplearning4j network:
 * <pre>{@code
 * Dl4jModel mine = Dl4jModels.of(network, ImageInput.torch(224));               // MultiLayerNetwork or ComputationGraph
 * Dl4jModel saved = Dl4jModels.builder(Path.of("model.zip"))                     // ModelSerializer zip, or Keras .h5
 *         .input(ImageInput.unit(64)).labels(Path.of("labels.txt")).build();
 * }</pre>
 * The input says how pictures become the network's input; its layout (channels first or last,
 * or flattened) is read from the network.
 */
public final class Dl4jModels {

    private static final Logger LOG = LoggerFactory.getLogger(Dl4jModels.class);

    static {
        NativeBuild.select(); // before ND4J loads its natives
    }

    private Dl4jModels() {
    }

    /** {@code network} with pictures made input as {@code input} says. */
    public static Dl4jModel of(MultiLayerNetwork network, ImageInput input) {
        return builder(network).input(input).build();
    }

    /** {@code graph} with pictures made input as {@code input} says. */
    public static Dl4jModel of(ComputationGraph graph, ImageInput input) {
        return builder(graph).input(input).build();
    }

    public static Builder builder(MultiLayerNetwork network) {
        Objects.requireNonNull(network, "network");
        return new Builder(toGraph(network), "MultiLayerNetwork");
    }

    public static Builder builder(ComputationGraph graph) {
        Objects.requireNonNull(graph, "graph");
        return new Builder(graph, "ComputationGraph");
    }

    /**
     * A network from a file: a {@code ModelSerializer} zip ({@code MultiLayerNetwork} or
     * {@code ComputationGraph}), or a whole Keras model in {@code .h5} (architecture and weights).
     *
     * @throws io.cnnsee.ModelFileException saying what the file is and what to do, when it is not such a model
     */
    public static Builder builder(Path file) {
        NetworkFile.Loaded loaded = ModelFiles.reading(file, () -> NetworkFile.read(file));
        Builder builder = new Builder(loaded.network() instanceof MultiLayerNetwork m ? toGraph(m)
                : (ComputationGraph) loaded.network(), String.valueOf(file.getFileName()));
        return builder.weights(new WeightsInfo(loaded.description(), "", false));
    }

    /**
     * The input size the network declares, channels x height x width, when it does (a flattened
     * input, or a first layer whose size is fixed); empty when it takes any size.
     */
    public static Optional<io.cnnsee.MapShape> declaredInput(ComputationGraph graph) {
        return Optional.ofNullable(firstReader(graph).declared);
    }

    /**
     * A {@code MultiLayerNetwork} as a one-input graph of the same layers, named as in the
     * network (layer i unnamed: {@code layer<i>}), sharing its parameters.
     */
    static ComputationGraph toGraph(MultiLayerNetwork network) {
        if (network.params() == null) {
            throw new IllegalArgumentException("The network has no parameters yet: call its init() (or load it) first");
        }
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations().clone();
        Set<String> taken = new HashSet<>(Set.of("input"));
        List<Link> links = new java.util.ArrayList<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            String name = layer.getLayerName();
            if (name == null || name.isBlank() || taken.contains(name) || name.equals(String.valueOf(i))) {
                name = "layer" + i;
            }
            taken.add(name);
            links.add(new Link(name, layer, conf.getInputPreProcess(i)));
        }
        return chain(conf.getDataType(), "input", links, network.params()); // one stack of layers: the same parameter layout
    }

    /** One layer of a chain: its name, its configuration, the preprocessor before it. */
    private record Link(String name, Layer layer, InputPreProcessor preprocessor) {
    }

    /** A graph of one input and {@code links}, each reading the one before, over {@code params} (shared, not copied). */
    private static ComputationGraph chain(org.nd4j.linalg.api.buffer.DataType dataType, String input, List<Link> links,
                                          org.nd4j.linalg.api.ndarray.INDArray params) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().dataType(dataType).graphBuilder();
        b.addInputs(input);
        String previous = input;
        for (Link link : links) {
            link.layer().setLayerName(link.name());
            b.addLayer(link.name(), link.layer(), link.preprocessor(), previous);
            previous = link.name();
        }
        b.setOutputs(previous);
        ComputationGraph graph = new ComputationGraph(b.build());
        graph.init(params, false);
        return graph;
    }

    /**
     * A chain of layers (each vertex reading the one before) under new vertex names, sharing its
     * parameters: for networks whose layers are numbered, as the zoo's VGG19.
     *
     * @throws IllegalArgumentException if the graph is not a chain
     */
    static ComputationGraph renamed(ComputationGraph chain, java.util.Map<String, String> names) {
        ComputationGraphConfiguration conf = chain.getConfiguration().clone();
        String input = null;
        List<Link> links = new java.util.ArrayList<>();
        for (int index : chain.topologicalSortOrder()) {
            GraphVertex v = chain.getVertices()[index];
            String name = names.getOrDefault(v.getVertexName(), v.getVertexName());
            if (v.isInputVertex()) {
                input = name;
            } else if (v.getInputVertices().length == 1 && conf.getVertices().get(v.getVertexName())
                    instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv) {
                links.add(new Link(name, lv.getLayerConf().getLayer(), lv.getPreProcessor()));
            } else {
                throw new IllegalArgumentException("Only a chain of layers can be renamed; " + v.getVertexName() + " is not");
            }
        }
        return chain(conf.getDataType(), input, links, chain.params());
    }

    /** What the network's input looks like, read from the first layer that reads it. */
    private static final class FirstReader {
        InputLayout layout;
        int channels;
        io.cnnsee.MapShape declared;
    }

    private static FirstReader firstReader(ComputationGraph graph) {
        if (graph.getConfiguration().getNetworkInputs().size() != 1) {
            throw new IllegalArgumentException("cnnsee inspects networks of one input, a picture; this one has "
                    + graph.getConfiguration().getNetworkInputs().size() + ": " + graph.getConfiguration().getNetworkInputs());
        }
        FirstReader r = new FirstReader();
        GraphVertex first = null;
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex v = graph.getVertices()[index];
            if (!v.isInputVertex() && readsInput(graph, v)) {
                first = v;
                break;
            }
        }
        if (!(first instanceof LayerVertex lv)) {
            throw new IllegalArgumentException("The network has no layer that reads its input: nothing to inspect");
        }
        if (lv.getLayerPreProcessor() instanceof FeedForwardToCnnPreProcessor flat) {
            r.layout = InputLayout.FLAT;
            r.channels = (int) flat.getNumChannels();
            r.declared = new io.cnnsee.MapShape(r.channels, (int) flat.getInputHeight(), (int) flat.getInputWidth());
            return r;
        }
        Layer firstLayer = lv.getLayer().conf().getLayer();
        if (firstLayer instanceof org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer
                || firstLayer instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer
                && !(firstLayer instanceof ConvolutionLayer) && !(firstLayer instanceof BatchNormalization)) {
            throw new IllegalArgumentException("The network's first layer " + first.getVertexName() + " is a "
                    + firstLayer.getClass().getSimpleName() + ", which does not read a picture: cnnsee inspects convolutional "
                    + "networks, whose first layers work on the picture's pixels (convolution, padding, pooling)");
        }
        // Padding and the like keep the picture's layout: the first layer that states one tells it.
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex v = graph.getVertices()[index];
            if (!(v instanceof LayerVertex layerVertex)) {
                continue;
            }
            Layer layer = layerVertex.getLayer().conf().getLayer();
            CNN2DFormat format = null;
            if (layer instanceof ConvolutionLayer c) {
                format = c.getCnn2dDataFormat();
                r.channels = (int) c.getNIn();
            } else if (layer instanceof SubsamplingLayer s) {
                format = s.getCnn2dDataFormat();
            } else if (layer instanceof BatchNormalization bn) {
                format = bn.getCnn2DFormat();
                r.channels = (int) bn.getNIn();
            }
            if (format != null) {
                r.layout = format == CNN2DFormat.NHWC ? InputLayout.NHWC : InputLayout.NCHW;
                if (r.channels > 0) {
                    return r;
                }
            }
        }
        if (r.layout == null) {
            throw new IllegalArgumentException("The network has no convolution, pooling or batch normalisation over its input: "
                    + "cnnsee inspects convolutional networks");
        }
        return r;
    }

    private static boolean readsInput(ComputationGraph graph, GraphVertex v) {
        for (var in : v.getInputVertices()) {
            if (graph.getVertices()[in.getVertexIndex()].isInputVertex()) {
                return true;
            }
        }
        return false;
    }

    /** Options of a model; {@link #input(ImageInput)} is required. */
    public static final class Builder {
        private final ComputationGraph graph;
        private String name;
        private ImageInput input;
        private Path labels;
        private WeightsInfo weights = new WeightsInfo("the network's own weights", "", false);

        private Builder(ComputationGraph graph, String name) {
            this.graph = graph;
            this.name = name;
        }

        /** The name reports show; by default the class or file name. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * How pictures become the network's input: size and scaling, as the network was trained
         * (presets: {@link ImageInput#caffe}, {@link ImageInput#torch}, {@link ImageInput#tensorflow},
         * {@link ImageInput#unit}). A 3-channel input for a 1-channel network is made grey.
         */
        public Builder input(ImageInput input) {
            this.input = Objects.requireNonNull(input, "input");
            return this;
        }

        /** Class names, one per line, class 0 first; by default ImageNet's for 1000 classes, else "class i". */
        public Builder labels(Path file) {
            this.labels = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Where the weights came from, for reports; say {@code random} when they are. */
        public Builder weights(WeightsInfo weights) {
            this.weights = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /** The size the network declares (see {@link Dl4jModels#declaredInput}), if any. */
        public Optional<io.cnnsee.MapShape> declaredInput() {
            return Dl4jModels.declaredInput(graph);
        }

        /**
         * The model.
         *
         * @throws IllegalArgumentException when the network is not a one-input convolutional
         *                                  network, cannot take the input's size, or the labels do not fit
         */
        public Dl4jModel build() {
            if (input == null) {
                throw new IllegalArgumentException("Say how pictures become " + name + "'s input: .input(ImageInput.torch(224)), "
                        + "or another preset (caffe, torch, tensorflow, unit, raw) at the size the network was trained on"
                        + declaredInput().map(s -> " (it declares " + s + ")").orElse(""));
            }
            FirstReader reader = firstReader(graph);
            ImageInput chosen = input;
            if (reader.channels == 1 && chosen.channels() == 3) {
                chosen = chosen.grey();
                LOG.info("{} reads one channel: pictures are made grey", name);
            } else if (reader.channels > 0 && reader.channels != chosen.channels()) {
                throw new IllegalArgumentException(name + " reads " + reader.channels + " channels, but the input gives "
                        + chosen.channels() + ": cnnsee makes pictures of 1 (grey) or 3 (colour) channels");
            }
            if (reader.declared != null && (reader.declared.height() != chosen.height() || reader.declared.width() != chosen.width())) {
                throw new IllegalArgumentException(name + " takes pictures of " + reader.declared.height() + " x "
                        + reader.declared.width() + " pixels (its input is flattened), not " + chosen.height() + " x "
                        + chosen.width() + ": give that size");
            }
            InputType type = reader.layout.inputType(chosen);
            GraphLayers layers = GraphLayers.of(graph, type, name);
            int classes = layers.classifierTap().map(t -> t.shape().channels()).orElse(-1);
            ClassLabels names = labels != null ? ClassLabels.read(labels, classes)
                    : classes > 0 ? ClassLabels.forClasses(classes) : ClassLabels.none();
            Dl4jModel model = new Dl4jModel(name, graph, chosen, reader.layout, layers, weights, names);
            LOG.info("{}: input {}, layout {}, default taps {}{}", name, chosen, reader.layout,
                    layers.defaults().stream().map(t -> t.layerName()).toList(),
                    classes > 0 ? ", " + classes + " classes" : "");
            return model;
        }
    }
}
