package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.InputGradient;
import io.cnnsee.Objective;
import io.cnnsee.Tap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.cnnsee.dl4j.Dl4jModelTest.assertClose;
import static io.cnnsee.dl4j.ReferenceCnn.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Files written by tf-keras, with every layer's output computed by Keras (the fixtures of
 * {@code shared/fixtures/keras}, copied into the test resources): the engine's forward pass agrees
 * with Keras at every spatial layer (a channel's mean, read through its objective), and its
 * backward pass with Deeplearning4j's on the same file. ({@code vgg_flatten}'s flatten crashed the
 * fallback before the engine translated it; {@code depthwise_separable} Deeplearning4j's import
 * cannot read at all.)
 */
class KerasFixturesGradientTest {

    static {
        NativeBuild.select();
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg_flatten", "residual_bn", "concat_pooling"})
    void theEngineAgreesWithKerasForwardAndWithDeeplearning4jBackward(String name) throws Exception {
        Path dir = Path.of(KerasFixturesGradientTest.class.getResource("/keras-fixtures/" + name + ".json").toURI()).getParent();
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve(name + ".json")));
        JsonNode in = json.get("input");
        int h = in.get("shape").get(1).asInt();
        int w = in.get("shape").get(2).asInt();
        int c = in.get("shape").get(3).asInt();
        float[] x = channelsFirst(in.get("data"), h, w, c);
        Dl4jModel model = Dl4jModels.builder(dir.resolve(name + "_tfkeras.h5")).input(ImageInput.preset("tensorflow", h, w)).build();

        List<Objective> objectives = new ArrayList<>();
        List<Double> expected = new ArrayList<>();
        for (Tap tap : model.spatialTaps()) {
            JsonNode layer = json.get("layers").get(tap.layerName());
            if (layer == null || layer.get("shape").size() != 4) {
                continue;
            }
            int lh = layer.get("shape").get(1).asInt();
            int lw = layer.get("shape").get(2).asInt();
            int lc = layer.get("shape").get(3).asInt();
            double sum = 0;
            for (int p = 0; p < lh * lw; p++) {
                sum += layer.get("data").get(p * lc + 1).asDouble(); // channel 1
            }
            objectives.add(Objective.channelMean(tap.layerName(), 1));
            expected.add(sum / (lh * lw));
        }
        assertThat(objectives).as(name + "'s layers read").hasSizeGreaterThanOrEqualTo(2);
        if (model.capability(io.cnnsee.Classifying.class).isPresent()) {
            objectives.add(Objective.classLogit(1).plus(objectives.get(objectives.size() - 1), 0.5));
        }
        List<float[]> inputs = java.util.Collections.nCopies(objectives.size(), x);
        List<InputGradient> compiled = model.inputGradients(inputs, objectives);
        List<InputGradient> reference = model.inputGradientsOnDeeplearning4j(inputs, objectives);
        for (int i = 0; i < objectives.size(); i++) {
            String what = name + " " + objectives.get(i);
            if (i < expected.size()) {
                assertThat(compiled.get(i).value()).as("Keras's value of " + what)
                        .isCloseTo(expected.get(i), within(1e-4 * Math.max(1e-3, Math.abs(expected.get(i)))));
            }
            assertThat(compiled.get(i).value()).as(what).isCloseTo(reference.get(i).value(),
                    within(1e-4 * Math.max(1e-3, Math.abs(reference.get(i).value()))));
            assertClose(compiled.get(i).gradient(), doubles(reference.get(i).gradient()), "d " + what + " / d input");
        }
    }

    /** NHWC values of one picture, channel after channel. */
    private static float[] channelsFirst(JsonNode data, int h, int w, int c) {
        float[] out = new float[h * w * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    out[(k * h + y) * w + x] = (float) data.get((y * w + x) * c + k).asDouble();
                }
            }
        }
        return out;
    }
}
