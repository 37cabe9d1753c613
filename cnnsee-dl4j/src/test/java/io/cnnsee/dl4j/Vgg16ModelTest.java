package io.cnnsee.dl4j;

import io.cnnsee.FeatureMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Vgg16ModelTest {

    static final Vgg16Architecture TINY = new Vgg16Architecture(new int[] {2, 2, 3, 3, 4}, 32, false, 0, 0);

    @Test
    void randomWeightsAreOnlyEverAskedForAndAreSaidEverywhere() {
        try (Vgg16Model model = Vgg16.builder().architecture(TINY).weights(Vgg16Weights.random(42)).build()) {
            assertThat(model.weights().random()).isTrue();
            assertThat(model.weights().source()).startsWith("random weights (seed 42)");
            assertThat(model.weights().license()).isEmpty();
            assertThat(model.toString()).contains("random weights");
        }
    }

    @Test
    void randomWeightsAreReproducibleForASeed() {
        try (Vgg16Model a = Vgg16.builder().architecture(TINY).weights(Vgg16Weights.random(7)).build();
             Vgg16Model b = Vgg16.builder().architecture(TINY).weights(Vgg16Weights.random(7)).build()) {
            var image = TestImages.noise(40, 30, 3);
            FeatureMap fa = a.forward(image, List.of(a.tap("block5_conv3"))).get(0);
            FeatureMap fb = b.forward(image, List.of(b.tap("block5_conv3"))).get(0);
            assertThat(fa).isEqualTo(fb);
        }
    }

    @Test
    void anyLayerCanBeTappedByNameAndUnknownNamesAreListed() {
        try (Vgg16Model model = Vgg16.builder().architecture(TINY).weights(Vgg16Weights.random(1)).build()) {
            assertThat(model.tap("block3_pool").shape().toString()).isEqualTo("3 x 4 x 4");
            assertThat(model.tap("block1_conv1").shape().toString()).isEqualTo("2 x 32 x 32");
            assertThatThrownBy(() -> model.tap("fc1"))
                    .isInstanceOf(io.cnnsee.UnknownLayerException.class)
                    .hasMessageStartingWith("VGG16 has no layer 'fc1'; its layers (the dense layers need the top: "
                            + "includeTop): [block1_conv1, block1_conv2, block1_pool, block2_conv1");
            assertThatThrownBy(() -> model.predict(TestImages.noise(32, 32, 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Predictions need the dense top: build the model with includeTop(true)");
        }
    }

    @ParameterizedTest
    @EnumSource(ConvolutionAlgorithm.class) // they split a batch at different layers
    void aBatchGivesEachPictureItsOwnMaps(ConvolutionAlgorithm convolutions) {
        Vgg16Architecture withTop = new Vgg16Architecture(new int[] {2, 2, 3, 3, 4}, 32, true, 6, 5);
        try (Vgg16Model model = Vgg16.builder().architecture(withTop).weights(Vgg16Weights.random(4))
                .convolutions(convolutions).build()) {
            // Five: on two cores a batch runs in two lanes at once, three pictures and two, each
            // lane picture by picture and then as a batch of its own from the layer where that starts.
            List<java.awt.image.BufferedImage> pictures = List.of(TestImages.noise(40, 30, 1), TestImages.noise(32, 32, 2),
                    TestImages.noise(10, 50, 3), TestImages.noise(33, 31, 4), TestImages.noise(64, 20, 5));
            int threads = io.cnnsee.dl4j.engine.onednn.OmpThreads.current();
            List<io.cnnsee.Tap> taps = List.of(model.tap("block1_conv2"), model.tap("block3_pool"), model.tap("block4_conv1"),
                    model.tap("block5_conv3"), model.tap("predictions"));
            List<List<FeatureMap>> batch = model.forwardAll(pictures, taps);
            assertThat(io.cnnsee.dl4j.engine.onednn.OmpThreads.current()).as("the caller's OpenMP threads after a batch").isEqualTo(threads);
            assertThat(batch).hasSize(5);
            for (int n = 0; n < pictures.size(); n++) {
                List<FeatureMap> single = model.forward(pictures.get(n), taps);
                for (int t = 0; t < taps.size(); t++) {
                    float[] expected = single.get(t).toArray();
                    float[] actual = batch.get(n).get(t).toArray();
                    assertThat(actual).as("picture %d, %s", n, taps.get(t).layerName()).hasSameSizeAs(expected);
                    for (int i = 0; i < expected.length; i++) {
                        assertThat((double) actual[i]).as("picture %d, %s, value %d", n, taps.get(t).layerName(), i)
                                .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(expected[i]))));
                    }
                }
            }
            assertThat(batch.get(0).get(0)).as("different pictures, different maps").isNotEqualTo(batch.get(1).get(0));
            assertThat(model.forwardAll(List.of(), taps)).isEmpty();
        }
    }

    /**
     * oneDNN's primitives are made for the thread count of the thread that makes them, and plans
     * made by a caller sharing the cores ran slower ever after (measured in the ninth round, in the git
     * history of docs/performance.md): every
     * plan is made with the model's thread count, whoever asks first and with what share of the cores.
     */
    @ParameterizedTest
    @EnumSource(ConvolutionAlgorithm.class)
    void plansAreMadeWithTheModelsThreadsWhateverTheCallersAre(ConvolutionAlgorithm convolutions) {
        try (Vgg16Model model = Vgg16.builder().architecture(TINY).weights(Vgg16Weights.random(3)).convolutions(convolutions).build()) {
            int modelThreads = model.planThreads();
            assertThat(modelThreads).isEqualTo(io.cnnsee.dl4j.engine.onednn.OmpThreads.current()); // the caller's when it was built
            int other = modelThreads == 1 ? 2 : 1;
            List<io.cnnsee.Tap> taps = List.of(model.tap("block5_conv3"));
            List<java.awt.image.BufferedImage> pictures = List.of(TestImages.noise(40, 30, 1), TestImages.noise(30, 40, 2));
            // First uses of the model, for one picture and for a batch, by a caller set to another thread count.
            io.cnnsee.dl4j.engine.onednn.OmpThreads.with(other, () -> {
                model.forward(pictures.get(0), taps);
                model.forwardAll(pictures, taps);
                assertThat(io.cnnsee.dl4j.engine.onednn.OmpThreads.current()).as("the caller's own setting, kept").isEqualTo(other);
            });
            assertThat(model.threadsOfPlans()).isNotEmpty().containsOnly(modelThreads);
        }
    }

    @Test
    void firstLayerKernelsComeInRgbOrder() {
        try (Vgg16Model model = Vgg16.builder().architecture(TINY).weights(Vgg16Weights.random(5)).build()) {
            io.cnnsee.FirstLayerKernels first = model.capability(io.cnnsee.FirstLayerFilters.class).orElseThrow().firstLayerKernels();
            assertThat(first.layerName()).isEqualTo("block1_conv1");
            assertThat(first.count()).isEqualTo(2);
            assertThat(first.size()).isEqualTo(3);
            float[] kernels = first.values();
            var w = model.network().getLayer(0).getParam("W"); // [out, in (B, G, R), 3, 3]
            assertThat(kernels).hasSize(2 * 3 * 3 * 3);
            for (int o = 0; o < 2; o++) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 3; y++) {
                        for (int x = 0; x < 3; x++) {
                            assertThat(kernels[((o * 3 + c) * 3 + y) * 3 + x]).as("kernel %d, colour %d, (%d, %d)", o, c, y, x)
                                    .isEqualTo(w.getFloat(o, 2 - c, y, x));
                        }
                    }
                }
            }
            var picture = first.render(4, 8);
            assertThat(picture.getWidth()).isEqualTo(2 * 12 + 1);
        }
    }

    @Test
    void aClosedModelSaysSo() {
        Vgg16Model model = Vgg16.builder().architecture(TINY).weights(Vgg16Weights.random(1)).build();
        model.close();
        assertThatThrownBy(() -> model.forward(TestImages.noise(8, 8, 1), model.taps()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("has been closed");
    }

    /**
     * Passes on two lanes run outside the model's lock: closing waits for those running (freeing
     * their memory under them would crash the JVM), then every call says the model is closed.
     */
    @Test
    void closingWhilePassesRunWaitsForThemAndRefusesTheRest() throws Exception {
        Vgg16Model model = Vgg16.builder().architecture(TINY).weights(Vgg16Weights.random(1)).build();
        java.awt.image.BufferedImage picture = TestImages.noise(40, 30, 1);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
        try {
            List<java.util.concurrent.Future<Exception>> ends = new java.util.ArrayList<>();
            for (int t = 0; t < 2; t++) {
                ends.add(callers.submit(() -> {
                    try {
                        while (true) {
                            model.forward(picture, model.taps());
                            if (passes.incrementAndGet() <= 2) {
                                running.countDown();
                            }
                        }
                    } catch (IllegalStateException e) {
                        return e;
                    }
                }));
            }
            assertThat(running.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            model.close();
            for (java.util.concurrent.Future<Exception> end : ends) {
                assertThat(end.get(30, java.util.concurrent.TimeUnit.SECONDS)).hasMessageEndingWith("has been closed");
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(passes.get()).isGreaterThanOrEqualTo(2);
        model.close(); // again: nothing happens
        assertThatThrownBy(() -> model.forwardAll(List.of(picture, picture), model.taps()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("has been closed");
    }

    @Test
    void architecturesAreChecked() {
        assertThatThrownBy(() -> new Vgg16Architecture(new int[] {1, 2, 3}, 224, false, 0, 0))
                .hasMessage("VGG16 has 5 blocks, 3 widths were given");
        assertThatThrownBy(() -> Vgg16Architecture.standard(false).withInputSize(100))
                .hasMessage("The input size must be a multiple of 32 (five 2x2 pools), at least 32, was 100");
    }
}
