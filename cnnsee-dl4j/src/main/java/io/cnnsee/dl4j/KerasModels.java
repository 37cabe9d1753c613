package io.cnnsee.dl4j;

import io.cnnsee.dl4j.keras.KerasFile;
import io.cnnsee.dl4j.keras.KerasGraphReader;
import io.cnnsee.dl4j.keras.KerasWeights;
import org.nd4j.shade.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
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
        try (KerasFile opened = KerasFile.open(file)) {
            return opened != null;
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
     * A model's architecture alone, from its configuration as Keras writes it ({@code config.json}
     * of a {@code .keras} zip, or {@code model.to_json()}; gzipped or not), with untrained weights
     * drawn from {@code seed} and labelled random: to look at an architecture, or to time it.
     */
    public static GraphModelBuilder untrained(Path configuration, long seed) {
        Objects.requireNonNull(configuration, "configuration");
        JsonNode config;
        try (java.io.InputStream raw = java.nio.file.Files.newInputStream(configuration);
             java.io.InputStream in = configuration.toString().endsWith(".gz") ? new java.util.zip.GZIPInputStream(raw) : raw) {
            config = new org.nd4j.shade.jackson.databind.ObjectMapper().readTree(in);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Cannot read the Keras configuration " + configuration + ": " + e.getMessage(), e);
        }
        if (config.has("config") && !config.has("class_name")) {
            config = config.get("config"); // a wrapper around the configuration
        }
        if (config.isTextual()) {
            try {
                config = new org.nd4j.shade.jackson.databind.ObjectMapper().readTree(config.asText());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(configuration + " holds a configuration that is not JSON: " + e.getMessage(), e);
            }
        }
        boolean keras3 = config.has("module") || config.path("config").has("build_input_shape") || config.toString().contains("__keras_tensor__");
        KerasFile k = KerasFile.ofConfiguration(configuration, config, keras3);
        int[] declared = KerasGraphReader.declaredInput(k);
        return new GraphModelBuilder(configuration, keras3 ? "Keras 3 configuration" : "Keras 2 configuration", declared, (input, s) -> {
            KerasGraphReader.Result r = KerasGraphReader.read(k, KerasWeights.random(s, null), input);
            return new GraphModelBuilder.Read(r.network(), r.layers(), Map.of(), () -> { }, "");
        }, seed);
    }

    /**
     * The input preset a known architecture in {@code file} expects, with why: keras.applications'
     * networks by their names (their {@code preprocess_input}), and any model whose first layer
     * scales pixels itself ({@code Rescaling}, {@code Normalization}) takes them raw.
     */
    public static Optional<String> expectedInput(Path file) {
        try (KerasFile k = KerasFile.open(file)) {
            return expectedInput(k);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static Optional<String> expectedInput(KerasFile k) {
        JsonNode model = k.modelConfig();
        for (JsonNode layer : model.path("layers")) {
            String cls = layer.path("class_name").asText();
            if (cls.equals("InputLayer")) {
                continue;
            }
            if (cls.equals("Rescaling") || cls.equals("Normalization")) {
                return Optional.of("raw (its first layer, " + cls + ", scales the pixels itself)");
            }
            break;
        }
        String name = model.path("name").asText("").toLowerCase(java.util.Locale.ROOT);
        for (String[] known : PRESETS) {
            if (name.matches(known[0])) {
                return Optional.of(known[1] + " (as keras.applications' " + name + " was trained)");
            }
        }
        return Optional.empty();
    }

    /** keras.applications' networks, by the names they save under, and their preprocess_input as a preset. */
    private static final String[][] PRESETS = {
            {"vgg(16|19)", "caffe"}, {"resnet(50|101|152)", "caffe"}, {"resnet(50|101|152)v2", "tensorflow"},
            {"mobilenet(v2)?_[0-9.]+_[0-9]+", "tensorflow"}, {"inception_v3|inception_resnet_v2|xception|nasnet_(mobile|large)", "tensorflow"},
            {"densenet(121|169|201)", "torch"}};

    /**
     * A builder for the model in {@code file}.
     *
     * @throws io.cnnsee.ModelFileException saying what the file is and what to do, when it is not a whole Keras model
     */
    public static GraphModelBuilder builder(Path file) {
        Objects.requireNonNull(file, "file");
        return ModelFiles.reading(file, () -> open(file));
    }

    private static GraphModelBuilder open(Path file) {
        int[] declared;
        String kind;
        try (KerasFile k = KerasFile.open(file)) {
            declared = KerasGraphReader.declaredInput(k);
            kind = k.kind();
        }
        return new GraphModelBuilder(file, kind, declared, (input, seed) -> {
            KerasFile k = KerasFile.open(file); // open while the model lives: weights are read as plans need them
            try {
                KerasWeights fromFile = KerasWeights.of(k);
                KerasGraphReader.Result r = KerasGraphReader.read(k, seed == null ? fromFile : KerasWeights.random(seed, fromFile), input);
                return new GraphModelBuilder.Read(r.network(), r.layers(), Map.of(), k, "");
            } catch (RuntimeException e) {
                k.close();
                throw e;
            }
        });
    }
}
