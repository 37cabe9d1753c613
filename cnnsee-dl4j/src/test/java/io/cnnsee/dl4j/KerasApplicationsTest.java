package io.cnnsee.dl4j;

import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.graph.Shape;
import io.cnnsee.dl4j.keras.KerasFile;
import io.cnnsee.dl4j.keras.KerasGraphReader;
import io.cnnsee.dl4j.keras.KerasWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every keras.applications network's configuration, as Keras 3 and tf-keras write it
 * ({@code shared/fixtures/keras-applications}, no weights), read into the engine's graph: which
 * read, and with how many layers outside oneDNN: all 42 read.
 */
class KerasApplicationsTest {

    static Path dir() throws Exception {
        return Path.of(KerasApplicationsTest.class.getResource("/keras-applications/VGG16.keras3.json.gz").toURI()).getParent();
    }

    static KerasFile configuration(Path gz) throws Exception {
        JsonNode root;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            root = new ObjectMapper().readTree(in);
        }
        JsonNode config = root.get("config");
        if (config.isTextual()) {
            config = new ObjectMapper().readTree(config.asText());
        }
        return KerasFile.ofConfiguration(gz.getFileName(), config, gz.toString().contains("keras3"));
    }

    /** Per file, "N nodes, H outside oneDNN" or the refusal. */
    static Map<String, String> outcomes() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var files = Files.list(dir())) {
            for (Path gz : files.filter(f -> f.toString().endsWith(".json.gz")).toList()) {
                try (KerasFile k = configuration(gz)) {
                    int[] in = KerasGraphReader.declaredInput(k);
                    KerasGraphReader.Result r = KerasGraphReader.read(k, KerasWeights.random(1, null),
                            Shape.map(in[0], in[1] > 0 ? in[1] : 224, in[2] > 0 ? in[2] : 224));
                    long hosted = r.network().graph().nodes().stream().filter(n -> n.op() instanceof Op.Host).count();
                    out.put(gz.getFileName().toString().replace(".json.gz", ""),
                            r.network().graph().nodes().size() + " nodes, " + hosted + " outside oneDNN");
                } catch (IllegalArgumentException e) {
                    out.put(gz.getFileName().toString().replace(".json.gz", ""), e.getMessage());
                }
            }
        }
        return out;
    }

    @Test
    void everyArchitectureReadsOrIsRefusedSayingWhy() throws Exception {
        Map<String, String> outcomes = outcomes();
        Map<String, String> expected = new TreeMap<>();
        String[][] read = {
                {"DenseNet121", "430 nodes, 0"}, {"EfficientNetB0", "273 nodes, 0"}, {"EfficientNetB7", "927 nodes, 0"},
                {"EfficientNetV2B0", "306 nodes, 0"}, {"InceptionResNetV2", "823 nodes, 0"}, {"InceptionV3", "314 nodes, 0"},
                {"MobileNet", "91 nodes, 0"}, {"MobileNetV2", "157 nodes, 0"}, {"NASNetMobile", "932 nodes, 0"},
                {"ResNet101", "348 nodes, 0"}, {"ResNet101V2", "380 nodes, 0"}, {"ResNet152", "518 nodes, 0"},
                {"ResNet152V2", "567 nodes, 0"}, {"ResNet50", "178 nodes, 0"}, {"ResNet50V2", "193 nodes, 0"},
                {"VGG16", "39 nodes, 0"}, {"VGG19", "45 nodes, 0"}, {"Xception", "169 nodes, 0"}};
        for (String[] r : read) {
            expected.put(r[0] + ".keras3", r[1] + " outside oneDNN");
            expected.put(r[0] + ".tfkeras", r[1] + " outside oneDNN");
        }
        expected.put("MobileNetV3Large.keras3", "210 nodes, 0 outside oneDNN");
        expected.put("MobileNetV3Small.keras3", "182 nodes, 0 outside oneDNN");
        // ConvNeXt's stem is a Sequential inside the model.
        expected.put("ConvNeXtTiny.keras3", "158 nodes, 0 outside oneDNN");
        // tf-keras writes MobileNetV3's hard sigmoid and ConvNeXt's residual sums as TFOpLambda: x + y, x * y.
        expected.put("MobileNetV3Large.tfkeras", "273 nodes, 0 outside oneDNN");
        expected.put("MobileNetV3Small.tfkeras", "239 nodes, 0 outside oneDNN");
        expected.put("ConvNeXtTiny.tfkeras", "158 nodes, 0 outside oneDNN");
        assertThat(outcomes).isEqualTo(expected);
    }

    @Test
    void theInputEachExpectsIsKnown() throws Exception {
        Map<String, String> expected = Map.of("VGG16", "caffe", "ResNet50", "caffe", "ResNet50V2", "tensorflow", "MobileNetV2",
                "tensorflow", "Xception", "tensorflow", "DenseNet121", "torch", "EfficientNetB0", "raw", "ConvNeXtTiny", "raw",
                "MobileNetV3Small", "raw");
        for (var e : expected.entrySet()) {
            for (String writer : List.of(".keras3", ".tfkeras")) {
                try (KerasFile k = configuration(dir().resolve(e.getKey() + writer + ".json.gz"))) {
                    assertThat(KerasModels.expectedInput(k)).as(e.getKey() + writer).hasValueSatisfying(v -> assertThat(v).startsWith(e.getValue() + " ("));
                }
            }
        }
    }

    /** Some of them run end to end on oneDNN alone with random weights: 1000 probabilities that sum to 1. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"EfficientNetB0.keras3", "MobileNetV3Small.keras3", "MobileNetV3Small.tfkeras",
            "ConvNeXtTiny.keras3"})
    void theyRun(String name) throws Exception {
        GraphModelBuilder builder = KerasModels.untrained(dir().resolve(name + ".json.gz"), 7);
        try (GraphModel model = builder.input(io.cnnsee.ImageInput.raw(224)).build()) {
            assertThat(model.weights().random()).isTrue();
            float[] picture = new float[3 * 224 * 224];
            java.util.SplittableRandom random = new java.util.SplittableRandom(3);
            for (int i = 0; i < picture.length; i++) {
                picture[i] = (float) random.nextDouble(255);
            }
            float[] p = model.forward(picture, List.of(model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier()))[0];
            double sum = 0;
            for (float v : p) {
                assertThat(Float.isFinite(v)).isTrue();
                sum += v;
            }
            assertThat(p).hasSize(1000);
            assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
            assertThat(model.fallbackLayers()).as(model.engineNote()).isEmpty();
        }
    }
}
