package io.cnnsee.dl4j;

import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMap;
import io.cnnsee.GradCam;
import io.cnnsee.Tap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The class gradient behind Grad-CAM against finite differences of an independent double-precision
 * computation of the rest of the network, and Grad-CAM on a network whose answer is known.
 */
class GradCamTest {

    static final Vgg16Architecture SMALL = Vgg16ReferenceTest.SMALL;

    @TempDir
    static Path dir;
    static Map<String, LayerWeights> weights;
    static Vgg16Model model;
    static ReferenceVgg16 reference;

    @BeforeAll
    static void setUp() {
        weights = KerasWeightsWriter.randomWeights(SMALL, 23);
        Path file = dir.resolve("small.h5");
        KerasWeightsWriter.write(file, SMALL, weights);
        model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.file(file)).build();
        reference = new ReferenceVgg16(SMALL, weights);
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    /** A (c, h, w) map as (h, w, c) doubles, the reference's order. */
    static double[] hwc(FeatureMap map) {
        int c = map.channelCount();
        int h = map.height();
        int w = map.width();
        double[] out = new double[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[(y * w + x) * c + ch] = map.get(ch, y, x);
                }
            }
        }
        return out;
    }

    /** The gradient of a class score with respect to the picture itself, at sampled pixels. */
    @Test
    void inputGradientsEqualFiniteDifferences() {
        BufferedImage picture = TestImages.noise(64, 64, 41);
        float[] x = model.networkInput(picture);
        int side = SMALL.inputSize();
        io.cnnsee.InputGradient g = model.inputGradient(x, io.cnnsee.Objective.classLogit(1));
        double[] hwc = new double[x.length];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < side * side; i++) {
                hwc[i * 3 + c] = x[c * side * side + i];
            }
        }
        assertThat(g.value()).isCloseTo(reference.logitsFromInput(hwc)[1], within(1e-3 * Math.max(1, Math.abs(g.value()))));
        float[] dx = g.gradient();
        double largest = 0;
        for (float v : dx) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertThat(largest).isPositive();
        SplittableRandom random = new SplittableRandom(5);
        for (int k = 0; k < 40; k++) {
            int c = random.nextInt(3);
            int i = random.nextInt(side * side);
            double h = 1e-4;
            double[] plus = hwc.clone();
            plus[i * 3 + c] += h;
            double[] minus = hwc.clone();
            minus[i * 3 + c] -= h;
            double fd = (reference.logitsFromInput(plus)[1] - reference.logitsFromInput(minus)[1]) / (2 * h);
            assertThat((double) dx[c * side * side + i]).as("channel %d, pixel %d", c, i)
                    .isCloseTo(fd, within(2e-3 * largest + 1e-2 * Math.abs(fd)));
        }
    }

    /** VGG16's own passes (on oneDNN, forward and backward) give what Deeplearning4j's layers give, for channel terms. */
    @Test
    void channelObjectivesOnVgg16sOwnPassesEqualTheGenericPath() {
        Dl4jModel generic = Dl4jModels.builder(model.network()).input(model.preprocessing().input()).build();
        float[] x = model.networkInput(TestImages.noise(64, 64, 43));
        for (io.cnnsee.Objective objective : List.of(io.cnnsee.Objective.channelMean("block2_conv2", 3),
                io.cnnsee.Objective.centreUnit("block3_pool", 1).plus(io.cnnsee.Objective.channelMean("block3_pool", 0), 2),
                io.cnnsee.Objective.channelMean("block1_conv1", 0).plus(io.cnnsee.Objective.classLogit(1), 0.5))) {
            io.cnnsee.InputGradient fast = model.inputGradient(x, objective);
            io.cnnsee.InputGradient slow = generic.inputGradient(x, objective);
            assertSameGradient(fast, slow, 1e-4, objective.toString());
        }
    }

    /** A batch of pictures, each with its own channel objective at one layer, gives what each gives alone. */
    @Test
    void aBatchOfChannelObjectivesGivesWhatEachGivesAlone() {
        for (String layer : List.of("block1_conv2", "block3_pool", "block4_conv3")) {
            List<float[]> inputs = new java.util.ArrayList<>();
            List<io.cnnsee.Objective> objectives = new java.util.ArrayList<>();
            for (int p = 0; p < 3; p++) {
                inputs.add(model.networkInput(TestImages.noise(64, 64, 50 + p)));
                objectives.add(p == 1 ? io.cnnsee.Objective.centreUnit(layer, 2).plus(io.cnnsee.Objective.channelMean(layer, 0), -1.5)
                        : io.cnnsee.Objective.channelMean(layer, p));
            }
            List<io.cnnsee.InputGradient> batch = model.inputGradients(inputs, objectives);
            assertThat(batch).hasSize(3);
            for (int p = 0; p < 3; p++) {
                io.cnnsee.InputGradient alone = model.inputGradient(inputs.get(p), objectives.get(p));
                assertThat(batch.get(p).objective()).isEqualTo(objectives.get(p));
                assertSameGradient(batch.get(p), alone, 1e-5, layer + " picture " + p);
            }
        }
        assertThatThrownBy(() -> model.inputGradients(List.of(new float[1]), List.of()))
                .hasMessage("One objective per input, and at least one: got 1 inputs and 0 objectives");
    }

    /** Values within {@code relative} of the expected value, gradients within it of the expected gradient's largest magnitude. */
    private static void assertSameGradient(io.cnnsee.InputGradient actual, io.cnnsee.InputGradient expected, double relative,
                                           String what) {
        assertThat(actual.value()).as(what).isCloseTo(expected.value(), within(relative * Math.max(1, Math.abs(expected.value()))));
        float[] a = actual.gradient();
        float[] b = expected.gradient();
        double largest = 0;
        for (float v : b) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertThat(largest).as(what).isPositive();
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).as("%s value %d", what, i).isCloseTo(b[i], within(relative * largest));
        }
    }

    @Test
    void gradientsEqualFiniteDifferencesAtEveryDepth() {
        BufferedImage picture = TestImages.noise(64, 64, 31);
        List<Tap> taps = List.of(model.tap("block5_conv3"), model.tap("block4_conv1"), model.tap("block2_conv2"));
        int cls = 2;
        ClassGradient gradient = model.classGradient(picture, cls, taps);
        assertThat(gradient.classIndex()).isEqualTo(cls);
        assertThat(gradient.activations()).extracting(FeatureMap::tap).containsExactlyElementsOf(taps);

        SplittableRandom random = new SplittableRandom(3);
        for (int t = 0; t < taps.size(); t++) {
            String layer = taps.get(t).layerName();
            FeatureMap a = gradient.activations().get(t);
            FeatureMap g = gradient.gradients().get(t);
            double[] x = hwc(a);
            double[] dx = hwc(g);
            assertThat(reference.logitsFrom(layer, x)[cls]).as("the score from %s", layer)
                    .isCloseTo(gradient.score(), within(1e-3 * Math.max(1, Math.abs(gradient.score()))));
            double largest = 0;
            for (double v : dx) {
                largest = Math.max(largest, Math.abs(v));
            }
            assertThat(largest).as("a gradient of zeros at %s would prove nothing", layer).isGreaterThan(1e-4);

            // Single values, where the activation is positive (a pool window of tied zeros has no
            // derivative to compare with), including the largest gradient.
            int checked = 0;
            int argmax = 0;
            for (int i = 0; i < dx.length; i++) {
                if (Math.abs(dx[i]) > Math.abs(dx[argmax])) {
                    argmax = i;
                }
            }
            for (int attempt = 0; attempt < 2000 && checked < 24; attempt++) {
                int i = attempt == 0 ? argmax : random.nextInt(x.length);
                if (x[i] <= 1e-3) {
                    continue;
                }
                double fd = difference(layer, x, new int[] {i}, cls, 1e-3);
                assertThat(dx[i]).as("%s value %d", layer, i).isCloseTo(fd, within(2e-3 * largest + 1e-2 * Math.abs(fd)));
                checked++;
            }
            assertThat(checked).as("values checked at %s", layer).isEqualTo(24);

            // Grad-CAM's channel weights: the mean gradient, i.e. the score's change when the whole
            // channel moves by epsilon, divided by the number of positions.
            GradCam cam = gradient.gradCam(taps.get(t), "class " + cls);
            int channels = a.channelCount();
            int positions = a.height() * a.width();
            double[] alpha = cam.weights();
            double largestAlpha = 0;
            for (double v : alpha) {
                largestAlpha = Math.max(largestAlpha, Math.abs(v));
            }
            assertThat(largestAlpha).isGreaterThan(0);
            for (int k = 0; k < channels; k++) {
                int[] channel = new int[positions];
                for (int p = 0; p < positions; p++) {
                    channel[p] = p * channels + k;
                }
                double fd = difference(layer, x, channel, cls, 1e-4) / positions;
                assertThat(alpha[k]).as("%s alpha of channel %d", layer, k)
                        .isCloseTo(fd, within(1e-2 * largestAlpha + 1e-2 * Math.abs(fd)));
            }
        }
    }

    /** Half picture, half colour, per component, rounded. */
    private static int mix(int a, int b) {
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            out = out << 8 | (int) Math.round(0.5 * (a >> shift & 0xFF) + 0.5 * (b >> shift & 0xFF));
        }
        return out;
    }

    /** Central difference of the class score when the values at {@code indices} all move by epsilon. */
    private static double difference(String layer, double[] x, int[] indices, int cls, double epsilon) {
        double[] up = x.clone();
        double[] down = x.clone();
        for (int i : indices) {
            up[i] += epsilon;
            down[i] -= epsilon;
        }
        return (reference.logitsFrom(layer, up)[cls] - reference.logitsFrom(layer, down)[cls]) / (2 * epsilon);
    }

    @Test
    void theMostProbableClassIsChosenUnlessOneIsNamed() {
        BufferedImage picture = TestImages.noise(50, 70, 4);
        float[] probabilities = model.predict(picture);
        int top = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[top]) {
                top = i;
            }
        }
        ClassGradient g = model.classGradient(picture, ClassGradient.MOST_PROBABLE_CLASS, List.of(model.tap("block5_conv3")));
        assertThat(g.classIndex()).isEqualTo(top);
        assertThat(g.probabilities().toArray()).containsExactly(probabilities, within(1e-6f));
        assertThat(g.probability()).isEqualTo(probabilities[top]);
    }

    @Test
    void misuseIsExplained() {
        var picture = TestImages.noise(8, 8, 1);
        assertThatThrownBy(() -> model.classGradient(picture, 5, List.of(model.tap("block5_conv3"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Class 5 is not one of VGG16 [4, 6, 8, 8, 10] 64x64 with top's classes 0 to 4");
        assertThatThrownBy(() -> model.classGradient(picture, 0, List.of(model.tap("fc1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Grad-CAM needs a convolutional layer; fc1 is dense: choose one of block1_conv1 ... block5_pool");
        try (Vgg16Model notop = Vgg16.builder().architecture(Vgg16ModelTest.TINY).weights(Vgg16Weights.random(1)).build()) {
            assertThatThrownBy(() -> notop.classGradient(picture, 0, notop.taps()))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("build the model with includeTop(true)");
        }
    }

    /**
     * A network that sees brightness in channel 0 and darkness in channel 1 all the way up, whose
     * class 0 adds up the brightness of the left half only and class 1 the darkness of the right
     * half only. On a picture white on the left and black on the right, Grad-CAM of class 0 must
     * heat the left half and nothing else, class 1 the right half.
     */
    @Test
    void gradCamHeatsTheHalfTheClassDependsOn() {
        Vgg16Architecture arch = new Vgg16Architecture(new int[] {2, 2, 2, 2, 2}, 64, true, 2, 2);
        Map<String, LayerWeights> w = new LinkedHashMap<>();
        for (LayerSpec spec : arch.weightedLayers()) {
            float[] kernel = new float[(int) (spec.parameterCount() - spec.outputs())];
            int in = spec.inputs();
            int out = spec.outputs();
            switch (spec.name()) {
                case "block1_conv1" -> {
                    for (int c = 0; c < 3; c++) { // centre tap: +mean colour into 0, -mean colour into 1
                        kernel[((4) * in + c) * out] = 1f / 3;
                        kernel[((4) * in + c) * out + 1] = -1f / 3;
                    }
                }
                case "fc1" -> { // pool5 is 2 x 2 x 2, flattened (h, w, c) as Keras does
                    for (int y = 0; y < 2; y++) {
                        kernel[((y * 2) * 2) * out] = 1;          // (y, left, brightness) -> unit 0
                        kernel[((y * 2 + 1) * 2 + 1) * out + 1] = 1; // (y, right, darkness) -> unit 1
                    }
                }
                case "fc2", "predictions" -> {
                    kernel[0] = 1;
                    kernel[3] = 1;
                }
                default -> { // every other convolution passes each channel through unchanged
                    for (int c = 0; c < out; c++) {
                        kernel[(4 * in + c) * out + c] = 1;
                    }
                }
            }
            w.put(spec.name(), new LayerWeights(spec.name(), spec.kernelShape(), kernel, new float[out]));
        }
        Path file = dir.resolve("halves.h5");
        KerasWeightsWriter.write(file, arch, w);
        BufferedImage picture = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 32; x++) {
                picture.setRGB(x, y, 0xFFFFFF);
            }
        }
        try (Vgg16Model halves = Vgg16.builder().architecture(arch).weights(Vgg16Weights.file(file)).build()) {
            Tap last = halves.tap("block5_conv3"); // 2 channels of 4 x 4
            for (int cls = 0; cls < 2; cls++) {
                ClassGradient g = halves.classGradient(picture, cls, List.of(last));
                FeatureMap gradient = g.gradients().get(0);
                for (int c = 0; c < 2; c++) {
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 4; x++) {
                            boolean other = cls == 0 ? x >= 2 : x < 2;
                            if (other || c != cls) {
                                assertThat(gradient.get(c, y, x)).as("class %d: gradient at channel %d (%d, %d)", cls, c, y, x)
                                        .isZero();
                            }
                        }
                    }
                }
                GradCam cam = g.gradCam(last, "half " + cls);
                assertThat(cam.weight(cls)).as("the channel class %d reads", cls).isPositive();
                assertThat(cam.weight(1 - cls)).as("the channel class %d ignores", cls).isZero();
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        boolean mine = cls == 0 ? x < 2 : x >= 2;
                        float heat = cam.heatmap().get(y, x);
                        if (mine) {
                            assertThat(heat).as("class %d heat at (%d, %d)", cls, y, x).isPositive();
                        } else {
                            assertThat(heat).as("class %d heat at (%d, %d)", cls, y, x).isZero();
                        }
                    }
                }
                // Through the inspector, as users and the command line get it: the same map, drawn over the picture.
                io.cnnsee.Inspection inspection = io.cnnsee.FeatureMapInspector.builder().model(halves).gradCam(true)
                        .explainedClass(cls).ranker(io.cnnsee.ChannelRanker.GRAD_CAM).build().run(picture);
                assertThat(inspection.gradCam().orElseThrow().heatmap().toArray()).containsExactly(cam.heatmap().toArray());
                assertThat(inspection.tap("block5_conv3").ranking().indices()[0]).isEqualTo(cls);
                BufferedImage overlay = inspection.gradCamOverlay().orElseThrow();
                int hot = io.cnnsee.render.Colormap.TURBO.colorOf(1);
                int drawn = overlay.getRGB(cls == 0 ? 2 : 61, 30) & 0xFFFFFF;
                int pixel = picture.getRGB(cls == 0 ? 2 : 61, 30) & 0xFFFFFF;
                assertThat(drawn).as("overlay where class %d looks", cls).isEqualTo(mix(pixel, hot));
                float[] up = cam.upsampled(64, 64);
                for (int y = 0; y < 64; y += 7) {
                    for (int x = 0; x < 16; x++) {
                        int near = cls == 0 ? x : 63 - x;
                        int far = cls == 0 ? 63 - x : x;
                        assertThat(up[y * 64 + near]).as("class %d, its quarter, (%d, %d)", cls, y, near).isEqualTo(1f);
                        assertThat(up[y * 64 + far]).as("class %d, the other quarter, (%d, %d)", cls, y, far).isZero();
                    }
                }
            }
        }
    }
}
