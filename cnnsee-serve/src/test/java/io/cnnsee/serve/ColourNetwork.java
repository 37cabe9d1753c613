package io.cnnsee.serve;

import io.cnnsee.ImageInput;
import io.cnnsee.WeightsInfo;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jModels;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A network whose answers are obvious, for the explorer's tests: at 16 x 16 pixels, layer
 * {@code colour} has redness, greenness and blueness ({@code max(0, c - mean of the other two)},
 * colours from 0 to 1), {@code pooled} is its 2 x 2 max pooling, and the classes red, green and
 * blue are 10 times each colour's mean.
 */
final class ColourNetwork {

    static final int SIDE = 16;
    /** Columns of {@link #picture()} that are red; the rest are half-bright blue. */
    static final int RED_COLUMNS = 12;
    /** The blue of {@link #picture()}: blueness 128/255 there. */
    static final int BLUE = 128;

    private ColourNetwork() {
    }

    static Dl4jModel model(Path dir) throws IOException {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("colour").nOut(3).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pooled").kernelSize(2, 2).stride(2, 2).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("mean").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIDE, SIDE, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        float h = -0.5f;
        net.getLayer(0).setParam("W", Nd4j.create(new float[] {1, h, h, h, 1, h, h, h, 1}, new long[] {3, 3, 1, 1}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 3));
        net.getLayer(3).setParam("W", Nd4j.create(new float[] {10, 0, 0, 0, 10, 0, 0, 0, 10}, new long[] {3, 3}, 'c'));
        net.getLayer(3).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 3));
        Path labels = dir.resolve("colours.txt");
        Files.write(labels, List.of("red", "green", "blue"));
        return Dl4jModels.builder(net).name("Colours").input(ImageInput.unit(SIDE)).labels(labels)
                .weights(new WeightsInfo("set by hand", "none", false)).build();
    }

    /** Red on the left {@link #RED_COLUMNS} columns, (0, 0, 128) on the right. */
    static BufferedImage picture() {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                image.setRGB(x, y, x < RED_COLUMNS ? 0xFF0000 : BLUE);
            }
        }
        return image;
    }

    static Path pictureFile(Path dir) throws IOException {
        Path file = dir.resolve("halves.png");
        ImageIO.write(picture(), "png", file.toFile());
        return file;
    }

    /** The probability of red: softmax of 10 x (3/4, 0, 1/4 x 128/255). */
    static double redProbability() {
        double red = Math.exp(10 * 0.75);
        double blue = Math.exp(10 * 0.25 * BLUE / 255.0);
        return red / (red + 1 + blue);
    }
}
