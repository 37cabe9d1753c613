package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A network whose explanations are known by construction (CamKnownAnswerTest, and the picture of
 * docs/explanations.md through this module's test jar): a 1 x 1 convolution "colour" whose channel
 * 0 is the picture's red and channel 1 its blue, then tanh, a global mean, and a head whose class
 * 0 reads channel 0 and class 1 channel 1. Inputs of 0..1.
 */
public final class TwoObjects {

    private TwoObjects() {
    }

    /** The network for pictures of {@code side} x {@code side}. */
    public static Dl4jModel network(int side) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("colour").nOut(2).activation(Activation.IDENTITY).build())
                .layer(new ActivationLayer.Builder().name("squash").activation(Activation.TANH).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("mean").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(side, side, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).setParam("W", Nd4j.create(new float[] {1, 0, 0, 0, 0, 1}, new long[] {2, 3, 1, 1}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 2));
        net.getLayer(3).setParam("W", Nd4j.create(new float[] {1, 0, 0, 1}, new long[] {2, 2}, 'c'));
        net.getLayer(3).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 2));
        return Dl4jModels.of(net, ImageInput.unit(side));
    }
}
