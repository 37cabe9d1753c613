package io.cnnsee.dl4j;

import io.cnnsee.ClassGradient;
import io.cnnsee.ImageInput;
import io.cnnsee.InputGradient;
import io.cnnsee.Objective;
import io.cnnsee.Tap;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import static io.cnnsee.dl4j.Dl4jModelTest.assertClose;
import static io.cnnsee.dl4j.ReferenceCnn.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The compiled backward pass ({@link CompiledRuns}) against Deeplearning4j's own backward pass:
 * gradients with respect to the input and to taps, of class scores and channels, for a network of
 * every translated layer, every zoo network, a layer that falls back, and batches. The finite
 * difference checks of {@link InputGradientTest} and {@link GradCamTest} run on it too.
 */
class CompiledGradientTest {

    static {
        NativeBuild.select();
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void everyTranslatedLayerDifferentiatesAsDeeplearning4jDoes(CNN2DFormat format) {
        Dl4jModel model = Dl4jModels.of(CompiledGraphTest.everyLayer(format), ImageInput.preset("torch", 11, 13))
                .withConvolutions(ConvolutionAlgorithm.DIRECT);
        BufferedImage picture = TestImages.noise(13, 11, 5);
        float[] x = model.networkInput(picture);
        List<Objective> objectives = List.of(Objective.channelMean("c3", 1), Objective.centreUnit("max", 3),
                Objective.classLogit(2), Objective.channelMean("pad", 0).plus(Objective.classLogit(1), -2),
                Objective.channelMean("avgpool", 4));
        for (Objective o : objectives) {
            assertSameGradients(model, List.of(x), List.of(o));
        }
        assertSameClassGradients(model, picture, List.of(model.tap("dw"), model.tap("max"), model.tap("cat"), model.tap("pad")));
        assertThat(model.fallbackLayers()).as(model.engineNote()).isEmpty();
        assertThat(model.engineNote()).isEqualTo("oneDNN runs all 21 layers, forward and backward");
    }

    /**
     * Where the way back may rightly take either of two paths, the two engines need not take the
     * same: at the zoo's size their forward passes round differently (a few millionths), and a unit
     * within that of zero is off in one pass and on in the other, so its ReLU lets the gradient
     * through in one pass only; and a max pool whose window holds equal largest values (a random
     * network's dead channels are constant) sends the gradient to either. Each gradient is right
     * for its forward pass. So the gradients are compared value by value at every tap after the
     * deepest such place, and the test asks that there be several. Direct
     * convolutions, as Deeplearning4j runs them.
     */
    @ParameterizedTest
    @MethodSource("io.cnnsee.dl4j.CompiledGraphTest#zoo")
    void everyZooNetworkDifferentiatesAsDeeplearning4jDoes(String name) {
        Dl4jModel model = Dl4jZoo.model(name, ZooWeights.random(7)).withConvolutions(ConvolutionAlgorithm.DIRECT);
        CompiledGraphTest.randomise(model.graph(), 17);
        BufferedImage picture = TestImages.noise(224, 224, 3);
        List<Tap> taps = model.spatialTaps();
        ClassGradient compiled = model.classGradient(picture, ClassGradient.MOST_PROBABLE_CLASS, taps);
        ClassGradient reference = model.classGradientOnDeeplearning4j(picture, ClassGradient.MOST_PROBABLE_CLASS, taps);
        assertThat(compiled.classIndex()).isEqualTo(reference.classIndex());
        assertThat((double) compiled.score()).isCloseTo(reference.score(), within(1e-4 * Math.abs(reference.score())));
        List<String> why = new ArrayList<>();
        int ambiguous = deepestEitherWay(model, picture, why);
        List<String> compared = new ArrayList<>();
        for (int i = 0; i < taps.size(); i++) {
            if (model.spatialTaps().indexOf(taps.get(i)) > ambiguous) {
                assertClose(compiled.gradients().get(i).toArray(), doubles(reference.gradients().get(i).toArray()),
                        name + " d class / d " + taps.get(i).layerName());
                compared.add(taps.get(i).layerName());
            }
        }
        assertThat(compared).as("taps compared value by value, either way at " + why).hasSizeGreaterThanOrEqualTo(4);
        assertThat(model.fallbackLayers()).as(model.engineNote()).isEmpty();
    }

    /**
     * The position among the spatial taps of the deepest whose gradient may rightly differ
     * between the engines: the one before a rectified unit positive in one forward pass only, or
     * the input of a max pool with a window whose two largest values are within rounding of each
     * other; -1 where there is none. Reasons go to {@code why}.
     */
    private static int deepestEitherWay(Dl4jModel model, BufferedImage picture, List<String> why) {
        List<Tap> all = model.spatialTaps();
        var compiled = model.forward(picture, all);
        var reference = model.forwardOnDeeplearning4j(picture, all);
        var graph = model.graph();
        int deepest = -1;
        for (int i = 0; i < all.size(); i++) {
            if (!rectified(graph.getVertex(all.get(i).layerName()))) {
                continue;
            }
            float[] a = compiled.get(i).toArray();
            float[] b = reference.get(i).toArray();
            for (int k = 0; k < a.length; k++) {
                if ((a[k] > 0) != (b[k] > 0)) {
                    deepest = i - 1;
                    why.add(all.get(i).layerName() + " unit " + k);
                    break;
                }
            }
        }
        for (var v : graph.getVertices()) {
            if (v.hasLayer() && v.getLayer().conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer s
                    && s.getPoolingType() == PoolingType.MAX) {
                String from = graph.getVertices()[v.getInputVertices()[0].getVertexIndex()].getVertexName();
                int at = all.indexOf(model.tap(from));
                if (at > deepest && tied(compiled.get(at), s.getKernelSize(), s.getStride())) {
                    deepest = at;
                    why.add(from + " tied in " + v.getVertexName());
                }
            }
        }
        return deepest;
    }

    /** Whether {@code v} puts out a ReLU's or leaky ReLU's output. */
    private static boolean rectified(org.deeplearning4j.nn.graph.vertex.GraphVertex v) {
        if (!v.hasLayer()) {
            return false;
        }
        var conf = v.getLayer().conf().getLayer();
        var fn = conf instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a ? a.getActivationFn()
                : conf instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b ? b.getActivationFn() : null;
        return fn instanceof org.nd4j.linalg.activations.impl.ActivationReLU || fn instanceof org.nd4j.linalg.activations.impl.ActivationLReLU;
    }

    /**
     * Whether a window of a max pool over {@code map} (its padding aside) holds two values within
     * a millionth of the map's largest of each other, other than two zeros (a window of zeros
     * after a ReLU sends nothing further back either way).
     */
    private static boolean tied(io.cnnsee.FeatureMap map, int[] kernel, int[] stride) {
        int h = map.shape().height();
        int w = map.shape().width();
        float[] v = map.toArray();
        double largest = 0;
        for (float u : v) {
            largest = Math.max(largest, Math.abs(u));
        }
        for (int c = 0; c < map.shape().channels(); c++) {
            for (int y = 0; y + kernel[0] <= h; y += stride[0]) {
                for (int x = 0; x + kernel[1] <= w; x += stride[1]) {
                    float best = Float.NEGATIVE_INFINITY;
                    float second = Float.NEGATIVE_INFINITY;
                    for (int dy = 0; dy < kernel[0]; dy++) {
                        for (int dx = 0; dx < kernel[1]; dx++) {
                            float u = v[(c * h + y + dy) * w + x + dx];
                            if (u > best) {
                                second = best;
                                best = u;
                            } else if (u > second) {
                                second = u;
                            }
                        }
                    }
                    if (best - second <= 1e-6 * largest && best != 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Winograd's gradients against direct convolutions' on a network with a layer large enough for Winograd. */
    @Test
    void winogradGivesTheGradientsOfDirectConvolutions() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(64, 64, 3))
                .addLayer("c1", conv(64, Activation.RELU), "in")
                .addLayer("c2", conv(64, Activation.IDENTITY), "c1")
                .addLayer("c3", conv(16, Activation.SWISH), "c2")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c3")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        CompiledGraphTest.randomise(graph, 2);
        Dl4jModel winograd = Dl4jModels.of(graph, ImageInput.unit(64));
        Dl4jModel direct = winograd.withConvolutions(ConvolutionAlgorithm.DIRECT);
        BufferedImage picture = TestImages.noise(64, 64, 9);
        assertThat(winograd.implementations(List.of(winograd.tap("c3")))).anyMatch(s -> s.startsWith("c2: ") && s.contains("wino"));
        float[] x = winograd.networkInput(picture);
        for (Objective o : List.of(Objective.classLogit(3), Objective.channelMean("c2", 7))) {
            InputGradient w = winograd.inputGradient(x, o);
            InputGradient d = direct.inputGradient(x, o);
            assertThat(w.value()).isCloseTo(d.value(), within(1e-5 * Math.abs(d.value())));
            assertClose(w.gradient(), doubles(d.gradient()), "Winograd d " + o + " / d input");
        }
        ClassGradient w = winograd.classGradient(picture, 3, List.of(winograd.tap("c1")));
        ClassGradient d = direct.classGradient(picture, 3, List.of(direct.tap("c1")));
        assertClose(w.gradients().get(0).toArray(), doubles(d.gradients().get(0).toArray()), "Winograd d class / d c1");
    }

    @Test
    void aLayerThatFallsBackIsDifferentiatedByDeeplearning4jBetweenCompiledSteps() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("c1", conv(4, Activation.RELU), "in")
                .addLayer("lrn", new LocalResponseNormalization.Builder().build(), "c1")
                .addLayer("c2", conv(5, Activation.TANH), "lrn")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        CompiledGraphTest.randomise(graph, 4);
        Dl4jModel model = Dl4jModels.of(graph, ImageInput.unit(8)).withConvolutions(ConvolutionAlgorithm.DIRECT);
        BufferedImage picture = TestImages.noise(8, 8, 6);
        assertSameGradients(model, List.of(model.networkInput(picture)), List.of(Objective.classLogit(1)));
        assertSameClassGradients(model, picture, List.of(model.tap("c1"), model.tap("lrn"), model.tap("c2")));
        assertThat(model.fallbackLayers()).containsExactly("lrn");
    }

    @Test
    void aBatchGivesEachInputWhatItGetsAlone() {
        Dl4jModel model = Dl4jModels.of(CompiledGraphTest.bottlenecks(), ImageInput.unit(9));
        CompiledGraphTest.randomise(model.graph(), 8);
        List<float[]> inputs = new ArrayList<>();
        List<Objective> objectives = new ArrayList<>();
        for (int i = 0; i < CompiledRuns.BATCH + 2; i++) { // a batch of four, then two
            inputs.add(model.networkInput(TestImages.noise(9, 9, 30 + i)));
            objectives.add(i % 2 == 0 ? Objective.classLogit(i % 3) : Objective.channelMean("out1", i % 4));
        }
        List<InputGradient> together = model.inputGradients(inputs, objectives);
        for (int i = 0; i < inputs.size(); i++) {
            InputGradient alone = model.inputGradient(inputs.get(i), objectives.get(i));
            assertThat(together.get(i).value()).as("input %d", i).isCloseTo(alone.value(), within(1e-6 * Math.abs(alone.value())));
            assertClose(together.get(i).gradient(), doubles(alone.gradient()), "input " + i);
        }
        assertSameGradients(model, inputs, objectives);
    }

    private static ConvolutionLayer conv(int out, Activation activation) {
        return new ConvolutionLayer.Builder(3, 3).nOut(out).convolutionMode(ConvolutionMode.Same).activation(activation).build();
    }

    /** Values and gradients within 1e-4 of the largest of what Deeplearning4j's backward pass gives. */
    private static void assertSameGradients(Dl4jModel model, List<float[]> inputs, List<Objective> objectives) {
        List<InputGradient> compiled = model.inputGradients(inputs, objectives);
        List<InputGradient> reference = model.inputGradientsOnDeeplearning4j(inputs, objectives);
        for (int i = 0; i < inputs.size(); i++) {
            String what = model.name() + " d " + objectives.get(i) + " / d input";
            double largest = Math.max(1e-6, Math.abs(reference.get(i).value()));
            assertThat(compiled.get(i).value()).as(what).isCloseTo(reference.get(i).value(), within(1e-4 * largest));
            assertClose(compiled.get(i).gradient(), doubles(reference.get(i).gradient()), what);
            assertThat(max(reference.get(i).gradient())).as("a gradient that can show a mistake: " + what).isGreaterThan(0);
        }
    }

    private static void assertSameClassGradients(Dl4jModel model, BufferedImage picture, List<Tap> taps) {
        ClassGradient compiled = model.classGradient(picture, ClassGradient.MOST_PROBABLE_CLASS, taps);
        ClassGradient reference = model.classGradientOnDeeplearning4j(picture, ClassGradient.MOST_PROBABLE_CLASS, taps);
        assertThat(compiled.classIndex()).isEqualTo(reference.classIndex());
        assertThat((double) compiled.score()).isCloseTo(reference.score(), within(1e-4 * Math.max(1e-6, Math.abs(reference.score()))));
        assertClose(compiled.probabilities().toArray(), doubles(reference.probabilities().toArray()), "probabilities");
        for (int i = 0; i < taps.size(); i++) {
            String what = model.name() + " d class / d " + taps.get(i).layerName();
            assertClose(compiled.activations().get(i).toArray(), doubles(reference.activations().get(i).toArray()), what + " (activation)");
            assertClose(compiled.gradients().get(i).toArray(), doubles(reference.gradients().get(i).toArray()), what);
        }
    }

    private static double max(float[] values) {
        double m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
