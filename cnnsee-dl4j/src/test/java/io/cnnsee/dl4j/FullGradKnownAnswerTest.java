package io.cnnsee.dl4j;

import io.cnnsee.BiasGradients;
import io.cnnsee.FeatureMap;
import io.cnnsee.FullGrad;
import io.cnnsee.FullGradient;
import io.cnnsee.ImageInput;
import io.cnnsee.Objective;
import io.cnnsee.SaliencyMap;
import io.cnnsee.SaliencyMethod;
import io.cnnsee.UnsupportedCapabilityException;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * FullGrad through the engine, on networks built so the answer is known. A ReLU network with
 * biases is piecewise linear, so its score is exactly the input times its gradient plus every
 * bias times the gradient at its layer (FullGrad's completeness): a gradient taken after the
 * activation instead of before, or a convolution's or batch normalisation's bias missed, breaks
 * the sum.
 *
 * <p>The first network: "colour" = ReLU(red - 0.2, blue - 0.2) by a 1 x 1 convolution, "mix" =
 * channel 0 - channel 1 + 0.1, a global mean, class 0 reading it with a bias of 0.25. The picture
 * is red (1) in columns 0-3 of rows 1-7 (28 pixels) and blue 0.6 in columns 4-7 of rows 1-3 (12
 * pixels): score (28 x 0.8 - 12 x 0.4) / 64 + 0.1 + 0.25 = 0.625. The dense layer's bias is not
 * a bias over a map, which FullGrad (as pytorch-grad-cam) leaves out: the parts add up to the
 * score less 0.25.
 */
class FullGradKnownAnswerTest {

    static final int SIDE = 8;
    static final int N = SIDE * SIDE;

    static MultiLayerNetwork colourMix(boolean batchNorm) {
        var list = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("colour").nOut(2)
                        .activation(batchNorm ? Activation.IDENTITY : Activation.RELU).build());
        if (batchNorm) {
            list.layer(new BatchNormalization.Builder().name("norm").nOut(2).eps(1e-5).useLogStd(false).build())
                    .layer(new ActivationLayer.Builder().name("relu").activation(Activation.RELU).build());
        }
        MultiLayerConfiguration conf = list
                .layer(new ConvolutionLayer.Builder(1, 1).name("mix").nOut(1).activation(Activation.IDENTITY).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("mean").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIDE, SIDE, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).setParam("W", Nd4j.create(new float[] {1, 0, 0, 0, 0, 1}, new long[] {2, 3, 1, 1}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.create(new float[] {-0.2f, -0.2f}, new long[] {1, 2}, 'c'));
        int mix = 1;
        if (batchNorm) {
            net.getLayer(1).setParam("gamma", Nd4j.create(new float[] {2f, 0.5f}, new long[] {1, 2}, 'c'));
            net.getLayer(1).setParam("beta", Nd4j.create(new float[] {0.5f, -0.1f}, new long[] {1, 2}, 'c'));
            net.getLayer(1).setParam("mean", Nd4j.create(new float[] {0.1f, 0.2f}, new long[] {1, 2}, 'c'));
            net.getLayer(1).setParam("var", Nd4j.create(new float[] {4f, 0.25f}, new long[] {1, 2}, 'c'));
            mix = 3;
        }
        net.getLayer(mix).setParam("W", Nd4j.create(new float[] {1, -1}, new long[] {1, 2, 1, 1}, 'c'));
        net.getLayer(mix).setParam("b", Nd4j.create(new float[] {0.1f}, new long[] {1, 1}, 'c'));
        net.getLayer(mix + 2).setParam("W", Nd4j.create(new float[] {1, 0}, new long[] {1, 2}, 'c'));
        net.getLayer(mix + 2).setParam("b", Nd4j.create(new float[] {0.25f, 0}, new long[] {1, 2}, 'c'));
        return net;
    }

    static BufferedImage picture() {
        BufferedImage p = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 1; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                if (x < 4) {
                    p.setRGB(x, y, 0xFF0000);
                } else if (y < 4) {
                    p.setRGB(x, y, 153);
                }
            }
        }
        return p;
    }

    static boolean red(int y, int x) {
        return y > 0 && x < 4;
    }

    static boolean blue(int y, int x) {
        return y > 0 && y < 4 && x >= 4;
    }

    @Test
    void theBiasesAndGradientsAreEachLayersBeforeItsActivation() {
        try (Dl4jModel model = Dl4jModels.of(colourMix(false), ImageInput.unit(SIDE))) {
            FullGradient g = model.fullGradient(picture(), 0);
            assertThat(g.classIndex()).isZero();
            assertThat((double) g.score()).isCloseTo(0.625, within(1e-6));
            assertThat(g.biases()).extracting(FullGradient.Bias::layer).containsExactly("colour", "mix");
            assertThat(g.biases().get(0).values()).containsExactly(-0.2f, -0.2f);
            assertThat(g.biases().get(1).values()).containsExactly(0.1f);
            FeatureMap colour = g.biases().get(0).gradient();
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    String at = " at (" + y + ", " + x + ")";
                    assertThat(colour.get(0, y, x)).as("red" + at).isCloseTo(red(y, x) ? 1f / N : 0, within(1e-7f));
                    assertThat(colour.get(1, y, x)).as("blue" + at).isCloseTo(blue(y, x) ? -1f / N : 0, within(1e-7f));
                    assertThat(g.biases().get(1).gradient().get(0, y, x)).as("mix" + at).isCloseTo(1f / N, within(1e-7f));
                    assertThat(g.input().get(2, y, x)).as("input, blue" + at).isCloseTo(blue(y, x) ? 0.6f : 0, within(1e-6f));
                }
            }
            assertThat(completeness(g)).isCloseTo(0.625 - 0.25, within(1e-6));
        }
    }

    /**
     * Per channel (pytorch-grad-cam), red and blue pixels each get 1 from the input and 1 from
     * "colour", and "mix" is constant (nothing): the map is 1 on both colours. Scaled per layer
     * (the paper), the input's blue 0.6 / 64 stays 0.6 of red's: blue is 1.6 / 2 = 0.8.
     */
    @Test
    void theMapIsKnownInBothForms() {
        try (Dl4jModel model = Dl4jModels.of(colourMix(false), ImageInput.unit(SIDE))) {
            SaliencyMap ours = SaliencyMethod.FULL_GRAD.compute(model, picture(), Objective.classLogit(0), 0);
            SaliencyMap paper = FullGrad.paper(model.fullGradient(picture(), 0));
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    String at = " at (" + y + ", " + x + ")";
                    float either = red(y, x) || blue(y, x) ? 1 : 0;
                    assertThat(ours.map()[y * SIDE + x]).as("pytorch-grad-cam's" + at).isCloseTo(either, within(1e-6f));
                    assertThat(paper.map()[y * SIDE + x]).as("the paper's" + at)
                            .isCloseTo(red(y, x) ? 1 : blue(y, x) ? 0.8f : 0, within(1e-6f));
                }
            }
            assertThat(ours.method()).isEqualTo("FullGrad");
        }
    }

    /** A batch normalisation's bias is its shift, beta - mean gamma / sqrt(var + eps), kept apart from the convolution before it. */
    @Test
    void aBatchNormalisationsShiftIsABiasOfItsOwn() {
        try (Dl4jModel model = Dl4jModels.of(colourMix(true), ImageInput.unit(SIDE))) {
            FullGradient g = model.fullGradient(picture(), 0);
            assertThat(g.biases()).extracting(FullGradient.Bias::layer).containsExactly("colour", "norm", "mix");
            float[] shift = g.biases().get(1).values();
            assertThat((double) shift[0]).isCloseTo(0.5 - 0.1 * 2 / Math.sqrt(4 + 1e-5), within(1e-6));
            assertThat((double) shift[1]).isCloseTo(-0.1 - 0.2 * 0.5 / Math.sqrt(0.25 + 1e-5), within(1e-6));
            // Channel 0 is alive everywhere (1.2 on red, 0.2 elsewhere), channel 1 on blue alone (0.1).
            double s0 = 2 / Math.sqrt(4 + 1e-5);
            double s1 = 0.5 / Math.sqrt(0.25 + 1e-5);
            double red = Math.max(0, s0 * (0.8 - 0.1) + 0.5);
            double blue = Math.max(0, s1 * (0.4 - 0.2) - 0.1);
            double offRed = Math.max(0, s0 * (-0.2 - 0.1) + 0.5);
            double score = (28 * red + 36 * offRed - 12 * blue) / N + 0.1 + 0.25;
            assertThat((double) g.score()).isCloseTo(score, within(1e-6));
            assertThat(completeness(g)).isCloseTo(score - 0.25, within(1e-6));
        }
    }

    @Test
    void aModelWithoutItsClassifierHasNoBiasGradientsAndClassesAreChecked() {
        try (Dl4jModel model = Dl4jModels.of(colourMix(false), ImageInput.unit(SIDE))) {
            assertThat(model.capability(BiasGradients.class)).isPresent();
            assertThatThrownBy(() -> model.fullGradient(picture(), 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Class 2 is not one of").hasMessageEndingWith("'s classes 0 to 1");
        }
        try (Vgg16Model vgg = Vgg16.builder().architecture(Vgg16ModelTest.TINY).weights(Vgg16Weights.random(8)).build()) {
            assertThat(vgg.capability(BiasGradients.class)).isEmpty();
            assertThatThrownBy(() -> SaliencyMethod.FULL_GRAD.requireOn(vgg)).isInstanceOf(UnsupportedCapabilityException.class)
                    .hasMessageStartingWith("Saliency needs a model that classifies, and " + vgg.name() + " does not classify");
            assertThatThrownBy(() -> vgg.fullGradient(picture(), 0)).isInstanceOf(UnsupportedCapabilityException.class);
        }
    }

    /** The input times its gradient, plus each bias times the sum of its channel's gradient. */
    static double completeness(FullGradient g) {
        double sum = 0;
        float[] x = g.input().toArray();
        float[] dx = g.inputGradient().toArray();
        for (int i = 0; i < x.length; i++) {
            sum += (double) x[i] * dx[i];
        }
        for (FullGradient.Bias b : g.biases()) {
            float[] values = b.values();
            FeatureMap grad = b.gradient();
            for (int c = 0; c < values.length; c++) {
                for (int y = 0; y < grad.height(); y++) {
                    for (int xx = 0; xx < grad.width(); xx++) {
                        sum += (double) values[c] * grad.get(c, y, xx);
                    }
                }
            }
        }
        return sum;
    }
}
