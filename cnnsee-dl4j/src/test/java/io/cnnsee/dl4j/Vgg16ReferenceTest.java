package io.cnnsee.dl4j;

import io.cnnsee.FeatureMap;
import io.cnnsee.Tap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DL4J network, loaded from a Keras-layout file, against the plain-loop reference: a
 * transposed or flipped kernel, swapped BGR order or wrong flatten order changes the numbers.
 */
class Vgg16ReferenceTest {

    /** Narrow VGG16 with top; 64 x 64 input leaves 2 x 2 x 10 before fc1, so the flatten order matters. */
    static final Vgg16Architecture SMALL = new Vgg16Architecture(new int[] {4, 6, 8, 8, 10}, 64, true, 16, 5);

    @TempDir
    static Path dir;
    static Map<String, LayerWeights> weights;
    static Vgg16Model model;
    static BufferedImage image;
    static Map<String, double[]> reference;

    @BeforeAll
    static void setUp() {
        weights = KerasWeightsWriter.randomWeights(SMALL, 11);
        Path file = dir.resolve("small.h5");
        KerasWeightsWriter.write(file, SMALL, weights);
        model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.file(file)).build();
        image = TestImages.noise(64, 64, 5);
        reference = new ReferenceVgg16(SMALL, weights).run(image);
    }

    /** Compares a (c, h, w) feature map with a (h, w, c) reference, relative to the largest value. */
    static void assertMatches(FeatureMap actual, double[] expected) {
        assertThat(relativeError(actual, expected)).as("largest error of %s relative to its largest value", actual.tap().layerName())
                .isLessThan(1e-4);
    }

    /** The largest difference between {@code actual} and the channels-last {@code expected}, relative to the largest expected value. */
    static double relativeError(FeatureMap actual, double[] expected) {
        int c = actual.channelCount();
        int h = actual.height();
        int w = actual.width();
        assertThat(expected).hasSize(c * h * w);
        double maxAbs = 0;
        for (double v : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertThat(maxAbs).as("a reference of zeros would prove nothing").isGreaterThan(0);
        double worst = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double e = expected[(y * w + x) * c + ch];
                    worst = Math.max(worst, Math.abs(actual.get(ch, y, x) - e));
                }
            }
        }
        return worst / maxAbs;
    }

    @Test
    void everyConvAndPoolLayerMatchesTheReference() {
        List<Tap> taps = new ArrayList<>();
        for (LayerSpec spec : SMALL.layers()) {
            if (spec.kind() == LayerSpec.Kind.CONV || spec.kind() == LayerSpec.Kind.POOL) {
                taps.add(model.tap(spec.name()));
            }
        }
        List<FeatureMap> maps = model.forward(image, taps);
        for (FeatureMap map : maps) {
            assertMatches(map, reference.get(map.tap().layerName()));
        }
    }

    @Test
    void theFiveDefaultTapsComeFromOnePassWithTheirShapes() {
        List<FeatureMap> maps = model.forward(image, model.taps());
        assertThat(maps).extracting(m -> m.tap().layerName())
                .containsExactly("block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3", "block5_conv3");
        assertThat(maps).extracting(m -> m.shape().toString())
                .containsExactly("4 x 64 x 64", "6 x 32 x 32", "8 x 16 x 16", "8 x 8 x 8", "10 x 4 x 4");
        for (FeatureMap map : maps) {
            assertMatches(map, reference.get(map.tap().layerName()));
        }
    }

    @Test
    void denseLayersAndPredictionsMatchTheReference() {
        List<FeatureMap> maps = model.forward(image, List.of(model.tap("fc1"), model.tap("fc2")));
        assertMatches(maps.get(0), reference.get("fc1"));
        assertMatches(maps.get(1), reference.get("fc2"));

        float[] p = model.predict(image);
        double[] expected = reference.get("predictions");
        assertThat(p).hasSize(5);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            assertThat((double) p[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5));
            sum += p[i];
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void theReferenceItselfTellsSwappedChannelsApart() {
        // Guard on the test: with B and R swapped in the input, block1_conv1 must differ clearly.
        BufferedImage swapped = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int rgb = image.getRGB(x, y);
                swapped.setRGB(x, y, (rgb & 0xFF) << 16 | (rgb & 0xFF00) | (rgb >> 16 & 0xFF));
            }
        }
        double[] a = reference.get("block1_conv1");
        double[] b = new ReferenceVgg16(SMALL, weights).run(swapped).get("block1_conv1");
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        assertThat(diff).isGreaterThan(1);
    }
}
