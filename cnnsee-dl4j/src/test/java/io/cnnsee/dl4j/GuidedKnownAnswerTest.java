package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.InputGradient;
import io.cnnsee.Objective;
import io.cnnsee.Saliency;
import io.cnnsee.SaliencyMap;
import io.cnnsee.SaliencyMethod;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Guided Backpropagation and Guided Grad-CAM through the engine's backward pass, on a network
 * built so the answer is known: a 1 x 1 convolution with ReLU whose channel 0 is red - 0.2 and
 * channel 1 blue - 0.2, then "mix" = channel 0 - channel 1, a global mean, and class 0 reading it.
 * The gradient coming back to the ReLU is +1/N for the red channel and -1/N for the blue one:
 * the plain gradient passes both where each colour is over 0.2; the guided one stops the negative
 * blue gradient.
 */
class GuidedKnownAnswerTest {

    static final int SIDE = 8;
    static final int N = SIDE * SIDE;

    static Dl4jModel redMinusBlue() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("colour").nOut(2).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(1, 1).name("mix").nOut(1).activation(Activation.IDENTITY).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("mean").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIDE, SIDE, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).setParam("W", Nd4j.create(new float[] {1, 0, 0, 0, 0, 1}, new long[] {2, 3, 1, 1}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.create(new float[] {-0.2f, -0.2f}, new long[] {1, 2}, 'c'));
        net.getLayer(1).setParam("W", Nd4j.create(new float[] {1, -1}, new long[] {1, 2, 1, 1}, 'c'));
        net.getLayer(1).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 1));
        net.getLayer(3).setParam("W", Nd4j.create(new float[] {1, 0}, new long[] {1, 2}, 'c'));
        net.getLayer(3).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 2));
        return Dl4jModels.of(net, ImageInput.unit(SIDE));
    }

    /** Red in columns 0-3, blue in columns 4-7; row 0 is black. */
    static BufferedImage picture() {
        BufferedImage p = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 1; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                p.setRGB(x, y, x < 4 ? 0xFF0000 : 0x0000FF);
            }
        }
        return p;
    }

    static boolean red(int y, int x) {
        return y > 0 && x < 4;
    }

    static boolean blue(int y, int x) {
        return y > 0 && x >= 4;
    }

    @Test
    void guidedBackpropStopsTheNegativeGradientThatThePlainOnePasses() {
        try (Dl4jModel model = redMinusBlue()) {
            float[] x = model.networkInput(picture());
            Objective logit = Objective.classLogit(0);
            InputGradient plain = model.inputGradient(x, logit);
            InputGradient guided = model.guidedInputGradients(List.of(x), List.of(logit)).get(0);
            assertThat(guided.value()).isCloseTo(plain.value(), within(1e-6));
            float[] p = plain.gradient();
            float[] g = guided.gradient();
            for (int y = 0; y < SIDE; y++) {
                for (int xx = 0; xx < SIDE; xx++) {
                    int i = y * SIDE + xx;
                    String at = " at (" + y + ", " + xx + ")";
                    assertThat(p[i]).as("plain, red" + at).isCloseTo(red(y, xx) ? 1f / N : 0, within(1e-7f));
                    assertThat(p[2 * N + i]).as("plain, blue" + at).isCloseTo(blue(y, xx) ? -1f / N : 0, within(1e-7f));
                    assertThat(g[i]).as("guided, red" + at).isCloseTo(red(y, xx) ? 1f / N : 0, within(1e-7f));
                    assertThat(g[2 * N + i]).as("guided, blue" + at).isZero();
                    assertThat(g[N + i]).as("guided, green" + at).isZero();
                }
            }
            SaliencyMap map = Saliency.guidedBackprop(model, picture(), logit);
            assertThat(map.method()).isEqualTo("Guided Backpropagation");
            assertThat(map.attributions()).containsExactly(g);
        }
    }

    /** Grad-CAM at "mix" is ReLU(red - blue) / N: the red half; times the guided gradient, the red half's red channel. */
    @Test
    void guidedGradCamKeepsTheGuidedGradientWhereGradCamFindsTheClass() {
        try (Dl4jModel model = redMinusBlue()) {
            SaliencyMap map = SaliencyMethod.GUIDED_GRAD_CAM.compute(model, picture(), Objective.classLogit(0), 0);
            assertThat(map.method()).isEqualTo("Guided Grad-CAM");
            float[] a = map.attributions();
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int i = y * SIDE + x;
                    assertThat(a[i]).as("red at (" + y + ", " + x + ")").isCloseTo(red(y, x) ? 1f / N : 0, within(1e-7f));
                    assertThat(a[2 * N + i]).as("blue at (" + y + ", " + x + ")").isZero();
                }
            }
            assertThat(model.capability(io.cnnsee.GuidedGradients.class)).isPresent();
        }
    }
}
