package io.cnnsee.dl4j;

import io.cnnsee.FeatureMap;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.TapInspection;
import io.cnnsee.report.ReportWriter;
import io.cnnsee.spi.ModelProviders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standard VGG16 (14.7 M weights) loaded from a file in the exact layout and size of the
 * official notop file, filled with random values. The few heavy tests of the build.
 */
class FullSizeVgg16Test {

    @TempDir
    static Path dir;
    static Path file;
    static Map<String, LayerWeights> weights;

    @BeforeAll
    static void writeFullSizeFile() {
        Vgg16Architecture standard = Vgg16Architecture.standard(false);
        weights = KerasWeightsWriter.randomWeights(standard, 2014);
        file = dir.resolve(Vgg16Weights.NO_TOP.fileName());
        KerasWeightsWriter.write(file, standard, weights);
    }

    @AfterAll
    static void clearProperty() {
        System.clearProperty(Vgg16Weights.WEIGHTS_PROPERTY);
    }

    /** A real photograph when ../shared/images is there (a developer's checkout), else noise. */
    static BufferedImage photo() throws IOException {
        Path chelsea = Path.of("..", "..", "shared", "images", "chelsea.png");
        return Files.isRegularFile(chelsea) ? ImageIO.read(chelsea.toFile()) : TestImages.noise(451, 300, 1);
    }

    @Test
    void theFileHasTheSizeAndLayerCountOfTheOfficialOne() throws IOException {
        assertThat(Vgg16Architecture.standard(false).parameterCount()).isEqualTo(14_714_688L);
        assertThat(Vgg16Architecture.standard(true).parameterCount()).isEqualTo(138_357_544L);
        // The official file is 58,889,256 bytes; ours differs only by HDF5 bookkeeping.
        assertThat(Files.size(file)).isBetween(58_800_000L, 59_000_000L);
    }

    @Test
    void theFiveBlocksHaveTheirVgg16ShapesFromOnePass() throws IOException {
        try (Vgg16Model model = Vgg16.builder().weights(Vgg16Weights.file(file)).build()) {
            assertThat(model.name()).isEqualTo("VGG16");
            assertThat(model.inputShape().toString()).isEqualTo("3 x 224 x 224");
            List<FeatureMap> maps = model.forward(photo(), model.taps());
            assertThat(maps).extracting(m -> m.tap().displayName() + " " + m.tap().layerName() + " " + m.shape())
                    .containsExactly(
                            "block 1 block1_conv2 64 x 224 x 224",
                            "block 2 block2_conv2 128 x 112 x 112",
                            "block 3 block3_conv3 256 x 56 x 56",
                            "block 4 block4_conv3 512 x 28 x 28",
                            "block 5 block5_conv3 512 x 14 x 14");
            for (FeatureMap map : maps) {
                float[] v = map.toArray();
                double max = 0;
                for (float f : v) {
                    assertThat(Float.isFinite(f) && f >= 0).isTrue();
                    max = Math.max(max, f);
                }
                assertThat(max).as("%s is not all zero", map.tap().layerName()).isGreaterThan(0);
            }
        }
    }

    @Test
    void bothConvolutionAlgorithmsMatchTheReferenceOnTheFullWidthNetwork() {
        Vgg16Architecture small = Vgg16Architecture.standard(false).withInputSize(64);
        BufferedImage image = TestImages.noise(64, 64, 9);
        Map<String, double[]> reference = new ReferenceVgg16(small, weights).run(image);
        for (ConvolutionAlgorithm algorithm : ConvolutionAlgorithm.values()) {
            try (Vgg16Model model = Vgg16.builder().architecture(small).weights(Vgg16Weights.file(file))
                    .convolutions(algorithm).build()) {
                assertThat(model.convolutions()).isEqualTo(algorithm);
                double worst = 0;
                for (FeatureMap map : model.forward(image, model.taps())) {
                    worst = Math.max(worst, Vgg16ReferenceTest.relativeError(map, reference.get(map.tap().layerName())));
                }
                List<String> used = model.implementations("block5_pool");
                System.out.printf("%s: largest error %.2e of the layer's largest value; %s%n", algorithm, worst, used);
                if (algorithm == ConvolutionAlgorithm.DIRECT) {
                    assertThat(worst).as("direct: float rounding only").isLessThan(1e-5);
                    assertThat(used).noneMatch(s -> s.contains("wino"));
                } else {
                    assertThat(worst).as("Winograd rounds differently, not worse").isLessThan(1e-5);
                }
                if (algorithm == ConvolutionAlgorithm.WINOGRAD && hasAvx512()) {
                    // oneDNN 2.5's float Winograd kernels need AVX-512; elsewhere layers fall back to direct.
                    // Winograd where it pays: convolutions of at least 10^8 multiply-adds a picture.
                    List<String> large = new java.util.ArrayList<>();
                    for (LayerSpec spec : small.layers()) {
                        var out = small.outputShape(small.indexOf(spec.name()));
                        if (spec.kind() == LayerSpec.Kind.CONV && (long) out.size() * spec.inputs() * 9 >= 100_000_000L) {
                            large.add(spec.name());
                        }
                    }
                    assertThat(large).hasSize(6);
                    assertThat(used).filteredOn(s -> s.matches("block\\d_conv\\d:.*")).hasSize(13)
                            .allMatch(s -> s.contains("wino") == large.contains(s.substring(0, s.indexOf(':'))));
                    // Both of oneDNN's Winograd kernels are among them (F(4x4, 3x3) has the larger error).
                    assertThat(used).anyMatch(s -> s.contains("wino_4x3")).anyMatch(s -> s.contains("wino_2x3"));
                }
            }
        }
    }

    private static boolean hasAvx512() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo")).contains(" avx512f");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Test
    void theFacadeFindsTheProviderAndTheWeightsNamedByTheSystemProperty() throws IOException {
        assertThat(ModelProviders.find()).isInstanceOf(Dl4jModelProvider.class);
        System.setProperty(Vgg16Weights.WEIGHTS_PROPERTY, file.toString());

        Inspection result = FeatureMapInspector.inspect(photo());

        assertThat(result.modelName()).isEqualTo("VGG16");
        assertThat(result.weights().random()).isFalse();
        assertThat(result.weights().license()).contains("CC BY 4.0", "Visual Geometry Group, University of Oxford");
        assertThat(result.taps()).extracting(TapInspection::dimensions, TapInspection::channelCount)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("224x224", 64),
                        org.assertj.core.groups.Tuple.tuple("112x112", 128),
                        org.assertj.core.groups.Tuple.tuple("56x56", 256),
                        org.assertj.core.groups.Tuple.tuple("28x28", 512),
                        org.assertj.core.groups.Tuple.tuple("14x14", 512));
        assertThat(result.taps()).allSatisfy(t -> assertThat(t.ranking().size()).isEqualTo(12));
        TapInspection block1 = result.taps().get(0);
        assertThat(block1.grid().width()).isEqualTo(6 * 224 + 7 * 2);
        assertThat(block1.grid().height()).isEqualTo(2 * 224 + 3 * 2);

        String html = Files.readString(ReportWriter.write(result, dir.resolve("report")).html());
        assertThat(html).contains("Image dimensions: 224x224 px", "Number of output images at this step: 64",
                "Image dimensions: 14x14 px", "Number of output images at this step: 512", "CC BY 4.0");
    }
}
