package io.cnnsee.dl4j;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Builds VGG16 layer by layer in Deeplearning4j (channels first, 32-bit floats) and moves Keras
 * weights into it.
 */
final class Vgg16Network {

    static {
        NativeBuild.select(); // before ND4J loads its natives, which the first network does
    }

    private Vgg16Network() {
    }

    /** The network of {@code architecture}, its parameters drawn with {@code seed}. */
    static MultiLayerNetwork build(Vgg16Architecture architecture, long seed) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .list();
        for (LayerSpec spec : architecture.layers()) {
            list.layer(switch (spec.kind()) {
                case CONV -> new ConvolutionLayer.Builder(3, 3)
                        .name(spec.name()).nIn(spec.inputs()).nOut(spec.outputs())
                        .stride(1, 1).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build();
                case POOL -> new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                        .name(spec.name()).kernelSize(2, 2).stride(2, 2).build();
                case DENSE -> new DenseLayer.Builder()
                        .name(spec.name()).nIn(spec.inputs()).nOut(spec.outputs())
                        .activation(Activation.RELU).build();
                case SOFTMAX -> new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .name(spec.name()).nIn(spec.inputs()).nOut(spec.outputs())
                        .activation(Activation.SOFTMAX).build();
            });
        }
        MultiLayerConfiguration conf = list
                .setInputType(InputType.convolutional(architecture.inputSize(), architecture.inputSize(), 3))
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    /**
     * Sets every weighted layer of {@code network} from Keras weights. Conv kernels go from Keras'
     * (kh, kw, in, out) to DL4J's (out, in, kh, kw); both correlate without flipping. The rows of
     * {@code fc1} are reordered from Keras' channels-last flatten (h, w, c) to DL4J's
     * channels-first flatten (c, h, w).
     */
    static void setWeights(MultiLayerNetwork network, Vgg16Architecture architecture, Map<String, LayerWeights> weights) {
        List<LayerSpec> layers = architecture.layers();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec spec = layers.get(i);
            if (!spec.hasWeights()) {
                continue;
            }
            LayerWeights w = weights.get(spec.name());
            if (w == null) {
                throw new WeightsFormatException("No weights for layer " + spec.name());
            }
            if (!Arrays.equals(w.kernelShape(), spec.kernelShape())) {
                throw new WeightsFormatException("Layer " + spec.name() + " has kernel shape "
                        + Arrays.toString(w.kernelShape()) + ", expected " + Arrays.toString(spec.kernelShape()));
            }
            INDArray kernel = switch (spec.kind()) {
                case CONV -> Nd4j.create(convKernel(w.kernel(), spec.inputs(), spec.outputs()),
                        new long[] {spec.outputs(), spec.inputs(), 3, 3}, 'c');
                case DENSE, SOFTMAX -> Nd4j.create(
                        spec.name().equals("fc1") ? fc1Rows(w.kernel(), architecture) : w.kernel(),
                        new long[] {spec.inputs(), spec.outputs()}, 'c');
                case POOL -> throw new AssertionError("pools have no weights");
            };
            var layer = network.getLayer(i);
            layer.setParam("W", kernel);
            layer.setParam("b", Nd4j.create(w.bias(), new long[] {1, spec.outputs()}, 'c'));
        }
    }

    /** Keras (kh, kw, in, out) to DL4J (out, in, kh, kw). */
    static float[] convKernel(float[] keras, int in, int out) {
        float[] dl4j = new float[keras.length];
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                for (int ci = 0; ci < in; ci++) {
                    int from = ((ky * 3 + kx) * in + ci) * out;
                    for (int co = 0; co < out; co++) {
                        dl4j[((co * in + ci) * 3 + ky) * 3 + kx] = keras[from + co];
                    }
                }
            }
        }
        return dl4j;
    }

    /** fc1's kernel rows from Keras' (h, w, c) flatten order to DL4J's (c, h, w). */
    static float[] fc1Rows(float[] keras, Vgg16Architecture architecture) {
        int side = architecture.finalSpatialSize();
        int channels = architecture.widths()[4];
        int out = architecture.denseWidth();
        float[] dl4j = new float[keras.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int dl4jRow = (c * side + y) * side + x;
                    int kerasRow = (y * side + x) * channels + c;
                    System.arraycopy(keras, kerasRow * out, dl4j, dl4jRow * out, out);
                }
            }
        }
        return dl4j;
    }
}
