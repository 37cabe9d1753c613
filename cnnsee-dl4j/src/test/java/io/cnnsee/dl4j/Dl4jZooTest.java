package io.cnnsee.dl4j;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.Tap;
import io.cnnsee.TapInspection;
import io.cnnsee.report.ReportWriter;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every zoo network cnnsee offers, built with random weights, inspected and explained with Grad-CAM. */
class Dl4jZooTest {

    static List<String> names() {
        return Dl4jZoo.NAMES;
    }

    /** The default taps each network is shown at: the last output before each down-sampling. */
    static List<String> expectedTaps(String name) {
        return switch (name) {
            case "vgg19" -> List.of("block1_conv2", "block2_conv2", "block3_conv4", "block4_conv4", "block5_conv4");
            default -> null; // checked below by rule, not by name
        };
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyZooNetworkIsInspectedAndExplainedWithRandomWeights(String name, @TempDir Path out) throws Exception {
        Dl4jModel model = Dl4jZoo.model(name, ZooWeights.random(3));
        assertThat(model.weights().random()).isTrue();
        assertThat(model.weights().source()).contains("random weights (seed 3)");
        assertThat(model.capability(io.cnnsee.Classifying.class).map(io.cnnsee.Classifying::classifier)).get().extracting(t -> t.shape().channels()).isEqualTo(1000);
        assertThat(model.classLabel(281)).isEqualTo("tabby, tabby cat");
        List<Tap> taps = model.taps();
        assertThat(taps).hasSizeBetween(3, 6);
        if (expectedTaps(name) != null) {
            assertThat(taps).extracting(Tap::layerName).containsExactlyElementsOf(expectedTaps(name));
        }
        // Each default tap is smaller than the one before: one per resolution.
        for (int i = 1; i < taps.size(); i++) {
            assertThat(taps.get(i).shape().height()).isLessThan(taps.get(i - 1).shape().height());
        }

        BufferedImage picture = TestImages.noise(300, 240, 1);
        Inspection inspection = FeatureMapInspector.builder().model(model).ranker(ChannelRanker.GRAD_CAM).gradCam(true)
                .channels(4).firstLayerFilters(!name.equals("darknet19") || model.capability(io.cnnsee.FirstLayerFilters.class).isPresent())
                .build().run(picture, name + ".png");
        assertThat(inspection.modelName()).isEqualTo(model.name());
        assertThat(inspection.taps()).extracting(TapInspection::tap).containsExactlyElementsOf(taps);
        for (TapInspection t : inspection.taps()) {
            float[] values = t.featureMap().toArray();
            for (float v : values) {
                assertThat(Float.isFinite(v)).as("%s %s finite", name, t.tap().layerName()).isTrue();
            }
        }
        assertThat(inspection.predictions()).hasSize(5);
        assertThat(inspection.gradCam()).get().satisfies(cam -> {
            assertThat(cam.tap()).isEqualTo(taps.get(taps.size() - 1));
            assertThat(cam.classIndex()).isEqualTo(inspection.predictions().get(0).classIndex());
        });
        Path report = ReportWriter.write(inspection, out).html();
        String html = Files.readString(report);
        assertThat(html).contains(model.name()).contains("random");
        for (Tap t : taps) {
            assertThat(html).contains(t.layerName());
        }
    }

    @Test
    void unknownNamesListTheChoices() {
        assertThatThrownBy(() -> Dl4jZoo.model("alexnet", ZooWeights.random(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown zoo model 'alexnet': choose one of [vgg19, resnet50, squeezenet, darknet19] (or vgg16, cnnsee's own)");
    }

    @Test
    void theZoosFilesAreNamedWithTheirAddressesAndAdler32Checksums() {
        OfficialWeightsFile resnet = Dl4jZoo.weightsFile("resnet50");
        assertThat(resnet.model()).isEqualTo("ResNet50");
        assertThat(resnet.fileName()).isEqualTo("resnet50_dl4j_inference.v3.zip");
        assertThat(resnet.algorithm()).isEqualTo("Adler32");
        assertThat(resnet.checksum()).isEqualTo("3914447815");
        assertThat(resnet.urls()).containsExactly(URI.create("https://dl4jdata.blob.core.windows.net/models/resnet50_dl4j_inference.v3.zip"));
    }

    /** A zoo zip of one's own (here: SqueezeNet saved by ModelSerializer) gives the same network back. */
    @Test
    void aSavedZooNetworkLoadsFromItsFileWithItsWeights(@TempDir Path dir) throws Exception {
        Dl4jModel random = Dl4jZoo.model("squeezenet", ZooWeights.random(9));
        Path zip = dir.resolve("squeezenet.zip");
        ModelSerializer.writeModel(random.graph(), zip.toFile(), false);
        Dl4jModel loaded = Dl4jZoo.model("squeezenet", ZooWeights.file(zip));
        assertThat(loaded.weights().random()).isFalse();
        BufferedImage picture = TestImages.noise(64, 64, 2);
        Tap last = loaded.taps().get(loaded.taps().size() - 1);
        assertThat(loaded.forward(picture, List.of(last)).get(0).toArray())
                .containsExactly(random.forward(picture, List.of(random.tap(last.layerName()))).get(0).toArray());
        assertThatThrownBy(() -> Dl4jZoo.model("squeezenet", ZooWeights.file(dir.resolve("gone.zip"))))
                .isInstanceOf(WeightsUnavailableException.class)
                .hasMessageContaining("No weights file at " + dir.resolve("gone.zip").toAbsolutePath());
    }

    /** Offline, the message names the zoo's file, where to download it, where to put it and its checksum. */
    @Test
    void aZooFileThatCannotBeFetchedSaysWhatToDo(@TempDir Path cacheDir) throws Exception {
        byte[] content = "not really a network".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Adler32 adler = new Adler32();
        adler.update(content);
        OfficialWeightsFile file = OfficialWeightsFile.zoo("ResNet50", "resnet50_dl4j_inference.v3.zip", adler.getValue(),
                List.of(URI.create("http://127.0.0.1:9/models/resnet50_dl4j_inference.v3.zip")));
        WeightsCache cache = new WeightsCache(cacheDir, (f, b, t, r, d) -> { });
        assertThatThrownBy(() -> cache.resolve(file))
                .isInstanceOf(WeightsUnavailableException.class)
                .hasMessageStartingWith("The ResNet50 weights file resnet50_dl4j_inference.v3.zip is not in the cache")
                .hasMessageContaining("put it at " + cacheDir.resolve(file.fileName()))
                .hasMessageContaining("--weights PATH")
                .hasMessageContaining("(Adler32 " + adler.getValue() + ")")
                .hasMessageContaining("random weights (--weights random");
        // The same file, put there by hand, is checked with Adler-32 and used.
        Files.write(cacheDir.resolve(file.fileName()), content);
        assertThat(cache.resolve(file)).isEqualTo(cacheDir.resolve(file.fileName()));
        Files.write(cacheDir.resolve(file.fileName()), "altered".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> cache.resolve(file)).hasMessageContaining("is damaged (Adler32 ");
    }
}
