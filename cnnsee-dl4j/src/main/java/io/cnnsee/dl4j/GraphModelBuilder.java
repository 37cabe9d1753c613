package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.MapShape;
import io.cnnsee.WeightsInfo;
import io.cnnsee.dl4j.engine.graph.Layer;
import io.cnnsee.dl4j.engine.graph.Network;
import io.cnnsee.dl4j.engine.graph.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a model read from a file by one of the engine's front-ends ({@link KerasModels},
 * {@link OnnxModels}) is made: its input (required), labels, name and convolutions.
 */
public final class GraphModelBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(GraphModelBuilder.class);

    /** A front-end reading one file: its network for pictures of {@code input}; with {@code seed}, untrained weights. */
    interface FrontEnd {
        Read read(Shape input, Long seed);
    }

    /**
     * A front-end's network, the layers people see (in order), other names of those layers
     * (tensor names, by layer name's alias), what to close with the model, and what reports
     * should say of how the front-end read it (or nothing).
     */
    record Read(Network network, List<Layer> layers, Map<String, String> aliases, AutoCloseable source, String remark) {
    }

    private final Path file;
    /** "Keras 3 .keras", "ONNX (opset 17)" ..., for reports. */
    private final String kind;
    /** {@code {channels, height, width}}, 0 where any size goes. */
    private final int[] declared;
    private final FrontEnd front;
    private final Long untrained;
    private String name;
    private ImageInput input;
    private Path labels;
    private ConvolutionAlgorithm convolutions = ConvolutionAlgorithm.WINOGRAD;

    GraphModelBuilder(Path file, String kind, int[] declared, FrontEnd front) {
        this(file, kind, declared, front, null);
    }

    /** With {@code untrained}, a builder of the architecture alone, its weights drawn from that seed. */
    GraphModelBuilder(Path file, String kind, int[] declared, FrontEnd front, Long untrained) {
        this.file = file;
        this.kind = kind;
        this.declared = declared.clone();
        this.front = front;
        this.untrained = untrained;
        this.name = String.valueOf(file.getFileName());
    }

    /** The name reports show; the file's name by default. */
    public GraphModelBuilder name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** How pictures become the network's input, as it was trained ({@link ImageInput#PRESETS}). */
    public GraphModelBuilder input(ImageInput input) {
        this.input = Objects.requireNonNull(input, "input");
        return this;
    }

    /** Class names, one per line, class 0 first; by default ImageNet's for 1000 classes, else "class i". */
    public GraphModelBuilder labels(Path file) {
        this.labels = Objects.requireNonNull(file, "file");
        return this;
    }

    /** How 3 x 3 stride-1 convolutions are computed; Winograd where it pays by default. */
    public GraphModelBuilder convolutions(ConvolutionAlgorithm algorithm) {
        this.convolutions = Objects.requireNonNull(algorithm, "algorithm");
        return this;
    }

    /** The picture size the file declares, channels x height x width, when it declares one. */
    public Optional<MapShape> declaredInput() {
        int[] d = declared;
        return d[1] > 0 && d[2] > 0 ? Optional.of(new MapShape(d[0], d[1], d[2])) : Optional.empty();
    }

    /**
     * The model.
     *
     * @throws IllegalArgumentException naming the layer and what to do, where a layer cannot be read
     */
    public GraphModel build() {
        if (input == null) {
            throw new IllegalArgumentException("Say how pictures become " + name + "'s input: .input(ImageInput.torch(224)), "
                    + "or another preset " + ImageInput.PRESETS + " at the size the network was trained on"
                    + declaredInput().map(s -> " (it declares " + s + ")").orElse(""));
        }
        int channels = declared[0];
        ImageInput chosen = input;
        if (channels == 1 && chosen.channels() == 3) {
            chosen = chosen.grey();
        } else if (channels > 0 && channels != chosen.channels()) {
            throw new IllegalArgumentException(name + " reads " + channels + " channels, but the input gives "
                    + chosen.channels() + ": cnnsee makes pictures of 1 (grey) or 3 (colour) channels");
        }
        return make(chosen, untrained);
    }

    private GraphModel make(ImageInput chosen, Long seed) {
        Read read = ModelFiles.reading(file, () -> front.read(Shape.map(chosen.channels(), chosen.height(), chosen.width()), seed));
        try {
            List<Layer> layers = read.layers();
            int classes = GraphModel.classifier(layers, read.network()).map(t -> t.shape().channels()).orElse(-1);
            ClassLabels names = labels != null ? ClassLabels.read(labels, classes)
                    : classes > 0 ? ClassLabels.forClasses(classes) : ClassLabels.none();
            WeightsInfo info = seed == null ? new WeightsInfo("weights from the " + kind + " model " + file.getFileName(), "", false)
                    : WeightsInfo.random(seed);
            GraphModel model = new GraphModel(name, read.network(), layers, read.aliases(), chosen, names, info, convolutions,
                    s -> make(chosen, s), read.source(), read.remark());
            LOG.info("{} ({}): input {}, default taps {}{}", name, kind, chosen,
                    model.taps().stream().map(t -> t.layerName()).toList(), classes > 0 ? ", " + classes + " classes" : "");
            return model;
        } catch (RuntimeException e) {
            try {
                read.source().close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
