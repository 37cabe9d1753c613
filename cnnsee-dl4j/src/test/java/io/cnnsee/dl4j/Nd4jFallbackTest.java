package io.cnnsee.dl4j;

import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMap;
import io.cnnsee.Objective;
import io.cnnsee.Tap;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where oneDNN's presets cannot load (macOS on Apple silicon has no natives for them), the pass
 * runs on ND4J's operations; {@code -Dcnnsee.onednn=false} chooses that path here, and it must
 * give what the oneDNN pass gives.
 */
class Nd4jFallbackTest {

    private static final Vgg16Architecture SMALL = new Vgg16Architecture(new int[] {4, 6, 8, 8, 8}, 32, true, 10, 7);

    @Test
    void theNd4jPassGivesWhatTheOnednnPassGives() {
        List<BufferedImage> pictures = List.of(TestImages.noise(32, 32, 1), TestImages.noise(50, 20, 2));
        List<List<FeatureMap>> onednn;
        List<List<FeatureMap>> nd4j;
        List<Tap> taps;
        try (Vgg16Model model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.random(11)).build()) {
            assertThat(model.implementations("predictions")).as("oneDNN runs here").isNotEmpty();
            taps = List.of(model.tap("block1_conv2"), model.tap("block3_pool"), model.tap("block5_conv3"),
                    model.tap("fc1"), model.tap("predictions"));
            onednn = model.forwardAll(pictures, taps);
        }
        System.setProperty(io.cnnsee.dl4j.engine.onednn.CompiledNetwork.PROPERTY, "false");
        try (Vgg16Model model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.random(11)).build()) {
            assertThat(model.implementations("predictions")).as("no oneDNN primitives").isEmpty();
            nd4j = model.forwardAll(pictures, taps);
        } finally {
            System.clearProperty(io.cnnsee.dl4j.engine.onednn.CompiledNetwork.PROPERTY);
        }
        for (int p = 0; p < pictures.size(); p++) {
            for (int t = 0; t < taps.size(); t++) {
                assertClose(nd4j.get(p).get(t), onednn.get(p).get(t), "picture " + p);
            }
        }
    }

    @Test
    void classGradientsAgreeWhicheverPathRunsTheForwardHalf() {
        BufferedImage picture = TestImages.noise(32, 32, 3);
        ClassGradient onednn;
        ClassGradient nd4j;
        List<Tap> layers;
        try (Vgg16Model model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.random(12)).build()) {
            layers = List.of(model.tap("block5_conv3"), model.tap("block3_pool"));
            onednn = model.classGradient(picture, ClassGradient.MOST_PROBABLE_CLASS, layers);
        }
        System.setProperty(io.cnnsee.dl4j.engine.onednn.CompiledNetwork.PROPERTY, "false");
        try (Vgg16Model model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.random(12)).build()) {
            nd4j = model.classGradient(picture, ClassGradient.MOST_PROBABLE_CLASS, layers);
        } finally {
            System.clearProperty(io.cnnsee.dl4j.engine.onednn.CompiledNetwork.PROPERTY);
        }
        assertThat(nd4j.classIndex()).isEqualTo(onednn.classIndex());
        assertClose(nd4j.probabilities(), onednn.probabilities(), "probabilities");
        for (int t = 0; t < layers.size(); t++) {
            assertClose(nd4j.activations().get(t), onednn.activations().get(t), "activation");
            assertClose(nd4j.gradients().get(t), onednn.gradients().get(t), "gradient");
        }
    }

    @Test
    void inputGradientsAgreeWhicheverPathRunsThem() {
        // The oneDNN backward pass against ND4J's: channel objectives as a batch of three, then a class score.
        List<Objective> objectives = List.of(Objective.channelMean("block4_conv3", 5),
                Objective.channelMean("block4_conv3", 1).plus(Objective.centreUnit("block4_conv3", 3), -0.5),
                Objective.centreUnit("block4_conv3", 5).plus(Objective.channelMean("block4_conv3", 1), 2));
        List<io.cnnsee.InputGradient> onednn;
        List<io.cnnsee.InputGradient> nd4j;
        List<float[]> inputs;
        try (Vgg16Model model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.random(13)).build()) {
            inputs = List.of(model.networkInput(TestImages.noise(32, 32, 4)), model.networkInput(TestImages.noise(40, 30, 5)),
                    model.networkInput(TestImages.noise(32, 32, 6)));
            onednn = new java.util.ArrayList<>(model.inputGradients(inputs, objectives));
            onednn.add(model.inputGradient(inputs.get(0), Objective.classLogit(4).plus(Objective.classLogit(2), -1)));
        }
        System.setProperty(io.cnnsee.dl4j.engine.onednn.CompiledNetwork.PROPERTY, "false");
        try (Vgg16Model model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.random(13)).build()) {
            nd4j = new java.util.ArrayList<>(model.inputGradients(inputs, objectives));
            nd4j.add(model.inputGradient(inputs.get(0), Objective.classLogit(4).plus(Objective.classLogit(2), -1)));
        } finally {
            System.clearProperty(io.cnnsee.dl4j.engine.onednn.CompiledNetwork.PROPERTY);
        }
        assertThat(onednn).hasSize(4);
        for (int p = 0; p < onednn.size(); p++) {
            assertThat(onednn.get(p).value()).as("value %d", p).isCloseTo(nd4j.get(p).value(),
                    org.assertj.core.api.Assertions.within(1e-5 * Math.max(1, Math.abs(nd4j.get(p).value()))));
            float[] expected = nd4j.get(p).gradient();
            float[] actual = onednn.get(p).gradient();
            float largest = 0;
            for (float v : expected) {
                largest = Math.max(largest, Math.abs(v));
            }
            assertThat(largest).as("picture %d: a gradient not all zero", p).isGreaterThan(0);
            for (int i = 0; i < expected.length; i++) {
                assertThat(Math.abs(actual[i] - expected[i])).as("picture %d, value %d", p, i).isLessThan(1e-5f * largest);
            }
        }
    }

    private static void assertClose(FeatureMap actualMap, FeatureMap expectedMap, String what) {
        float[] expected = expectedMap.toArray();
        float[] actual = actualMap.toArray();
        assertThat(actual).hasSameSizeAs(expected);
        float largest = 0;
        for (float v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        String layer = expectedMap.tap().layerName();
        assertThat(largest).as("%s, %s: not all zero", what, layer).isGreaterThan(0);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s, %s, value %d", what, layer, i).isLessThan(1e-5f * largest);
        }
    }
}
