package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.InputGradient;
import io.cnnsee.MapShape;
import io.cnnsee.Objective;
import io.cnnsee.Tap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Keras files read straight into the engine ({@link KerasModels}), against what Keras itself
 * computed: the fixtures of {@code shared/fixtures/keras}, each written by Keras 3 ({@code .keras}
 * and {@code .h5}) and by tf-keras ({@code .h5}), with every layer's output. Every layer agrees
 * to 1e-4 of its largest value; gradients agree with central differences of the same pass.
 */
class KerasModelsTest {

    static {
        NativeBuild.select();
    }

    static final List<String> FIXTURES = List.of("vgg_flatten", "residual_bn", "depthwise_separable", "squeeze_excite",
            "concat_pooling", "convnext_block", "grayscale", "upsample_crop");

    static Stream<Arguments> files() {
        List<Arguments> out = new ArrayList<>();
        for (String f : FIXTURES) {
            for (String suffix : List.of("_k3.keras", "_k3.h5", "_tfkeras.h5")) {
                out.add(Arguments.of(f, f + suffix));
            }
        }
        return out.stream();
    }

    static Path dir() throws Exception {
        return Path.of(KerasModelsTest.class.getResource("/keras-fixtures/vgg_flatten.json").toURI()).getParent();
    }

    /** The fixture's input, channel-major, as the network takes it. */
    static float[] input(JsonNode json) {
        JsonNode in = json.get("input");
        return channelsFirst(in.get("data"), in.get("shape"));
    }

    static float[] channelsFirst(JsonNode data, JsonNode shape) {
        if (shape.size() == 2) {
            float[] v = new float[shape.get(1).asInt()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) data.get(i).asDouble();
            }
            return v;
        }
        int h = shape.get(1).asInt();
        int w = shape.get(2).asInt();
        int c = shape.get(3).asInt();
        float[] v = new float[c * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    v[(ch * h + y) * w + x] = (float) data.get((y * w + x) * c + ch).asDouble();
                }
            }
        }
        return v;
    }

    static GraphModel open(Path file, JsonNode json) {
        JsonNode s = json.get("input").get("shape");
        ImageInput input = ImageInput.of(s.get(1).asInt(), s.get(2).asInt(), s.get(3).asInt(), ImageInput.ChannelOrder.RGB, 1f,
                new float[s.get(3).asInt()], ones(s.get(3).asInt()));
        return KerasModels.builder(file).input(input).build();
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("files")
    void everyLayerAgreesWithKeras(String fixture, String fileName) throws Exception {
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir().resolve(fixture + ".json")));
        try (GraphModel model = open(dir().resolve(fileName), json)) {
            List<Tap> taps = new ArrayList<>();
            List<float[]> expected = new ArrayList<>();
            for (JsonNode name : json.get("layer_order")) {
                JsonNode layer = json.get("layers").get(name.asText());
                JsonNode shape = layer.get("shape");
                MapShape s = shape.size() == 2 ? new MapShape(shape.get(1).asInt(), 1, 1)
                        : new MapShape(shape.get(3).asInt(), shape.get(1).asInt(), shape.get(2).asInt());
                taps.add(Tap.of(name.asText(), s));
                expected.add(channelsFirst(layer.get("data"), shape));
            }
            float[][] got = model.forward(input(json), taps);
            for (int i = 0; i < taps.size(); i++) {
                assertClose(got[i], expected.get(i), fileName + " " + taps.get(i).layerName());
            }
            assertThat(model.fallbackLayers()).as(model.engineNote()).isEmpty();
        }
    }

    /** Within 1e-4 of the largest magnitude of {@code expected}. */
    static void assertClose(float[] got, float[] expected, String what) {
        assertThat(got).as(what + " size").hasSize(expected.length);
        double largest = 1e-6;
        for (float e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        double worst = 0;
        int at = 0;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs(got[i] - expected[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertThat(worst).as(what + ": differs at " + at + " (" + got[at] + " vs " + expected[at] + ")").isLessThanOrEqualTo(1e-4 * largest);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void gradientsAgreeWithCentralDifferences(String fixture) throws Exception {
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir().resolve(fixture + ".json")));
        try (GraphModel model = open(dir().resolve(fixture + "_k3.keras"), json)) {
            float[] x = input(json);
            Tap deepest = model.allTaps().get(model.allTaps().size() - 1);
            Objective objective = model.capability(io.cnnsee.Classifying.class).isPresent()
                    ? Objective.classLogit(1).plus(Objective.channelMean(deepest.layerName(), 0), 0.5)
                    : Objective.channelMean(deepest.layerName(), 1);
            InputGradient g = model.inputGradient(x, objective);
            double scale = 0;
            for (float v : x) {
                scale = Math.max(scale, Math.abs(v));
            }
            float[] wide = centralDifferences(model, x, objective, 2e-3 * scale);
            float[] narrow = centralDifferences(model, x, objective, 1e-3 * scale);
            // Where the two steps disagree, a ReLU or a max pool switched within the step: no derivative to compare.
            double largest = 1e-9;
            for (float v : narrow) {
                largest = Math.max(largest, Math.abs(v));
            }
            int smooth = 0;
            for (int i = 0; i < x.length; i++) {
                if (Math.abs(wide[i] - narrow[i]) > 5e-3 * largest) {
                    continue;
                }
                smooth++;
                assertThat((double) Math.abs(g.gradient()[i] - narrow[i])).as(fixture + " d " + objective + " / d input at " + i
                        + ": " + g.gradient()[i] + " vs " + narrow[i]).isLessThanOrEqualTo(1e-2 * largest);
            }
            assertThat(smooth).as(fixture + ": inputs where the objective is smooth").isGreaterThan(x.length * 9 / 10);
        }
    }

    /** Where Deeplearning4j's import reads the tf-keras file too, its own backward pass gives the same gradient. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"vgg_flatten", "residual_bn", "concat_pooling"})
    void gradientsAgreeWithDeeplearning4jsBackwardPass(String fixture) throws Exception {
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir().resolve(fixture + ".json")));
        JsonNode s = json.get("input").get("shape");
        try (GraphModel model = open(dir().resolve(fixture + "_k3.keras"), json);
             Dl4jModel dl4j = Dl4jModels.builder(dir().resolve(fixture + "_tfkeras.h5"))
                     .input(ImageInput.of(s.get(1).asInt(), s.get(2).asInt(), 3, ImageInput.ChannelOrder.RGB, 1f, new float[3], ones(3)))
                     .build()) {
            float[] x = input(json);
            Tap deepest = model.allTaps().get(model.allTaps().size() - 1);
            Objective objective = Objective.classLogit(1).plus(Objective.channelMean(deepest.layerName(), 0), 0.5);
            InputGradient ours = model.inputGradient(x, objective);
            InputGradient theirs = dl4j.inputGradientsOnDeeplearning4j(List.of(x), List.of(objective)).get(0);
            assertThat(ours.value()).isCloseTo(theirs.value(), org.assertj.core.api.Assertions.within(1e-4 * Math.abs(theirs.value())));
            assertClose(ours.gradient(), theirs.gradient(), fixture + " d " + objective + " / d input");
        }
    }

    private static float[] centralDifferences(GraphModel model, float[] x, Objective objective, double eps) {
        List<float[]> plus = new ArrayList<>();
        List<float[]> minus = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            float[] p = x.clone();
            p[i] += (float) eps;
            float[] m = x.clone();
            m[i] -= (float) eps;
            plus.add(p);
            minus.add(m);
        }
        List<Objective> same = java.util.Collections.nCopies(x.length, objective);
        List<InputGradient> up = model.inputGradients(plus, same);
        List<InputGradient> down = model.inputGradients(minus, same);
        float[] numeric = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            numeric[i] = (float) ((up.get(i).value() - down.get(i).value()) / (2 * eps));
        }
        return numeric;
    }

    /** The fixtures Deeplearning4j's import cannot read, whose gradients only central differences can check. */
    static Stream<String> fixtures() {
        return Stream.of("depthwise_separable", "squeeze_excite", "convnext_block", "grayscale", "upsample_crop");
    }

    @Test
    void aLayerWithoutATranslationIsNamedWithItsClassAndWhatToDo() throws Exception {
        Path file = Files.createTempFile("lambda", ".keras");
        try {
            String config = Files.readString(dir().resolve("vgg_flatten.json")); // any JSON will not do: write a config
            assertThat(config).isNotEmpty();
            try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file));
                 var source = new java.util.zip.ZipFile(dir().resolve("vgg_flatten_k3.keras").toFile())) {
                for (var e : java.util.Collections.list(source.entries())) {
                    byte[] bytes = source.getInputStream(e).readAllBytes();
                    if (e.getName().equals("config.json")) {
                        bytes = new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                                .replace("\"class_name\": \"MaxPooling2D\"", "\"class_name\": \"FractionalMaxPooling2D\"")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    }
                    zip.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                    zip.write(bytes);
                    zip.closeEntry();
                }
            }
            assertThatThrownBy(() -> KerasModels.builder(file).input(ImageInput.unit(16)).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(file.getFileName() + ": layer 'pool1' (Keras FractionalMaxPooling2D) cannot be read: cnnsee has no "
                            + "translation for it yet (docs/models.md lists the layers it reads)");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
