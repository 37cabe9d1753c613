package io.cnnsee.dl4j;

import io.cnnsee.MapShape;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * VGG16 computed with plain loops in double precision, channels last as Keras computes it, from
 * the Keras-layout weights: an independent check of the DL4J network, its weight conversion and
 * its preprocessing. Outputs are in (h, w, c) order.
 */
final class ReferenceVgg16 {

    private final Vgg16Architecture architecture;
    private final Map<String, LayerWeights> weights;

    ReferenceVgg16(Vgg16Architecture architecture, Map<String, LayerWeights> weights) {
        this.architecture = architecture;
        this.weights = weights;
    }

    /** Keras' preprocess_input on an image already of the input size: BGR, means subtracted, (h, w, c). */
    static double[] preprocess(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        double[] x = new double[h * w * 3];
        double[] means = {103.939, 116.779, 123.68};
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < w; i++) {
                int rgb = image.getRGB(i, y);
                int r = rgb >> 16 & 0xFF;
                int g = rgb >> 8 & 0xFF;
                int b = rgb & 0xFF;
                int o = (y * w + i) * 3;
                x[o] = b - means[0];
                x[o + 1] = g - means[1];
                x[o + 2] = r - means[2];
            }
        }
        return x;
    }

    /** Every layer's output for {@code image} (already input-sized), by layer name, (h, w, c) order. */
    Map<String, double[]> run(BufferedImage image) {
        Map<String, double[]> out = new LinkedHashMap<>();
        runFrom(0, preprocess(image), architecture.inputSize(), 3, true, out);
        return out;
    }

    /**
     * The class scores before softmax when the output of layer {@code layerName} is
     * {@code activation} ((h, w, c) order): the rest of the network, run from there.
     */
    double[] logitsFrom(String layerName, double[] activation) {
        int index = architecture.indexOf(layerName);
        MapShape shape = architecture.outputShape(index);
        return runFrom(index + 1, activation, shape.height(), shape.channels(), false, new LinkedHashMap<>());
    }

    /** The class scores before softmax for an input {@code x} already preprocessed, (h, w, c) order. */
    double[] logitsFromInput(double[] x) {
        return runFrom(0, x, architecture.inputSize(), 3, false, new LinkedHashMap<>());
    }

    /** Layers {@code first} to the last on {@code x}, each output put in {@code out}; the last one's returned. */
    private double[] runFrom(int first, double[] x, int side, int channels, boolean softmax, Map<String, double[]> out) {
        List<LayerSpec> layers = architecture.layers();
        for (LayerSpec spec : layers.subList(first, layers.size())) {
            LayerWeights w = weights.get(spec.name());
            switch (spec.kind()) {
                case CONV -> {
                    x = conv(x, side, channels, w);
                    channels = spec.outputs();
                }
                case POOL -> {
                    x = pool(x, side, channels);
                    side /= 2;
                }
                case DENSE -> x = dense(x, w, true);
                case SOFTMAX -> x = softmax ? softmax(dense(x, w, false)) : dense(x, w, false);
            }
            out.put(spec.name(), x);
        }
        return x;
    }

    private static double[] conv(double[] in, int side, int cin, LayerWeights w) {
        int cout = w.bias().length;
        float[] k = w.kernel();
        double[] out = new double[side * side * cout];
        double[] acc = new double[cout];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                for (int co = 0; co < cout; co++) {
                    acc[co] = w.bias()[co];
                }
                for (int ky = 0; ky < 3; ky++) {
                    int iy = y + ky - 1;
                    if (iy < 0 || iy >= side) {
                        continue;
                    }
                    for (int kx = 0; kx < 3; kx++) {
                        int ix = x + kx - 1;
                        if (ix < 0 || ix >= side) {
                            continue;
                        }
                        int inBase = (iy * side + ix) * cin;
                        for (int ci = 0; ci < cin; ci++) {
                            double v = in[inBase + ci];
                            int kBase = ((ky * 3 + kx) * cin + ci) * cout;
                            for (int co = 0; co < cout; co++) {
                                acc[co] += v * k[kBase + co];
                            }
                        }
                    }
                }
                int o = (y * side + x) * cout;
                for (int co = 0; co < cout; co++) {
                    out[o + co] = Math.max(0, acc[co]);
                }
            }
        }
        return out;
    }

    private static double[] pool(double[] in, int side, int c) {
        int half = side / 2;
        double[] out = new double[half * half * c];
        for (int y = 0; y < half; y++) {
            for (int x = 0; x < half; x++) {
                for (int ch = 0; ch < c; ch++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            m = Math.max(m, in[((2 * y + dy) * side + 2 * x + dx) * c + ch]);
                        }
                    }
                    out[(y * half + x) * c + ch] = m;
                }
            }
        }
        return out;
    }

    /** Keras Dense on a channels-last flatten: kernel (in, out). */
    private static double[] dense(double[] in, LayerWeights w, boolean relu) {
        int nOut = w.bias().length;
        double[] out = new double[nOut];
        for (int o = 0; o < nOut; o++) {
            out[o] = w.bias()[o];
        }
        float[] k = w.kernel();
        for (int i = 0; i < in.length; i++) {
            double v = in[i];
            for (int o = 0; o < nOut; o++) {
                out[o] += v * k[i * nOut + o];
            }
        }
        if (relu) {
            for (int o = 0; o < nOut; o++) {
                out[o] = Math.max(0, out[o]);
            }
        }
        return out;
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = Math.exp(z[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < z.length; i++) {
            out[i] /= sum;
        }
        return out;
    }
}
