package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.MapShape;
import io.cnnsee.WeightsInfo;
import io.cnnsee.dl4j.engine.graph.Shape;
import io.cnnsee.dl4j.keras.KerasFile;
import io.cnnsee.dl4j.keras.KerasGraphReader;
import io.cnnsee.dl4j.keras.KerasWeights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Keras models from their files, read straight into the engine: Keras 3's {@code .keras} and
 * {@code .h5}, and Keras 2 / tf-keras {@code .h5}; Sequential and functional.
 *
 * <pre>{@code
 * try (GraphModel model = KerasModels.builder(Path.of("model.keras")).input(ImageInput.tensorflow(224)).build()) {
 *     Inspection inspection = FeatureMapInspector.builder(model).build().inspect(picture);
 * }
 * }</pre>
 */
public final class KerasModels {

    private static final Logger LOG = LoggerFactory.getLogger(KerasModels.class);

    static {
        NativeBuild.select(); // before ND4J loads its natives (their OpenMP is oneDNN's)
    }

    private KerasModels() {
    }

    /** Whether {@code file} is a whole Keras model (configuration and weights), of any version. */
    public static boolean isKerasModel(Path file) {
        if (!KerasFile.looksLikeKeras(file)) {
            return false;
        }
        try (KerasFile k = KerasFile.open(file)) {
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether {@code file} is a Keras 3 model: a {@code .keras} zip, or an {@code .h5} that Keras 3 wrote. */
    public static boolean isKeras3(Path file) {
        if (!KerasFile.looksLikeKeras(file)) {
            return false;
        }
        try (KerasFile k = KerasFile.open(file)) {
            return k.keras3();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A builder for the model in {@code file}.
     *
     * @throws IllegalArgumentException saying what the file is and what to do, when it is not a whole Keras model
     */
    public static Builder builder(Path file) {
        Objects.requireNonNull(file, "file");
        KerasFile k = KerasFile.open(file);
        try {
            return new Builder(file, KerasGraphReader.declaredInput(k), k.kind());
        } finally {
            k.close();
        }
    }

    /** How a Keras model is made: its input (required), labels, name. */
    public static final class Builder {
        private final Path file;
        private final int[] declared;
        private final String kind;
        private String name;
        private ImageInput input;
        private Path labels;
        private ConvolutionAlgorithm convolutions = ConvolutionAlgorithm.WINOGRAD;

        private Builder(Path file, int[] declared, String kind) {
            this.file = file;
            this.declared = declared;
            this.kind = kind;
            this.name = String.valueOf(file.getFileName());
        }

        /** The name reports show; the file's name by default. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** How pictures become the network's input, as it was trained ({@link ImageInput#PRESETS}). */
        public Builder input(ImageInput input) {
            this.input = Objects.requireNonNull(input, "input");
            return this;
        }

        /** Class names, one per line, class 0 first; by default ImageNet's for 1000 classes, else "class i". */
        public Builder labels(Path file) {
            this.labels = Objects.requireNonNull(file, "file");
            return this;
        }

        /** How 3 x 3 stride-1 convolutions are computed; Winograd where it pays by default. */
        public Builder convolutions(ConvolutionAlgorithm algorithm) {
            this.convolutions = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /** The picture size the file declares, channels x height x width, when it declares one. */
        public Optional<MapShape> declaredInput() {
            return declared[1] > 0 && declared[2] > 0 ? Optional.of(new MapShape(declared[0], declared[1], declared[2]))
                    : Optional.empty();
        }

        /**
         * The model, its weights read as its plans need them (the file stays open until it is closed).
         *
         * @throws IllegalArgumentException naming the layer and what to do, where a layer cannot be read
         */
        public GraphModel build() {
            if (input == null) {
                throw new IllegalArgumentException("Say how pictures become " + name + "'s input: .input(ImageInput.tensorflow(224)), "
                        + "or another preset " + ImageInput.PRESETS + " at the size the network was trained on"
                        + declaredInput().map(s -> " (it declares " + s + ")").orElse(""));
            }
            ImageInput chosen = input;
            if (declared[0] == 1 && chosen.channels() == 3) {
                chosen = chosen.grey();
            } else if (declared[0] != chosen.channels()) {
                throw new IllegalArgumentException(name + " reads " + declared[0] + " channels, but the input gives "
                        + chosen.channels() + ": cnnsee makes pictures of 1 (grey) or 3 (colour) channels");
            }
            return make(chosen, null);
        }

        private GraphModel make(ImageInput chosen, Long seed) {
            KerasFile k = KerasFile.open(file);
            try {
                KerasWeights fromFile = KerasWeights.of(k);
                KerasWeights w = seed == null ? fromFile : KerasWeights.random(seed, fromFile);
                Shape shape = Shape.map(chosen.channels(), chosen.height(), chosen.width());
                KerasGraphReader.Result read = KerasGraphReader.read(k, w, shape);
                List<GraphModel.Layer> layers = read.layers().stream()
                        .map(l -> new GraphModel.Layer(l.name(), l.node(), l.shape(), l.convolution())).toList();
                GraphModel.Layer last = layers.get(layers.size() - 1);
                int classes = last.shape().flat() && read.network().logits().containsKey(last.node()) ? last.shape().channels() : -1;
                ClassLabels names = labels != null ? ClassLabels.read(labels, classes)
                        : classes > 0 ? ClassLabels.forClasses(classes) : ClassLabels.none();
                WeightsInfo info = seed == null ? new WeightsInfo("weights from the " + kind + " model " + file.getFileName(), "", false)
                        : WeightsInfo.random(seed);
                ImageInput in = chosen;
                GraphModel model = new GraphModel(name, read.network(), layers, chosen, names, info, convolutions,
                        s -> make(in, s), k);
                LOG.info("{} ({}): input {}, default taps {}{}", name, kind, chosen,
                        model.taps().stream().map(t -> t.layerName()).toList(), classes > 0 ? ", " + classes + " classes" : "");
                return model;
            } catch (RuntimeException e) {
                k.close();
                throw e;
            }
        }
    }
}
