package io.cnnsee;

/** The arithmetic of the built-in {@link CamMethod}s, in double precision; maps before clipping at 0. */
final class CamFormulas {

    /** pytorch-grad-cam's small constants against division by zero: Grad-CAM++'s, and XGrad-CAM's. */
    static final double PLUS_PLUS_EPSILON = 1e-6;
    static final double EPSILON = 1e-7;

    private CamFormulas() {
    }

    static double[] gradCamWeights(CamInput in) {
        FeatureMap g = in.gradient();
        double[] w = new double[g.channelCount()];
        for (int k = 0; k < w.length; k++) {
            w[k] = g.channel(k).sum() / g.shape().channelSize();
        }
        return w;
    }

    static double[] gradCamPlusPlusWeights(CamInput in) {
        FeatureMap a = in.activation();
        FeatureMap g = in.gradient();
        double[] w = new double[a.channelCount()];
        for (int k = 0; k < w.length; k++) {
            Channel gk = g.channel(k);
            double sumA = a.channel(k).sum();
            double weight = 0;
            for (int p = 0; p < gk.size(); p++) {
                double d = gk.get(p);
                if (d == 0) {
                    continue;
                }
                double alpha = d * d / (2 * d * d + sumA * d * d * d + PLUS_PLUS_EPSILON);
                weight += alpha * Math.max(0, d);
            }
            w[k] = weight;
        }
        return w;
    }

    static double[] xGradCamWeights(CamInput in) {
        FeatureMap a = in.activation();
        FeatureMap g = in.gradient();
        double[] w = new double[a.channelCount()];
        for (int k = 0; k < w.length; k++) {
            Channel ak = a.channel(k);
            Channel gk = g.channel(k);
            double num = 0;
            for (int p = 0; p < ak.size(); p++) {
                num += (double) gk.get(p) * ak.get(p);
            }
            w[k] = num / (ak.sum() + EPSILON);
        }
        return w;
    }

    /** Masked pictures scored at once, so that 512 channels of 224 x 224 pictures need not be held together. */
    static final int SCORE_CHUNK = 32;

    static double[] scoreCamWeights(CamInput in) {
        if (in.scorer() == null) {
            throw new IllegalArgumentException("Score-CAM scores the picture masked by each channel: give the CamInput"
                    + " the model and the picture (CamInput.withScorer)");
        }
        FeatureMap a = in.activation();
        float[] x = in.input();
        MapShape shape = in.scorer().inputShape();
        int height = shape.height();
        int width = shape.width();
        int plane = height * width;
        if (x.length != shape.size()) {
            throw new IllegalArgumentException("The network input has " + x.length + " values; the model takes "
                    + shape + " = " + shape.size());
        }
        int channels = a.channelCount();
        double[] scores = new double[channels];
        for (int from = 0; from < channels; from += SCORE_CHUNK) {
            int count = Math.min(SCORE_CHUNK, channels - from);
            java.util.List<float[]> masked = new java.util.ArrayList<>(count);
            for (int k = from; k < from + count; k++) {
                float[] mask = unitRange(upsampleAligned(a.channel(k).toArray(), a.height(), a.width(), height, width));
                float[] m = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    m[i] = x[i] * mask[i % plane];
                }
                masked.add(m);
            }
            java.util.List<float[]> logits = in.scorer().classScores(masked);
            for (int k = 0; k < count; k++) {
                scores[from + k] = logits.get(k)[in.classIndex()];
            }
        }
        return softmax(scores);
    }

    static double[] ablationCamWeights(CamInput in) {
        if (in.layerScorer() == null) {
            throw new IllegalArgumentException("Ablation-CAM runs the network on from the layer with each channel removed:"
                    + " give the CamInput the model (CamInput.withLayerScorer)");
        }
        FeatureMap a = in.activation();
        float[] values = a.toArray();
        int plane = a.shape().channelSize();
        int channels = a.channelCount();
        double original = in.layerScorer().classScoresFrom(a.tap(), java.util.List.of(values)).get(0)[in.classIndex()];
        double[] w = new double[channels];
        for (int from = 0; from < channels; from += SCORE_CHUNK) {
            int count = Math.min(SCORE_CHUNK, channels - from);
            java.util.List<float[]> ablated = new java.util.ArrayList<>(count);
            for (int k = from; k < from + count; k++) {
                float[] v = values.clone();
                java.util.Arrays.fill(v, k * plane, (k + 1) * plane, 0f);
                ablated.add(v);
            }
            java.util.List<float[]> logits = in.layerScorer().classScoresFrom(a.tap(), ablated);
            for (int k = 0; k < count; k++) {
                w[from + k] = (original - logits.get(k)[in.classIndex()]) / original;
            }
        }
        return w;
    }

    /** Bilinear resizing with the corners aligned (align_corners=True), as torch's UpsamplingBilinear2d. */
    static float[] upsampleAligned(float[] map, int h, int w, int height, int width) {
        float[] out = new float[height * width];
        for (int y = 0; y < height; y++) {
            double sy = height == 1 ? 0 : (double) y * (h - 1) / (height - 1);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < width; x++) {
                double sx = width == 1 ? 0 : (double) x * (w - 1) / (width - 1);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
                double bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
                out[y * width + x] = (float) (top * (1 - fy) + bottom * fy);
            }
        }
        return out;
    }

    /** (v - min) / (max - min); all zeros for a constant map, which masks the whole picture out. */
    static float[] unitRange(float[] v) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        float[] out = new float[v.length];
        if (max > min) {
            for (int i = 0; i < v.length; i++) {
                out[i] = (v[i] - min) / (max - min);
            }
        }
        return out;
    }

    static double[] softmax(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            max = Math.max(max, d);
        }
        double sum = 0;
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.exp(v[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < v.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /** {@code sum_k w_k A_k} at every position. */
    static float[] weightedSum(FeatureMap a, double[] w) {
        int positions = a.shape().channelSize();
        double[] sum = new double[positions];
        for (int k = 0; k < a.channelCount(); k++) {
            if (w[k] == 0) {
                continue;
            }
            Channel ak = a.channel(k);
            for (int p = 0; p < positions; p++) {
                sum[p] += w[k] * ak.get(p);
            }
        }
        return toFloats(sum);
    }

    /** {@code sum_k g_k A_k} (or {@code ReLU(g_k) A_k}) at every position. */
    static float[] elementWiseSum(FeatureMap a, FeatureMap g, boolean positiveGradient) {
        int positions = a.shape().channelSize();
        double[] sum = new double[positions];
        for (int k = 0; k < a.channelCount(); k++) {
            Channel ak = a.channel(k);
            Channel gk = g.channel(k);
            for (int p = 0; p < positions; p++) {
                double d = positiveGradient ? Math.max(0, gk.get(p)) : gk.get(p);
                sum[p] += d * ak.get(p);
            }
        }
        return toFloats(sum);
    }

    /** {@code g * A}, element by element, as a map of the same tap. */
    static FeatureMap product(FeatureMap a, FeatureMap g) {
        float[] av = a.toArray();
        float[] gv = g.toArray();
        float[] out = new float[av.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = av[i] * gv[i];
        }
        return FeatureMap.copyOf(a.tap(), out);
    }

    /**
     * The projection of every position's K values on the first principal direction of the
     * positions (the first right singular vector of the positions x channels matrix), its sign
     * chosen so that it agrees with the channels' sum; each channel centred over the positions first
     * when {@code centred}. The decomposition is a power iteration on the smaller Gram matrix.
     */
    static float[] principalProjection(FeatureMap a, boolean centred) {
        int positions = a.shape().channelSize();
        int channels = a.channelCount();
        double[][] x = new double[positions][channels];
        double[] sums = new double[positions];
        for (int k = 0; k < channels; k++) {
            Channel ak = a.channel(k);
            double mean = centred ? ak.sum() / positions : 0;
            for (int p = 0; p < positions; p++) {
                x[p][k] = ak.get(p) - mean;
                sums[p] += ak.get(p);
            }
        }
        double[] projection;
        if (positions <= channels) {
            double[][] gram = new double[positions][positions];
            for (int i = 0; i < positions; i++) {
                for (int j = i; j < positions; j++) {
                    gram[i][j] = gram[j][i] = dot(x[i], x[j]);
                }
            }
            double[] u = topEigenvector(gram);
            // X v = X X^T u / sigma = sigma u.
            double sigma = Math.sqrt(Math.max(0, rayleigh(gram, u)));
            projection = new double[positions];
            for (int p = 0; p < positions; p++) {
                projection[p] = sigma * u[p];
            }
        } else {
            double[][] gram = new double[channels][channels];
            for (double[] row : x) {
                for (int i = 0; i < channels; i++) {
                    if (row[i] == 0) {
                        continue;
                    }
                    for (int j = 0; j < channels; j++) {
                        gram[i][j] += row[i] * row[j];
                    }
                }
            }
            double[] v = topEigenvector(gram);
            projection = new double[positions];
            for (int p = 0; p < positions; p++) {
                projection[p] = dot(x[p], v);
            }
        }
        if (dot(projection, sums) < 0) {
            for (int p = 0; p < positions; p++) {
                projection[p] = -projection[p];
            }
        }
        return toFloats(projection);
    }

    /** The unit eigenvector of the largest eigenvalue of a symmetric positive semi-definite matrix. */
    static double[] topEigenvector(double[][] m) {
        int n = m.length;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 1 + 0.01 * i; // not orthogonal to the top eigenvector but by accident
        }
        normalise(v);
        for (int iteration = 0; iteration < 10_000; iteration++) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                next[i] = dot(m[i], v);
            }
            if (normalise(next) == 0) {
                return next;
            }
            double change = 0;
            for (int i = 0; i < n; i++) {
                change = Math.max(change, Math.abs(next[i] - v[i]));
            }
            v = next;
            if (change < 1e-13) {
                break;
            }
        }
        return v;
    }

    private static double rayleigh(double[][] m, double[] v) {
        double r = 0;
        for (int i = 0; i < v.length; i++) {
            r += v[i] * dot(m[i], v);
        }
        return r;
    }

    private static double normalise(double[] v) {
        double norm = Math.sqrt(dot(v, v));
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= norm;
            }
        }
        return norm;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
