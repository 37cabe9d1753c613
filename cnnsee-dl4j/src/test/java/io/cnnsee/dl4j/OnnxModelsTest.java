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
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.cnnsee.dl4j.KerasModelsTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * ONNX files written by PyTorch's exporter ({@code onnx-fixtures/make_fixtures.py}: torchvision's
 * blocks at opsets 13 and 17, ConvNeXt's channels-last layer norms and GELU among them) read straight into the engine ({@link OnnxModels}), against what
 * PyTorch computed: named maps and the logits to 1e-4 of their largest value; the softmax the
 * model gets; gradients against central differences.
 */
class OnnxModelsTest {

    static {
        NativeBuild.select();
    }

    static final List<String> FIXTURES = List.of("resnet_like", "mobilenet_like", "vgg_inception_like", "shufflenet_like",
            "convnext_like");

    static Stream<Arguments> files() {
        List<Arguments> out = new ArrayList<>();
        for (String f : FIXTURES) {
            for (int opset : f.equals("convnext_like") ? new int[] {17} : new int[] {13, 17}) { // LayerNormalization: opset 17
                out.add(Arguments.of(f, f + "_opset" + opset + ".onnx"));
            }
        }
        return out.stream();
    }

    static Path dir() throws Exception {
        return Path.of(OnnxModelsTest.class.getResource("/onnx-fixtures/resnet_like.json").toURI()).getParent();
    }

    static float[] flat(JsonNode data) {
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) data.get(i).asDouble();
        }
        return v;
    }

    static GraphModel open(Path file) {
        GraphModelBuilder b = OnnxModels.builder(file);
        MapShape declared = b.declaredInput().orElseThrow();
        return b.input(ImageInput.of(declared.height(), declared.width(), 3, ImageInput.ChannelOrder.RGB, 1f, new float[3],
                new float[] {1, 1, 1})).build();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("files")
    void namedMapsAndLogitsAgreeWithPyTorch(String fixture, String fileName) throws Exception {
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir().resolve(fixture + ".json")));
        try (GraphModel model = open(dir().resolve(fileName))) {
            List<Tap> taps = new ArrayList<>();
            List<float[]> expected = new ArrayList<>();
            json.get("outputs").fields().forEachRemaining(e -> {
                JsonNode shape = e.getValue().get("shape");
                MapShape s = shape.size() == 2 ? new MapShape(shape.get(1).asInt(), 1, 1)
                        : new MapShape(shape.get(1).asInt(), shape.get(2).asInt(), shape.get(3).asInt());
                taps.add(Tap.of(e.getKey(), s));
                expected.add(flat(e.getValue().get("data")));
            });
            float[][] got = model.forward(flat(json.get("input").get("data")), taps);
            for (int i = 0; i < taps.size(); i++) {
                assertClose(got[i], expected.get(i), fileName + " " + taps.get(i).layerName());
            }
            // torchvision's networks end in logits: the model reports their softmax.
            Tap classes = model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier();
            assertThat(classes.layerName()).isEqualTo("softmax(logits)");
            float[] logits = expected.get(expected.size() - 1);
            float[] p = model.forward(flat(json.get("input").get("data")), List.of(classes))[0];
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) {
                max = Math.max(max, l);
            }
            double sum = 0;
            for (float l : logits) {
                sum += Math.exp(l - max);
            }
            for (int i = 0; i < p.length; i++) {
                assertThat((double) p[i]).as("p " + i).isCloseTo(Math.exp(logits[i] - max) / sum, within(1e-5));
            }
            assertThat(model.fallbackLayers()).as(model.engineNote()).isEmpty();
            assertThat(model.engineNote()).endsWith("; the model ends in logits: its probabilities are their softmax, which cnnsee adds");
        }
    }

    /** The gradient of a logit plus a map's channel mean, against PyTorch's autograd on the same model. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet_like", "mobilenet_like", "vgg_inception_like", "shufflenet_like", "convnext_like"})
    void gradientsAgreeWithPyTorchsAutograd(String fixture) throws Exception {
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir().resolve(fixture + ".json")));
        try (GraphModel model = open(dir().resolve(fixture + "_opset17.onnx"))) {
            JsonNode gradient = json.get("gradient");
            Objective objective = Objective.classLogit(1).plus(Objective.channelMean(gradient.get("map").asText(), 0), 0.5);
            InputGradient g = model.inputGradient(flat(json.get("input").get("data")), objective);
            assertClose(g.gradient(), flat(gradient.get("data")), fixture + " d " + gradient.get("objective").asText() + " / d input");
        }
    }

    /** A known answer: Split the channels [0] and [1, 2], Concat them the other way round: channels 1, 2, 0. */
    @Test
    void splitTakesChannelsApart() throws Exception {
        onnx.Onnx.TensorShapeProto.Builder shape = onnx.Onnx.TensorShapeProto.newBuilder();
        for (long d : new long[] {1, 3, 2, 2}) {
            shape.addDim(onnx.Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        onnx.Onnx.ValueInfoProto input = onnx.Onnx.ValueInfoProto.newBuilder().setName("x").setType(onnx.Onnx.TypeProto.newBuilder()
                .setTensorType(onnx.Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
        onnx.Onnx.GraphProto graph = onnx.Onnx.GraphProto.newBuilder().setName("split").addInput(input)
                .addInitializer(onnx.Onnx.TensorProto.newBuilder().setName("sizes").setDataType(7).addDims(2).addInt64Data(1).addInt64Data(2))
                .addNode(onnx.Onnx.NodeProto.newBuilder().setName("parts").setOpType("Split").addInput("x").addInput("sizes")
                        .addOutput("a").addOutput("b").addAttribute(onnx.Onnx.AttributeProto.newBuilder().setName("axis").setI(1)
                                .setType(onnx.Onnx.AttributeProto.AttributeType.INT)))
                .addNode(onnx.Onnx.NodeProto.newBuilder().setName("joined").setOpType("Concat").addInput("b").addInput("a")
                        .addOutput("y").addAttribute(onnx.Onnx.AttributeProto.newBuilder().setName("axis").setI(1)
                                .setType(onnx.Onnx.AttributeProto.AttributeType.INT)))
                .addOutput(onnx.Onnx.ValueInfoProto.newBuilder().setName("y")).build();
        onnx.Onnx.ModelProto model = onnx.Onnx.ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(onnx.Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).build();
        Path file = Files.createTempFile("split", ".onnx");
        try {
            Files.write(file, model.toByteArray());
            try (GraphModel m = open(file)) {
                float[] x = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23};
                float[][] got = m.forward(x, List.of(Tap.of("y", new MapShape(3, 2, 2)), Tap.of("a", new MapShape(1, 2, 2))));
                assertThat(got[0]).containsExactly(10, 11, 12, 13, 20, 21, 22, 23, 0, 1, 2, 3);
                assertThat(got[1]).containsExactly(0, 1, 2, 3);
                assertThat(m.tap("b").layerName()).isEqualTo("parts:1");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void anOperatorWithoutATranslationIsNamedWithItsTypeAndWhatToDo() throws Exception {
        byte[] bytes = Files.readAllBytes(dir().resolve("resnet_like_opset13.onnx"));
        onnx.Onnx.ModelProto m = onnx.Onnx.ModelProto.parseFrom(bytes);
        onnx.Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        g.setNode(1, g.getNode(1).toBuilder().setOpType("Mish"));
        Path file = Files.createTempFile("mish", ".onnx");
        try {
            Files.write(file, m.toBuilder().setGraph(g).build().toByteArray());
            assertThatThrownBy(() -> open(file)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(file.getFileName() + ": node '/Relu' (ONNX Mish) cannot be read: cnnsee has no translation for it "
                            + "yet (docs/models.md lists the operators it reads)");
            Path junk = Files.writeString(file, "not a model");
            assertThatThrownBy(() -> OnnxModels.builder(junk)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(junk + " is not an ONNX model");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
