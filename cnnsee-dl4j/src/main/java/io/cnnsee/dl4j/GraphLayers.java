package io.cnnsee.dl4j;

import io.cnnsee.MapShape;
import io.cnnsee.Tap;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What each vertex of a graph puts out for one input size, which of them are spatial maps (the
 * taps a person can look at), which are shown by default, and which vertex is the classifier.
 * Immutable.
 *
 * <p>The default taps generalise VGG16's "one per block": walking the vertices in topological
 * order, each run of spatial outputs of one size that contains a convolution gives its last
 * vertex, the output just before the maps get smaller (VGG's blocks, ResNet's stages).
 */
final class GraphLayers {

    private final Map<String, Tap> spatial;
    private final Map<String, Integer> vertexIndex;
    private final Map<String, InputType> types;
    private final List<Tap> defaults;
    private final LayerVertex classifier;
    private final Tap classifierTap;
    private final ComputationGraph graph;
    private Map<String, io.cnnsee.ReceptiveField> receptiveFields;

    private GraphLayers(ComputationGraph graph, Map<String, Tap> spatial, Map<String, Integer> vertexIndex,
                        Map<String, InputType> types, List<Tap> defaults, LayerVertex classifier, Tap classifierTap) {
        this.graph = graph;
        this.spatial = spatial;
        this.vertexIndex = vertexIndex;
        this.types = types;
        this.defaults = defaults;
        this.classifier = classifier;
        this.classifierTap = classifierTap;
    }

    /**
     * The layers of {@code graph} fed {@code inputType}.
     *
     * @throws IllegalArgumentException when the graph cannot take that input, or has no spatial output
     */
    static GraphLayers of(ComputationGraph graph, InputType inputType, String modelName) {
        Map<String, InputType> types;
        try {
            types = outputTypes(graph, inputType);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(modelName + " cannot take an input of " + describe(inputType) + ": "
                    + e.getMessage(), e);
        }
        GraphVertex[] vertices = graph.getVertices();
        Map<String, Tap> spatial = new LinkedHashMap<>();
        Map<String, Integer> indices = new LinkedHashMap<>();
        List<Tap> defaults = new ArrayList<>();
        Tap runLast = null;
        boolean runHasConvolution = false;
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex v = vertices[index];
            indices.put(v.getVertexName(), index);
            if (v.isInputVertex()) {
                continue;
            }
            checkInputSize(v, vertices, types, modelName, inputType);
            InputType out = types.get(v.getVertexName());
            if (!(out instanceof InputType.InputTypeConvolutional conv)) {
                continue;
            }
            Tap tap = Tap.of(v.getVertexName(), new MapShape((int) conv.getChannels(), (int) conv.getHeight(), (int) conv.getWidth()));
            spatial.put(v.getVertexName(), tap);
            if (runLast != null && (runLast.shape().height() != tap.shape().height()
                    || runLast.shape().width() != tap.shape().width())) {
                if (runHasConvolution) {
                    defaults.add(runLast);
                }
                runHasConvolution = false;
            }
            runLast = tap;
            runHasConvolution |= v.hasLayer() && v.getLayer().conf().getLayer() instanceof ConvolutionLayer;
        }
        if (runLast != null && runHasConvolution) {
            defaults.add(runLast);
        }
        if (spatial.isEmpty()) {
            throw new IllegalArgumentException(modelName + " has no layer whose output is a spatial map (channels x height x "
                    + "width), so there is nothing for cnnsee to show: it inspects convolutional networks, and this one's "
                    + "layers put out " + distinctKinds(types));
        }
        if (defaults.isEmpty()) {
            defaults.add(runLast);
        }
        LayerVertex classifier = findClassifier(graph, types);
        Tap classifierTap = null;
        if (classifier != null) {
            long classes = ((InputType.InputTypeFeedForward) types.get(classifier.getVertexName())).getSize();
            classifierTap = Tap.of(classifier.getVertexName(), new MapShape((int) classes, 1, 1));
        }
        return new GraphLayers(graph, Collections.unmodifiableMap(spatial), Collections.unmodifiableMap(indices), types,
                List.copyOf(defaults), classifier, classifierTap);
    }

    /**
     * What each vertex puts out for {@code inputType}, with the preprocessors the network has.
     * Deeplearning4j's own {@code getLayerActivationTypes} adds preprocessors and sets sizes in
     * the configuration as it goes; this only reads it.
     */
    private static Map<String, InputType> outputTypes(ComputationGraph graph, InputType inputType) {
        var conf = graph.getConfiguration();
        Map<String, InputType> types = new LinkedHashMap<>();
        int layerIndex = 0;
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (conf.getNetworkInputs().contains(name)) {
                types.put(name, inputType);
                continue;
            }
            var vertex = conf.getVertices().get(name);
            List<InputType> inputs = new ArrayList<>();
            for (String in : conf.getVertexInputs().get(name)) {
                inputs.add(types.get(in));
            }
            InputType out;
            if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv) {
                InputType in = inputs.get(0);
                if (lv.getPreProcessor() != null) {
                    in = lv.getPreProcessor().getOutputType(in);
                }
                var layer = lv.getLayerConf().getLayer();
                // A loss layer puts out what it takes (its own answer would be a size of 0, with a warning).
                out = layer instanceof LossLayer ? in : layer.getOutputType(layerIndex, in);
                layerIndex++;
                if (!(layer instanceof ConvolutionLayer || layer instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer
                        || layer instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization)) {
                    out = sameLayout(out, in);
                }
            } else {
                out = sameLayout(vertex.getOutputType(layerIndex, inputs.toArray(new InputType[0])), inputs.get(0));
            }
            types.put(name, out);
        }
        return types;
    }

    /**
     * {@code out} in the layout of {@code in}: layers that state no layout of their own (padding,
     * activation, merges) keep their input's, though some report channels first whatever they get.
     */
    private static InputType sameLayout(InputType out, InputType in) {
        if (out instanceof InputType.InputTypeConvolutional o && in instanceof InputType.InputTypeConvolutional i
                && o.getFormat() != i.getFormat()) {
            return InputType.convolutional(o.getHeight(), o.getWidth(), o.getChannels(), i.getFormat());
        }
        return out;
    }

    /** A dense layer whose nIn does not match what the input size gives it fails later, obscurely: say it now. */
    private static void checkInputSize(GraphVertex v, GraphVertex[] vertices, Map<String, InputType> types, String modelName, InputType inputType) {
        if (!v.hasLayer() || !(v.getLayer().conf().getLayer() instanceof FeedForwardLayer ff)
                || v.getLayer().conf().getLayer() instanceof ConvolutionLayer) {
            return;
        }
        String from = graphInput(v, vertices, types);
        if (from == null) {
            return;
        }
        InputType given = types.get(from);
        InputType received = v instanceof LayerVertex lv && lv.getLayerPreProcessor() != null
                ? lv.getLayerPreProcessor().getOutputType(given) : given;
        if (received instanceof InputType.InputTypeFeedForward f && ff.getNIn() > 0 && f.getSize() != ff.getNIn()) {
            throw new IllegalArgumentException(modelName + " cannot take an input of " + describe(inputType) + ": layer "
                    + v.getVertexName() + " takes " + ff.getNIn() + " values, but that input gives it " + f.getSize()
                    + ". Use the input size the network was trained on");
        }
    }

    private static String graphInput(GraphVertex v, GraphVertex[] vertices, Map<String, InputType> types) {
        if (v.getInputVertices() == null || v.getInputVertices().length != 1) {
            return null;
        }
        String name = vertices[v.getInputVertices()[0].getVertexIndex()].getVertexName();
        return types.containsKey(name) ? name : null;
    }

    /**
     * The single output vertex when it is a softmax over a flat vector: a dense or output layer
     * with softmax activation, or an activation or loss layer applying softmax to logits.
     */
    private static LayerVertex findClassifier(ComputationGraph graph, Map<String, InputType> types) {
        List<String> outputs = graph.getConfiguration().getNetworkOutputs();
        if (outputs.size() != 1) {
            return null;
        }
        GraphVertex v = graph.getVertex(outputs.get(0));
        // A loss layer after the softmax (SqueezeNet, Darknet19 of the zoo) only scores training.
        while (v instanceof LayerVertex passing && v.getInputVertices().length == 1
                && (passing.getLayer().conf().getLayer() instanceof LossLayer loss
                && !(loss.getActivationFn() instanceof ActivationSoftmax)
                || passing.getLayer().conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.DropoutLayer)) {
            v = graph.getVertices()[v.getInputVertices()[0].getVertexIndex()];
        }
        if (!(v instanceof LayerVertex lv) || !(types.get(v.getVertexName()) instanceof InputType.InputTypeFeedForward)) {
            return null;
        }
        org.deeplearning4j.nn.conf.layers.Layer conf = lv.getLayer().conf().getLayer();
        boolean softmax = conf instanceof BaseLayer base && base.getActivationFn() instanceof ActivationSoftmax
                || conf instanceof ActivationLayer a && a.getActivationFn() instanceof ActivationSoftmax
                || conf instanceof LossLayer l && l.getActivationFn() instanceof ActivationSoftmax;
        boolean dense = conf instanceof FeedForwardLayer && !(conf instanceof ConvolutionLayer);
        boolean paramless = conf instanceof ActivationLayer || conf instanceof LossLayer;
        return softmax && (dense || paramless) ? lv : null;
    }

    private static String distinctKinds(Map<String, InputType> types) {
        return types.values().stream().map(t -> t.getType().name().toLowerCase(java.util.Locale.ROOT)).distinct().toList()
                + " values";
    }

    static String describe(InputType type) {
        if (type instanceof InputType.InputTypeConvolutional c) {
            return c.getChannels() + " x " + c.getHeight() + " x " + c.getWidth() + " (channels x height x width)";
        }
        if (type instanceof InputType.InputTypeConvolutionalFlat f) {
            return f.getDepth() + " x " + f.getHeight() + " x " + f.getWidth() + " (flattened)";
        }
        return type.toString();
    }

    /** Every spatial output, in topological order. */
    List<Tap> spatialTaps() {
        return List.copyOf(spatial.values());
    }

    List<Tap> defaults() {
        return defaults;
    }

    Optional<Tap> spatial(String name) {
        return Optional.ofNullable(spatial.get(name));
    }

    boolean hasVertex(String name) {
        return vertexIndex.containsKey(name);
    }

    int vertexIndex(String name) {
        Integer index = vertexIndex.get(name);
        if (index == null) {
            throw new IllegalArgumentException("No vertex " + name);
        }
        return index;
    }

    /** What each vertex puts out, by name. */
    Map<String, InputType> types() {
        return Collections.unmodifiableMap(types);
    }

    InputType outputType(String name) {
        return types.get(name);
    }

    /** Every spatial vertex's receptive field, computed once on first use. */
    synchronized Map<String, io.cnnsee.ReceptiveField> receptiveFields() {
        if (receptiveFields == null) {
            receptiveFields = ReceptiveFields.of(graph, types);
        }
        return receptiveFields;
    }

    Optional<LayerVertex> classifier() {
        return Optional.ofNullable(classifier);
    }

    Optional<Tap> classifierTap() {
        return Optional.ofNullable(classifierTap);
    }
}
