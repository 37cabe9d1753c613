package io.cnnsee.dl4j;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * VGG16's forward pass for inspection: the network's own parameters (no copy), run as ND4J
 * operations with channels-last (NHWC) activations.
 *
 * <p>Why not {@code MultiLayerNetwork.feedForward}: Deeplearning4j's convolution layer lowers to
 * im2col and a matrix multiply, about 1.2 s per 224 x 224 picture on 2 cores; ND4J's own
 * {@code conv2d} operation runs oneDNN's direct convolution when the native build has it, and
 * channels-last is the layout oneDNN prefers: about 5 to 10 times faster (docs/performance.md).
 * Outputs are kept only for the layers asked for; every other activation is freed as soon as the
 * next layer has read it. Not thread-safe: the caller serialises passes.
 */
final class Vgg16Inference {

    private static final Conv2DConfig CONV = Conv2DConfig.builder()
            .kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
            .paddingMode(PaddingMode.SAME).dataFormat("NHWC").weightsFormat(WeightsFormat.OIYX).build();
    private static final Pooling2DConfig POOL = Pooling2DConfig.builder()
            .kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1)
            .paddingMode(PaddingMode.VALID).type(Pooling2D.Pooling2DType.MAX).isNHWC(true).build();

    private final Vgg16Architecture architecture;
    private final MultiLayerNetwork network;

    Vgg16Inference(Vgg16Architecture architecture, MultiLayerNetwork network) {
        this.architecture = architecture;
        this.network = network;
    }

    /**
     * Runs {@code input}, the output of layer {@code first - 1} ({@code [n, size, size, 3]},
     * channels-last, when {@code first} is 0), through layers {@code first} to {@code last}, and
     * returns the outputs of the layers in {@code keep}: {@code [n, h, w, c]} for conv and pool
     * layers, {@code [n, units]} for dense ones. The caller closes them, and {@code input}.
     */
    Map<Integer, INDArray> run(INDArray input, int first, int last, Set<Integer> keep) {
        Map<Integer, INDArray> kept = new HashMap<>();
        INDArray x = input;
        boolean xKept = true; // the caller's input is the caller's to close
        try {
            for (int i = first; i <= last; i++) {
                LayerSpec spec = architecture.layers().get(i);
                INDArray y = switch (spec.kind()) {
                    case CONV -> conv(x, i);
                    case POOL -> Nd4j.cnn().maxPooling2d(x, POOL);
                    case DENSE, SOFTMAX -> dense(x, i, spec.kind() == LayerSpec.Kind.SOFTMAX);
                };
                if (!xKept) {
                    x.close();
                }
                x = y;
                xKept = keep.contains(i);
                if (xKept) {
                    kept.put(i, x);
                }
            }
            if (!xKept) {
                x.close();
            }
            return kept;
        } catch (RuntimeException | Error e) {
            kept.values().forEach(INDArray::close);
            throw e;
        }
    }

    private INDArray conv(INDArray x, int layer) {
        var params = network.getLayer(layer);
        INDArray w = params.getParam("W"); // [out, in, 3, 3]: oneDNN reorders it as it likes
        INDArray b = params.getParam("b").reshape(w.size(0));
        INDArray y = Nd4j.cnn().conv2d(x, w, b, CONV);
        return Transforms.relu(y, false);
    }

    private INDArray dense(INDArray x, int layer, boolean softmax) {
        INDArray flat;
        if (x.rank() == 4) {
            // fc1's rows follow Deeplearning4j's (c, h, w) flatten order (see Vgg16Network.fc1Rows).
            flat = x.permute(0, 3, 1, 2).dup('c').reshape('c', x.size(0), x.length() / x.size(0));
        } else {
            flat = x;
        }
        var params = network.getLayer(layer);
        INDArray y = flat.mmul(params.getParam("W")).addiRowVector(params.getParam("b"));
        if (flat != x) {
            flat.close();
        }
        return softmax ? Transforms.softmax(y, false) : Transforms.relu(y, false);
    }
}
