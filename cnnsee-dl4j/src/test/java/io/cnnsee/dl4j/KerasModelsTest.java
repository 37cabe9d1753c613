package io.cnnsee.dl4j;

import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMap;
import io.cnnsee.ImageInput;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.ReferenceCnn.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.cnnsee.dl4j.Dl4jModelTest.assertClose;
import static io.cnnsee.dl4j.KerasModelWriter.batchNorm;
import static io.cnnsee.dl4j.KerasModelWriter.conv;
import static io.cnnsee.dl4j.KerasModelWriter.dense;
import static io.cnnsee.dl4j.KerasModelWriter.depthwise;
import static io.cnnsee.dl4j.KerasModelWriter.input;
import static io.cnnsee.dl4j.KerasModelWriter.pool;
import static io.cnnsee.dl4j.KerasModelWriter.separable;
import static io.cnnsee.dl4j.ReferenceCnn.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Whole Keras models, written by the test in the layout of {@code model.save('x.h5')}, imported
 * through Deeplearning4j's Keras import and checked, tap by tap and gradient by gradient, against
 * {@link ReferenceCnn} computing the same Keras layers from the weights the test drew.
 */
class KerasModelsTest {

    @TempDir
    Path dir;

    /** Keras' (kh, kw, in, out) kernel as the reference's [out][in][kh][kw]. */
    static double[] kernel(float[] keras, int kh, int kw, int in, int out) {
        double[] r = new double[keras.length];
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        r[((o * in + i) * kh + ky) * kw + kx] = keras[((ky * kw + kx) * in + i) * out + o];
                    }
                }
            }
        }
        return r;
    }

    private record Functional(Path file, ReferenceCnn reference) {
    }

    /**
     * Channels last, 16 x 16 RGB: zero padding, valid convolution, batch norm, activation, max
     * pool, dilated convolution, add, depthwise convolution, concatenation, average pool,
     * separable convolution, global average pool, dropout, dense softmax.
     */
    private Functional functional() {
        KerasModelWriter k = new KerasModelWriter("tiny_functional", false, 21);
        k.layer("InputLayer", "input_1", input(16, 16, 3));
        k.layer("ZeroPadding2D", "pad", Map.of("padding", List.of(List.of(1, 1), List.of(1, 1)), "data_format", "channels_last"), "input_1");
        k.layer("Conv2D", "conv1", conv(4, 3, 1, "valid", 1, "linear"), "pad");
        float[] w1 = k.weight("conv1", "kernel", 0.3, 0, 3, 3, 3, 4);
        float[] b1 = k.weight("conv1", "bias", 0.1, 0, 4);
        k.layer("BatchNormalization", "bn1", batchNorm(), "conv1");
        float[] gamma = k.weight("bn1", "gamma", 0.2, 1, 4);
        float[] beta = k.weight("bn1", "beta", 0.2, 0, 4);
        float[] mean = k.weight("bn1", "moving_mean", 0.1, 0, 4);
        float[] var = k.weight("bn1", "moving_variance", 0.2, 0.8, 4);
        k.layer("Activation", "act1", Map.of("activation", "relu"), "bn1");
        k.layer("MaxPooling2D", "pool1", pool(2), "act1");
        k.layer("Conv2D", "conv2", conv(4, 3, 1, "same", 2, "relu"), "pool1");
        float[] w2 = k.weight("conv2", "kernel", 0.3, 0, 3, 3, 4, 4);
        float[] b2 = k.weight("conv2", "bias", 0.1, 0, 4);
        k.layer("Add", "add", Map.of(), "pool1", "conv2");
        k.layer("DepthwiseConv2D", "dw", depthwise(3, "relu"), "add");
        float[] dw = k.weight("dw", "depthwise_kernel", 0.3, 0, 3, 3, 4, 1);
        float[] bdw = k.weight("dw", "bias", 0.1, 0, 4);
        k.layer("Concatenate", "cat", Map.of("axis", -1), "add", "dw");
        k.layer("AveragePooling2D", "avg", pool(2), "cat");
        k.layer("SeparableConv2D", "sep", separable(6, 3, "relu"), "avg");
        float[] sdw = k.weight("sep", "depthwise_kernel", 0.3, 0, 3, 3, 8, 1);
        float[] spw = k.weight("sep", "pointwise_kernel", 0.3, 0, 1, 1, 8, 6);
        float[] bs = k.weight("sep", "bias", 0.1, 0, 6);
        k.layer("GlobalAveragePooling2D", "gap", Map.of("data_format", "channels_last"), "sep");
        k.layer("Dropout", "drop", Map.of("rate", 0.5, "noise_shape", List.of(), "seed", 1), "gap");
        k.layer("Dense", "predictions", dense(3, "softmax"), "drop");
        float[] wd = k.weight("predictions", "kernel", 0.5, 0, 6, 3);
        float[] bd = k.weight("predictions", "bias", 0.1, 0, 3);
        Path file = dir.resolve("functional.h5");
        k.write(file);

        // Depthwise kernels (kh, kw, in, 1) as a grouped convolution's [out = in][1][kh][kw].
        double[] dwAsGroups = new double[dw.length];
        double[] sepGrouped = new double[sdw.length];
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                for (int c = 0; c < 4; c++) {
                    dwAsGroups[(c * 3 + ky) * 3 + kx] = dw[(ky * 3 + kx) * 4 + c];
                }
                for (int c = 0; c < 8; c++) {
                    sepGrouped[(c * 3 + ky) * 3 + kx] = sdw[(ky * 3 + kx) * 8 + c];
                }
            }
        }
        ReferenceCnn reference = new ReferenceCnn()
                // Zero padding as a 1 x 1 identity convolution per channel, padded by 1.
                .step("pad", e -> ReferenceCnn.conv(e.get("input"), new double[] {1, 1, 1}, null, 3, 1, 1, 1, 1, 1,
                        1, 18, 18, 3))
                .step("conv1", e -> ReferenceCnn.conv(e.get("pad"), kernel(w1, 3, 3, 3, 4), doubles(b1), 4, 3, 3, 1, 0, 0, 1, 16, 16, 1))
                .step("bn1", e -> ReferenceCnn.batchNorm(e.get("conv1"), doubles(gamma), doubles(beta), doubles(mean), doubles(var), 0.001))
                .step("act1", e -> ReferenceCnn.relu(e.get("bn1")))
                .step("pool1", e -> ReferenceCnn.pool(e.get("act1"), 2, 2, true))
                .step("conv2", e -> ReferenceCnn.relu(ReferenceCnn.convSame(e.get("pool1"), kernel(w2, 3, 3, 4, 4), doubles(b2), 4, 3, 2)))
                .step("add", e -> ReferenceCnn.add(e.get("pool1"), e.get("conv2")))
                .step("dw", e -> ReferenceCnn.relu(ReferenceCnn.conv(e.get("add"), dwAsGroups, doubles(bdw), 4, 3, 3, 1, 1, 1, 1, 8, 8, 4)))
                .step("cat", e -> ReferenceCnn.concat(e.get("add"), e.get("dw")))
                .step("avg", e -> ReferenceCnn.pool(e.get("cat"), 2, 2, false))
                .step("sep", e -> ReferenceCnn.relu(ReferenceCnn.conv(
                        ReferenceCnn.conv(e.get("avg"), sepGrouped, null, 8, 3, 3, 1, 1, 1, 1, 4, 4, 8),
                        kernel(spw, 1, 1, 8, 6), doubles(bs), 6, 1, 1, 1, 0, 0, 1, 4, 4, 1)))
                .step("gap", e -> ReferenceCnn.globalAverage(e.get("sep")))
                .step("logits", e -> ReferenceCnn.dense(e.get("gap"), doubles(wd), doubles(bd), 3))
                .step("predictions", e -> ReferenceCnn.softmax(e.get("logits")));
        return new Functional(file, reference);
    }

    @Test
    void aFunctionalKerasModelIsTappedByItsLayerNamesAndAgreesWithThePlainComputation() {
        Functional f = functional();
        Dl4jModel model = Dl4jModels.builder(f.file()).input(ImageInput.tensorflow(16)).build();
        assertThat(model.name()).isEqualTo("functional.h5");
        assertThat(model.weights().source()).isEqualTo("weights from the Keras model functional.h5");
        assertThat(model.weights().random()).isFalse();
        assertThat(model.spatialTaps()).extracting(Tap::layerName)
                .containsSubsequence("pad", "conv1", "bn1", "act1", "pool1", "conv2", "add", "dw", "cat", "avg", "sep");
        assertThat(model.taps()).extracting(Tap::layerName).containsExactly("act1", "cat", "sep");
        assertThat(model.tap("cat").shape().toString()).isEqualTo("8 x 8 x 8");
        assertThat(model.classifier()).get().extracting(Tap::layerName).isEqualTo("predictions");

        BufferedImage picture = TestImages.noise(32, 24, 8);
        Volume input = new Volume(3, 16, 16, doubles(ImageInput.tensorflow(16).toChannelsFirst(picture)));
        Map<String, Volume> expected = f.reference().run(input);
        List<String> names = List.of("pad", "conv1", "bn1", "act1", "pool1", "conv2", "add", "dw", "cat", "avg", "sep");
        List<FeatureMap> maps = model.forward(picture, names.stream().map(model::tap).toList());
        for (int i = 0; i < names.size(); i++) {
            assertClose(maps.get(i), expected.get(names.get(i)), names.get(i));
        }
        assertClose(model.forward(picture, List.of(model.classifier().orElseThrow())).get(0), expected.get("predictions"),
                "probabilities");

        List<Tap> taps = List.of(model.tap("sep"), model.tap("cat"), model.tap("add"), model.tap("conv1"));
        ClassGradient g = model.classGradient(picture, 1, taps);
        assertThat((double) g.score()).isCloseTo(expected.get("logits").v()[1], within(1e-4));
        for (int i = 0; i < taps.size(); i++) {
            String name = taps.get(i).layerName();
            assertClose(g.gradients().get(i).toArray(), f.reference().gradient(input, name, "logits", 1, 1e-5), "d logit / d " + name);
        }
    }

    @Test
    void aSequentialKerasModelOfOneChannelFlattensChannelsLastAndEndsInAnActivationSoftmax() {
        KerasModelWriter k = new KerasModelWriter("tiny_sequential", true, 5);
        var convConfig = conv(3, 3, 1, "valid", 1, "linear");
        convConfig.put("batch_input_shape", java.util.Arrays.asList(null, 12, 12, 1));
        k.layer("Conv2D", "conv", convConfig);
        float[] w = k.weight("conv", "kernel", 0.4, 0, 3, 3, 1, 3);
        float[] b = k.weight("conv", "bias", 0.1, 0.05, 3);
        k.layer("Activation", "relu", Map.of("activation", "relu"));
        k.layer("AveragePooling2D", "pool", pool(2));
        k.layer("Flatten", "flat", Map.of("data_format", "channels_last"));
        k.layer("Dense", "fc", dense(5, "linear"));
        float[] wf = k.weight("fc", "kernel", 0.3, 0, 75, 5);
        float[] bf = k.weight("fc", "bias", 0.1, 0, 5);
        k.layer("Activation", "soft", Map.of("activation", "softmax"));
        Path file = dir.resolve("sequential.h5");
        k.write(file);

        Dl4jModel model = Dl4jModels.builder(file).input(ImageInput.unit(12)).build();
        assertThat(model.input().channels()).isEqualTo(1);
        // The 5 px run is a pool alone, with no convolution: not a default tap.
        assertThat(model.taps()).extracting(Tap::layerName).containsExactly("relu");
        assertThat(model.classifier()).get().extracting(t -> t.shape().channels()).isEqualTo(5);
        ReferenceCnn reference = new ReferenceCnn()
                .step("conv", e -> ReferenceCnn.conv(e.get("input"), kernel(w, 3, 3, 1, 3), doubles(b), 3, 3, 3, 1, 0, 0, 1, 10, 10, 1))
                .step("relu", e -> ReferenceCnn.relu(e.get("conv")))
                .step("pool", e -> ReferenceCnn.pool(e.get("relu"), 2, 2, false))
                .step("logits", e -> ReferenceCnn.dense(ReferenceCnn.channelsLastFlat(e.get("pool")), doubles(wf), doubles(bf), 5))
                .step("soft", e -> ReferenceCnn.softmax(e.get("logits")));
        BufferedImage picture = TestImages.noise(12, 12, 9);
        Volume input = new Volume(1, 12, 12, doubles(model.input().toChannelsFirst(picture)));
        Map<String, Volume> expected = reference.run(input);
        List<FeatureMap> maps = model.forward(picture, List.of(model.tap("conv"), model.tap("pool"), model.classifier().orElseThrow()));
        assertClose(maps.get(0), expected.get("conv"), "conv");
        assertClose(maps.get(1), expected.get("pool"), "pool");
        assertClose(maps.get(2), expected.get("soft"), "probabilities");
        ClassGradient g = model.classGradient(picture, 4, List.of(model.tap("pool"), model.tap("conv")));
        assertThat((double) g.score()).isCloseTo(expected.get("logits").v()[4], within(1e-4));
        assertClose(g.gradients().get(0).toArray(), reference.gradient(input, "pool", "logits", 4, 1e-5), "d logit / d pool");
        assertClose(g.gradients().get(1).toArray(), reference.gradient(input, "conv", "logits", 4, 1e-5), "d logit / d conv");
    }

    @Test
    void filesThatAreNotModelsSayWhatTheyAre(@TempDir Path tmp) throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.h5"));
        assertThatThrownBy(() -> Dl4jModels.builder(empty)).hasMessageContaining("is empty (0 bytes)");
        Path text = Files.writeString(tmp.resolve("notes.zip"), "not a model");
        assertThatThrownBy(() -> Dl4jModels.builder(text))
                .hasMessageContaining("neither a zip (ModelSerializer) nor an HDF5 file");
        assertThatThrownBy(() -> Dl4jModels.builder(tmp.resolve("missing.zip")))
                .hasMessageContaining("No model file at");
        Path zip = tmp.resolve("other.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            out.write("hello".getBytes());
        }
        assertThatThrownBy(() -> Dl4jModels.builder(zip)).hasMessageContaining("has no configuration.json");
        Path weightsOnly = tmp.resolve("weights.h5");
        KerasWeightsWriter.write(weightsOnly, Vgg16Architecture.standard(false),
                KerasWeightsWriter.randomWeights(Vgg16Architecture.standard(false), 1));
        assertThatThrownBy(() -> Dl4jModels.builder(weightsOnly)).hasMessageContaining("holds weights only");
    }

    @Test
    void aLayerTheImporterCannotReadIsNamed() {
        KerasModelWriter k = new KerasModelWriter("odd", false, 1);
        k.layer("InputLayer", "input_1", input(8, 8, 3));
        k.layer("Conv2D", "conv", conv(2, 3, 1, "same", 1, "relu"), "input_1");
        k.weight("conv", "kernel", 0.3, 0, 3, 3, 3, 2);
        k.weight("conv", "bias", 0.1, 0, 2);
        k.layer("FancyAttention", "attend", Map.of(), "conv");
        Path file = dir.resolve("odd.h5");
        k.write(file);
        assertThatThrownBy(() -> Dl4jModels.builder(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Keras import cannot read " + file)
                .hasMessageContaining("FancyAttention");
    }
}
