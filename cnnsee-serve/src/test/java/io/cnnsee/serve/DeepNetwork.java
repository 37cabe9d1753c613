package io.cnnsee.serve;

import io.cnnsee.ImageInput;
import io.cnnsee.WeightsInfo;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jModels;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A network with more layers than the colour network, for the page's layout: five 1 x 1
 * convolutions at 16 x 16 pixels ({@code conv1} to {@code conv5}), a 2 x 2 max pooling
 * ({@code pool1}), five more at 8 x 8 ({@code conv6} to {@code conv10}) and another pooling
 * ({@code pool2}): twelve layers, so the list numbers them into two digits; {@value #CHANNELS}
 * channels each, two rows of tiles; seeded weights. Its default taps are the last convolution at
 * each size, {@code conv5} and {@code conv10}: Grad-CAM's default is {@code conv10}.
 */
final class DeepNetwork {

    static final int LAYERS = 12;
    static final int CHANNELS = 12;

    private DeepNetwork() {
    }

    static Dl4jModel model() {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).list();
        int conv = 0;
        for (int block = 1; block <= 2; block++) {
            for (int i = 0; i < 5; i++) {
                conv++;
                list.layer(new ConvolutionLayer.Builder(1, 1).name("conv" + conv).nOut(CHANNELS)
                        .activation(Activation.RELU).build());
            }
            list.layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool" + block).kernelSize(2, 2).stride(2, 2).build());
        }
        list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("mean").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nOut(3)
                        .activation(Activation.SOFTMAX).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.setInputType(InputType.convolutional(16, 16, 3)).build());
        net.init();
        return Dl4jModels.builder(net).name("Deep").input(ImageInput.unit(16))
                .weights(new WeightsInfo("seeded", "none", false)).build();
    }
}
