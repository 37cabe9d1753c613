package io.cnnsee;

import io.cnnsee.render.Colormap;
import io.cnnsee.render.Overlay;
import io.cnnsee.render.Resize;
import io.cnnsee.report.Report;
import io.cnnsee.report.ReportWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Grad-CAM, Grad-CAM ranking, overlays, first-layer filters and the sanity check, through the facade and the report. */
class ExplanationsTest {

    /** Mean gradient (= alpha) of each channel of conv_a and conv_b: the gradient is constant per channel. */
    static final float[] ALPHA_A = {-1, 0, 2, 1};
    static final float[] ALPHA_B = {0.5f, -1, 3};
    static final FirstLayerKernels KERNELS = new FirstLayerKernels("conv_a", 2, 1, new float[] {1, 0, 0, 0, 0.5f, 1});

    /** The classifier of PredictionTest that also differentiates, and shows its first-layer kernels. */
    static final class Differentiable implements InspectableModel, ClassGradients, FirstLayerFilters {
        final PredictionTest.Classifier classifier = new PredictionTest.Classifier();
        final List<String> calls = new ArrayList<>();
        final boolean random;

        Differentiable(boolean random) {
            this.random = random;
        }

        @Override
        public String name() {
            return "FakeClassifier";
        }

        @Override
        public WeightsInfo weights() {
            return random ? WeightsInfo.random(3) : classifier.weights();
        }

        @Override
        public MapShape inputShape() {
            return classifier.inputShape();
        }

        @Override
        public List<Tap> taps() {
            return classifier.taps();
        }

        @Override
        public Tap tap(String layerName) {
            return classifier.tap(layerName);
        }

        @Override
        public Tap classifier() {
            return classifier.classifier();
        }

        @Override
        public String classLabel(int index) {
            return classifier.classLabel(index);
        }

        @Override
        public FirstLayerKernels firstLayerKernels() {
            return KERNELS;
        }

        @Override
        public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
            calls.add("forward " + taps.stream().map(Tap::layerName).toList());
            return classifier.forward(image, taps);
        }

        @Override
        public ClassGradient classGradient(BufferedImage image, int classIndex, List<Tap> taps) {
            calls.add("gradient " + classIndex + " " + taps.stream().map(Tap::layerName).toList());
            List<FeatureMap> activations = classifier.net.forward(image, taps);
            List<FeatureMap> gradients = new ArrayList<>();
            for (Tap t : taps) {
                float[] alpha = t.equals(FakeModel.A) ? ALPHA_A : ALPHA_B;
                gradients.add(FeatureMap.fill(t, v -> {
                    int size = t.shape().channelSize();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = alpha[i / size];
                    }
                }));
            }
            int chosen = classIndex == ClassGradient.MOST_PROBABLE_CLASS ? 1 : classIndex;
            return new ClassGradient(chosen, 7f, FeatureMap.copyOf(PredictionTest.PROBS, PredictionTest.PROBABILITIES),
                    activations, gradients);
        }
    }

    static BufferedImage picture() {
        BufferedImage p = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                p.setRGB(x, y, (x * 15) << 16 | (y * 30) << 8 | 77);
            }
        }
        return p;
    }

    static void assertSamePixels(BufferedImage actual, BufferedImage expected) {
        assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
        assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertThat(actual.getRGB(x, y) & 0xFFFFFF).as("pixel (%d, %d)", x, y).isEqualTo(expected.getRGB(x, y) & 0xFFFFFF);
            }
        }
    }

    @Test
    void gradCamExplainsTheMostProbableClassAtTheLastTapUnlessToldOtherwise(@TempDir Path dir) throws Exception {
        Differentiable model = new Differentiable(false);
        BufferedImage picture = picture();
        Inspection result = FeatureMapInspector.builder().model(model).gradCam(true).build().run(picture, "p.png");
        assertThat(model.calls).containsExactly("forward [conv_a, conv_b, probs]", "gradient -1 [conv_b]");
        GradCam cam = result.gradCam().orElseThrow();
        assertThat(cam.tap()).isEqualTo(FakeModel.B);
        assertThat(cam.classIndex()).isEqualTo(1);
        assertThat(cam.label()).isEqualTo("class 1");
        assertThat(cam.probability()).isEqualTo(0.30f);
        assertThat(cam.weights()).containsExactly(0.5, -1, 3);
        // conv_b channel k is (2 - k)(y + 1): ReLU(0.5 * 2(y+1) - 1 * (y+1) + 3 * 0) = 0 everywhere; see the next class.
        assertThat(cam.heatmap().toArray()).containsOnly(0f);
        assertSamePixels(result.gradCamOverlay().orElseThrow(), cam.overlay(picture, Colormap.TURBO, 0.5));

        Inspection tabby = FeatureMapInspector.builder().model(model).gradCamLayer("conv_a").explainedClass(5).build()
                .run(picture, "p.png");
        GradCam a = tabby.gradCam().orElseThrow();
        assertThat(a.classIndex()).isEqualTo(5);
        assertThat(a.label()).isEqualTo("tabby <cat> | striped");
        // conv_a channel k is k(x+1) + red/255: ReLU(-1*c0 + 0*c1 + 2*c2 + 1*c3) = ReLU(5(x+1) + 2 red/255)
        FeatureMap convA = model.classifier.net.forward(picture, List.of(FakeModel.A)).get(0);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                double expected = -convA.get(0, y, x) + 2 * convA.get(2, y, x) + convA.get(3, y, x);
                assertThat((double) a.heatmap().get(y, x)).as("(%d, %d)", y, x)
                        .isCloseTo(Math.max(0, expected), org.assertj.core.api.Assertions.within(1e-5));
            }
        }
        assertThat(a.heatmap().get(0, 7)).isGreaterThan(a.heatmap().get(0, 0));

        Report report = ReportWriter.write(tabby, dir);
        String html = Files.readString(report.html());
        assertThat(html).contains("<h2>Where it sees it</h2>", "src=\"grad-cam.png\"",
                "Grad-CAM at conv_a for class 5, tabby &lt;cat&gt; | striped (25.0 %)");
        assertSamePixels(ImageIO.read(dir.resolve("grad-cam.png").toFile()), tabby.gradCamOverlay().orElseThrow());
        assertThat(Files.readString(report.markdown())).contains("![Grad-CAM](grad-cam.png)",
                "Grad-CAM at conv\\_a for class 5, tabby \\<cat\\> \\| striped \\(25.0 %\\)");
    }

    @Test
    void gradCamRankingOrdersEachTapByItsWeightsFromOnePass() {
        Differentiable model = new Differentiable(false);
        Inspection result = FeatureMapInspector.builder().model(model).ranker(ChannelRanker.GRAD_CAM).build().run(picture());
        assertThat(model.calls).containsExactly("gradient -1 [conv_a, conv_b]");
        assertThat(result.rankerName()).isEqualTo("grad-cam");
        assertThat(result.tap("conv_a").ranking().indices()).containsExactly(2, 3, 1, 0);
        assertThat(result.tap("conv_b").ranking().indices()).containsExactly(2, 0, 1);
        assertThat(result.tap("conv_b").ranking().channels()).extracting(RankedChannel::score).containsExactly(3.0, 0.5, -1.0);
        assertThat(result.predictions()).extracting(Prediction::classIndex).startsWith(1, 5);
        assertThat(result.gradCam()).isEmpty();
    }

    @Test
    void withoutAClassifierThereIsNothingToExplain() {
        FakeModel plain = new FakeModel();
        String instead = ": use a model with its classifier: VGG16 or a zoo network with includeTop(true)"
                + " (--include-top on the command line), or a Keras or ONNX file that ends in class scores";
        assertThatThrownBy(() -> FeatureMapInspector.builder().model(plain).gradCam(true).build())
                .isInstanceOf(UnsupportedCapabilityException.class)
                .hasMessage("Grad-CAM needs a model that classifies, and FakeNet does not classify (it has no layer of"
                        + " class probabilities)" + instead)
                .extracting(e -> ((UnsupportedCapabilityException) e).capability()).isEqualTo(Classifying.class);
        assertThatThrownBy(() -> FeatureMapInspector.builder().model(plain).ranker(ChannelRanker.GRAD_CAM).build())
                .isInstanceOf(UnsupportedCapabilityException.class).hasMessageStartingWith("grad-cam ranking needs a model"
                        + " that classifies, and FakeNet does not classify");
        assertThatThrownBy(() -> FeatureMapInspector.builder().model(plain).saliency(SaliencyMethod.VANILLA).build())
                .isInstanceOf(UnsupportedCapabilityException.class).hasMessageStartingWith("Saliency needs a model"
                        + " that classifies, and FakeNet does not classify");
        assertThatThrownBy(() -> FeatureMapInspector.builder().model(plain).firstLayerFilters(true).build())
                .isInstanceOf(UnsupportedCapabilityException.class)
                .hasMessage("Showing the first-layer filters needs a model that shows its first-layer kernels, and FakeNet does"
                        + " not start with a convolution of the picture's 3 colour channels: leave out the first-layer"
                        + " filters (firstLayerFilters(false), no --filters)");
        assertThatThrownBy(() -> FeatureMapInspector.builder().model(new PredictionTest.Classifier()).gradCam(true).build())
                .isInstanceOf(UnsupportedCapabilityException.class)
                .hasMessage("Grad-CAM needs a model that differentiates its class scores, and FakeClassifier cannot"
                        + " differentiate its class scores: use a model of cnnsee-dl4j, whose engine differentiates every"
                        + " network it runs");
        assertThatThrownBy(() -> FeatureMapInspector.builder().explainedClass(-2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A class index is 0 or more (or -1 for the most probable), was -2");
        assertThatThrownBy(() -> FeatureMapInspector.builder().overlays(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(plain.capability(ClassGradients.class)).isEmpty();
        assertThat(new Differentiable(false).capability(ClassGradients.class)).isPresent();
    }

    @Test
    void overlaysShowTheBestChannelsOverThePictureAndInTheReport(@TempDir Path dir) throws Exception {
        BufferedImage picture = picture();
        Inspection result = FeatureMapInspector.builder().model(new FakeModel()).overlays(2).predictions(0).build()
                .run(picture, "p.png");
        BufferedImage shown = Resize.fit(picture, FeatureMapInspector.OVERLAY_SIDE);
        for (TapInspection t : result.taps()) {
            assertThat(t.overlays()).hasSize(2);
            for (int r = 0; r < 2; r++) {
                Channel channel = t.featureMap().channel(t.ranking().channels().get(r).channel());
                assertSamePixels(t.overlays().get(r), Overlay.blend(shown, channel, Colormap.VIRIDIS, 0.5));
            }
        }
        Report report = ReportWriter.write(result, dir);
        String html = Files.readString(report.html());
        assertThat(html).contains("src=\"conv_a_overlay_1.png\"", "src=\"conv_b_overlay_2.png\"",
                "Where the best 2 channels fire in the picture: #3, #2", "Where the best 2 channels fire in the picture: #0, #1");
        assertSamePixels(ImageIO.read(dir.resolve("conv_b_overlay_1.png").toFile()), result.tap("conv_b").overlays().get(0));
        assertThat(FeatureMapInspector.builder().model(new FakeModel()).build().run(picture).tap("conv_a").overlays()).isEmpty();
    }

    @Test
    void firstLayerFiltersAreDrawnInTheReport(@TempDir Path dir) throws Exception {
        Inspection result = FeatureMapInspector.builder().model(new Differentiable(false)).firstLayerFilters(true).build()
                .run(picture(), "p.png");
        assertThat(result.firstLayerKernels()).contains(KERNELS);
        Report report = ReportWriter.write(result, dir);
        assertThat(Files.readString(report.html())).contains("<h2>What the first layer looks for</h2>",
                "src=\"first-layer-filters.png\"", "The 2 kernels of conv_a (1x1 weights on the red, green and blue pixels)");
        BufferedImage drawn = ImageIO.read(dir.resolve("first-layer-filters.png").toFile());
        assertSamePixels(drawn, KERNELS.render(8, 16));
        // Kernel 0 is pure red (1, 0, 0 scaled to its range); kernel 1 (0, 0.5, 1) is (0, 128, 255).
        assertThat(drawn.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(drawn.getRGB(9, 0) & 0xFFFFFF).isEqualTo(0x0080FF);
    }

    @Test
    void theSanityCheckPutsTheRandomNetworkBesideTheTrainedOne(@TempDir Path dir) throws Exception {
        BufferedImage picture = picture();
        FeatureMapInspector.Builder options = FeatureMapInspector.builder().gradCam(true).firstLayerFilters(true).overlays(1);
        Inspection trained = options.model(new Differentiable(false)).build().run(picture, "p.png");
        Inspection random = options.model(new Differentiable(true)).build().run(picture, "p.png");
        Report report = ReportWriter.writeSanityCheck(trained, random, dir);
        String html = Files.readString(report.html());
        assertThat(html).contains("<title>Sanity check: what FakeClassifier sees in p.png</title>",
                "Sanity check (Adebayo et al. 2018)", "<th>Trained</th><th>Random weights</th>",
                "Weights (random weights)", "(random weights: these mean nothing)",
                "src=\"conv_a.png\"", "src=\"random-conv_a.png\"", "src=\"grad-cam.png\"", "src=\"random-grad-cam.png\"",
                "src=\"random-first-layer-filters.png\"", "src=\"random-conv_b_overlay_1.png\"");
        assertThat(report.images()).extracting(p -> p.getFileName().toString())
                .contains("original.png", "conv_b.png", "random-conv_b.png").doesNotHaveDuplicates();
        for (Path image : report.images()) {
            assertThat(image).exists();
        }
        assertSamePixels(ImageIO.read(dir.resolve("random-conv_a.png").toFile()), random.tap("conv_a").grid().image());
        String md = Files.readString(report.markdown());
        assertThat(md).contains("| Trained | Random weights |", "![top channels of conv\\_a](random-conv_a.png)",
                "<br>25.0 %, tabby \\<cat\\> \\| striped, 5<br>"); // a table cell cannot hold the table of classes

        // With class activation maps on both sides, how alike each method's two maps order the picture.
        FeatureMap flat = FeatureMap.copyOf(Tap.of("t", new MapShape(1, 2, 2)), new float[4]);
        CamInput in = new CamInput(flat, flat, 5, "tabby", 0.25f);
        BufferedImage blank = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        Inspection trainedMaps = trained.withClassActivationMaps(List.of(ClassActivationMap.of("Mine", in, null,
                new float[] {1, 2, 3, 4}), ClassActivationMap.of("Same", in, null, new float[] {1, 2, 3, 4})), List.of(blank, blank));
        Inspection randomMaps = random.withClassActivationMaps(List.of(ClassActivationMap.of("Mine", in, null,
                new float[] {4, 3, 2, 1}), ClassActivationMap.of("Same", in, null, new float[] {2, 4, 6, 8})), List.of(blank, blank));
        Path withMaps = dir.resolve("with-maps");
        String mapsMd = Files.readString(ReportWriter.writeSanityCheck(trainedMaps, randomMaps, withMaps).markdown());
        assertThat(mapsMd).contains("## How much each map depends on training", "| Mine | -1.00 |", "| Same | 1.00 |");
        assertThat(md).doesNotContain("How much each map depends on training");

        assertThatThrownBy(() -> ReportWriter.writeSanityCheck(trained, trained, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A sanity check compares with random weights, but the second inspection's weights are made up for tests");
        Inspection fewer = FeatureMapInspector.builder().model(new Differentiable(true)).taps("conv_a").build().run(picture);
        assertThatThrownBy(() -> ReportWriter.writeSanityCheck(trained, fewer, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A sanity check compares the same layers, but the inspections show [conv_a, conv_b] and [conv_a]");
    }

    @Test
    void picturesAreFittedForTheReport() {
        BufferedImage wide = new BufferedImage(1000, 500, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 500; y++) {
            for (int x = 0; x < 1000; x++) {
                wide.setRGB(x, y, (x + y) % 2 == 0 ? 0xFFFFFF : 0x000000);
            }
        }
        BufferedImage small = Resize.fit(wide, 100);
        assertThat(small.getWidth()).isEqualTo(100);
        assertThat(small.getHeight()).isEqualTo(50);
        // A fine checkerboard averages to mid-grey when every pixel counts.
        int grey = small.getRGB(50, 25) & 0xFF;
        assertThat(grey).isBetween(110, 145);
        BufferedImage same = Resize.fit(picture(), 100);
        assertSamePixels(same, picture());
    }
}
