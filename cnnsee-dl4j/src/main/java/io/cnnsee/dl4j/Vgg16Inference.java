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
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * VGG16 backward (and, where oneDNN's presets are not available, forward) through ND4J's
 * operations, channels-last (NHWC), for class gradients (Grad-CAM) and as the fallback pass:
 * {@link #run} keeps the outputs the backward pass routes by, {@link #backward} takes the gradient
 * down. Where oneDNN is available the forward half runs there ({@link OnednnPass}).
 *
 * <p>The convolution kernels are passed to ND4J's {@code conv2d} as copies of their own in Keras'
 * (kh, kw, in, out) order, made on first use: passed as the views of Deeplearning4j's one
 * parameter array that they are, every convolution took about 10 ms longer. Not thread-safe: the
 * caller serialises passes.
 */
final class Vgg16Inference {

    /** For the gradient: kernels made on the fly, [in, out, 3, 3]. */
    private static final Conv2DConfig CONV = Conv2DConfig.builder()
            .kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
            .paddingMode(PaddingMode.SAME).dataFormat("NHWC").weightsFormat(WeightsFormat.OIYX).build();
    /** For the forward pass: the kernel copies, [3, 3, in, out]. */
    private static final Conv2DConfig CONV_YXIO = Conv2DConfig.builder()
            .kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
            .paddingMode(PaddingMode.SAME).dataFormat("NHWC").weightsFormat(WeightsFormat.YXIO).build();
    private static final Pooling2DConfig POOL = Pooling2DConfig.builder()
            .kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1)
            .paddingMode(PaddingMode.VALID).type(Pooling2D.Pooling2DType.MAX).isNHWC(true).build();

    private final Vgg16Architecture architecture;
    private final MultiLayerNetwork network;
    private final List<LayerSpec> layers;
    /** Per conv layer, the kernel [3, 3, in, out] and the bias [out]; made on first use. */
    private final INDArray[] kernels;
    private final INDArray[] biases;
    /** Per conv layer, the kernel the backward pass correlates with ({@link #transposedKernel}); made on first use. */
    private final INDArray[] transposed;

    Vgg16Inference(Vgg16Architecture architecture, MultiLayerNetwork network) {
        this.architecture = architecture;
        this.network = network;
        this.layers = architecture.layers();
        this.kernels = new INDArray[layers.size()];
        this.biases = new INDArray[layers.size()];
        this.transposed = new INDArray[layers.size()];
    }

    private INDArray kernel(int layer) {
        if (kernels[layer] == null) {
            // [out, in, kh, kw] -> [kh, kw, in, out], a copy of its own
            kernels[layer] = network.getLayer(layer).getParam("W").permute(2, 3, 1, 0).dup('c');
        }
        return kernels[layer];
    }

    private INDArray bias(int layer) {
        if (biases[layer] == null) {
            float[] b;
            try (INDArray copy = network.getLayer(layer).getParam("b").dup('c')) {
                b = copy.data().asFloat();
            }
            biases[layer] = Nd4j.create(b, new long[] {b.length}, 'c');
        }
        return biases[layer];
    }

    /** Frees the kernel copies, forward and backward. */
    void close() {
        for (INDArray[] arrays : List.of(kernels, biases, transposed)) {
            for (int i = 0; i < arrays.length; i++) {
                if (arrays[i] != null) {
                    arrays[i].close();
                    arrays[i] = null;
                }
            }
        }
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
                LayerSpec spec = layers.get(i);
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

    /**
     * Backpropagates {@code gradient}, the gradient of a scalar with respect to the output of
     * layer {@code from} ({@code [1, units]} or {@code [1, h, w, c]}), down to the output of layer
     * {@code to < from}, and returns the gradients with respect to the outputs of the layers in
     * {@code keep} (channels-last, like {@link #run}). {@code outputs} must hold the forward
     * outputs of layers {@code to} to {@code from}: the ReLUs and pools route the gradient by them.
     * The caller closes the returned arrays; {@code gradient} stays the caller's.
     */
    Map<Integer, INDArray> backward(INDArray gradient, int from, int to, Map<Integer, INDArray> outputs, Set<Integer> keep) {
        Map<Integer, INDArray> kept = new HashMap<>();
        INDArray g = gradient;
        boolean gKept = true;
        try {
            for (int i = from; i > to; i--) {
                if (keep.contains(i) && !kept.containsKey(i)) {
                    kept.put(i, g.dup('c'));
                }
                LayerSpec spec = layers.get(i);
                INDArray below = outputs.get(i - 1);
                INDArray next = switch (spec.kind()) {
                    case CONV -> convBackward(g, outputs.get(i), i);
                    case POOL -> poolBackward(g, below);
                    case DENSE, SOFTMAX -> denseBackward(g, outputs.get(i), below, i, spec.kind() == LayerSpec.Kind.DENSE);
                };
                if (!gKept) {
                    g.close();
                }
                g = next;
                gKept = false;
            }
            if (keep.contains(to)) {
                kept.put(to, gKept ? g.dup('c') : g);
            } else if (!gKept) {
                g.close();
            }
            return kept;
        } catch (RuntimeException | Error e) {
            kept.values().forEach(INDArray::close);
            throw e;
        }
    }

    /** The class scores before softmax, {@code [n, classes]}, from the output of the layer before the last. */
    INDArray logits(INDArray penultimate) {
        var params = network.getLayer(layers.size() - 1);
        return penultimate.mmul(params.getParam("W")).addiRowVector(params.getParam("b"));
    }

    /** Row {@code classIndex} of the last layer's kernel: the gradient of that logit with respect to its input. */
    INDArray logitGradient(int classIndex) {
        INDArray w = network.getLayer(layers.size() - 1).getParam("W"); // [in, classes]
        float[] column;
        try (INDArray copy = w.getColumn(classIndex).dup('c')) {
            column = copy.data().asFloat();
        }
        return Nd4j.create(column, new long[] {1, column.length}, 'c');
    }

    /** Through ReLU(conv): mask by the output, then correlate with the kernels turned around. */
    private INDArray convBackward(INDArray g, INDArray output, int layer) {
        if (transposed[layer] == null) {
            // Kept: rearranging VGG16's kernels cost about 30 ms a backward pass, every step of a visualisation.
            transposed[layer] = transposedKernel(layer);
        }
        try (INDArray mask = Transforms.step(output, true);
             INDArray pre = g.mul(mask)) {
            return Nd4j.cnn().conv2d(pre, transposed[layer], CONV);
        }
    }

    private INDArray transposedKernel(int layer) {
        INDArray w = network.getLayer(layer).getParam("W");
        return Nd4j.create(turnedAround(w), new long[] {w.size(1), w.size(0), 3, 3}, 'c');
    }

    /**
     * {@code W'[i][o][y][x] = W[o][i][2 - y][2 - x]}, [in, out, 3, 3] from Deeplearning4j's
     * [out, in, 3, 3]: the gradient of a same-padded stride-1 correlation with respect to its input
     * is the correlation of the output gradient with W'.
     */
    static float[] turnedAround(INDArray w) {
        int out = (int) w.size(0);
        int in = (int) w.size(1);
        float[] src;
        try (INDArray copy = w.dup('c')) {
            src = copy.data().asFloat();
        }
        float[] dst = new float[src.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int k = 0; k < 9; k++) {
                    dst[(i * out + o) * 9 + (8 - k)] = src[(o * in + i) * 9 + k];
                }
            }
        }
        return dst;
    }

    /**
     * Through a 2x2 max pool: each window's gradient goes to its first largest input, as the pool
     * took it; picture by picture of the batch.
     */
    private static INDArray poolBackward(INDArray g, INDArray input) {
        int n = (int) input.size(0);
        int h = (int) input.size(1);
        int w = (int) input.size(2);
        int c = (int) input.size(3);
        float[] x;
        float[] gp;
        try (INDArray xc = input.dup('c'); INDArray gc = g.dup('c')) {
            x = xc.data().asFloat();
            gp = gc.data().asFloat();
        }
        float[] gx = new float[x.length];
        int half = w / 2;
        int inPlane = h * w * c;
        int outPlane = (h / 2) * half * c;
        for (int p = 0; p < n; p++) {
            int in = p * inPlane;
            int out = p * outPlane;
            for (int py = 0; py < h / 2; py++) {
                for (int px = 0; px < half; px++) {
                    for (int ch = 0; ch < c; ch++) {
                        int best = in + ((2 * py) * w + 2 * px) * c + ch;
                        for (int d = 1; d < 4; d++) {
                            int at = in + ((2 * py + d / 2) * w + 2 * px + d % 2) * c + ch;
                            if (x[at] > x[best]) {
                                best = at;
                            }
                        }
                        gx[best] = gp[out + (py * half + px) * c + ch];
                    }
                }
            }
        }
        return Nd4j.create(gx, input.shape(), 'c');
    }

    /** Through a dense layer: mask by its ReLU (not for the logits), then multiply by the kernel's transpose. */
    private INDArray denseBackward(INDArray g, INDArray output, INDArray input, int layer, boolean relu) {
        INDArray w = network.getLayer(layer).getParam("W"); // [in, out]
        INDArray gIn;
        if (relu) {
            try (INDArray mask = Transforms.step(output, true); INDArray pre = g.mul(mask)) {
                gIn = pre.mmul(w.transpose());
            }
        } else {
            gIn = g.mmul(w.transpose());
        }
        if (input.rank() == 4) {
            // fc1 reads pool5 flattened in (c, h, w) order (see dense); put the gradient back channels-last.
            INDArray hwc = gIn.reshape('c', 1, input.size(3), input.size(1), input.size(2)).permute(0, 2, 3, 1).dup('c');
            gIn.close(); // the reshaped view shares its buffer, so only the original is closed
            return hwc;
        }
        return gIn;
    }

    private INDArray conv(INDArray x, int layer) {
        INDArray y = Nd4j.cnn().conv2d(x, kernel(layer), bias(layer), CONV_YXIO);
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
