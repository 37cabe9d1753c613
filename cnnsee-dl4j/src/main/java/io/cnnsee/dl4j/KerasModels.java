package io.cnnsee.dl4j;

import io.cnnsee.dl4j.engine.graph.Shape;
import io.cnnsee.dl4j.keras.KerasFile;
import io.cnnsee.dl4j.keras.KerasGraphReader;
import io.cnnsee.dl4j.keras.KerasWeights;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
    public static GraphModelBuilder builder(Path file) {
        Objects.requireNonNull(file, "file");
        int[] declared;
        String kind;
        try (KerasFile k = KerasFile.open(file)) {
            declared = KerasGraphReader.declaredInput(k);
            kind = k.kind();
        }
        return new GraphModelBuilder(file, new GraphModelBuilder.FrontEnd() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public int[] declaredInput() {
                return declared.clone();
            }

            @Override
            public GraphModelBuilder.Read read(Shape input, Long seed) {
                KerasFile k = KerasFile.open(file); // open while the model lives: weights are read as plans need them
                try {
                    KerasWeights fromFile = KerasWeights.of(k);
                    KerasGraphReader.Result r = KerasGraphReader.read(k, seed == null ? fromFile : KerasWeights.random(seed, fromFile), input);
                    List<GraphModel.Layer> layers = r.layers().stream()
                            .map(l -> new GraphModel.Layer(l.name(), l.node(), l.shape(), l.convolution())).toList();
                    return new GraphModelBuilder.Read(r.network(), layers, Map.of(), k);
                } catch (RuntimeException e) {
                    k.close();
                    throw e;
                }
            }
        });
    }
}
