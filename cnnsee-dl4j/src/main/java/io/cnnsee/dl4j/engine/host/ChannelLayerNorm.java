package io.cnnsee.dl4j.engine.host;

import java.util.List;

/**
 * Layer normalisation over the channels at each position (Keras's {@code LayerNormalization}
 * with {@code axis=-1} on a map or a vector): {@code gamma (x - mean) / sqrt(var + eps) + beta}.
 */
public final class ChannelLayerNorm extends JavaHostLayer {

    private final float[] gamma;
    private final float[] beta;
    private final float epsilon;
    private final int channels;
    private final int positions;

    /** @param positions height times width (1 for a vector) */
    public ChannelLayerNorm(float[] gamma, float[] beta, float epsilon, int channels, int positions) {
        this.gamma = gamma.clone();
        this.beta = beta.clone();
        this.epsilon = epsilon;
        this.channels = channels;
        this.positions = positions;
    }

    @Override
    protected float[] compute(List<float[]> inputs, int pictures) {
        float[] x = inputs.get(0);
        float[] y = new float[x.length];
        for (int n = 0; n < pictures; n++) {
            for (int p = 0; p < positions; p++) {
                int base = n * channels * positions + p;
                double[] ms = moments(x, base);
                double inv = 1.0 / Math.sqrt(ms[1] + epsilon);
                for (int c = 0; c < channels; c++) {
                    int at = base + c * positions;
                    y[at] = (float) ((x[at] - ms[0]) * inv * gamma[c] + beta[c]);
                }
            }
        }
        return y;
    }

    private double[] moments(float[] x, int base) {
        double mean = 0;
        for (int c = 0; c < channels; c++) {
            mean += x[base + c * positions];
        }
        mean /= channels;
        double var = 0;
        for (int c = 0; c < channels; c++) {
            double d = x[base + c * positions] - mean;
            var += d * d;
        }
        return new double[] {mean, var / channels};
    }

    @Override
    public List<float[]> backward(float[] g, int pictures) {
        float[] x = lastInputs.get(0);
        float[] dx = new float[x.length];
        double[] xhat = new double[channels];
        double[] dxhat = new double[channels];
        for (int n = 0; n < pictures; n++) {
            for (int p = 0; p < positions; p++) {
                int base = n * channels * positions + p;
                double[] ms = moments(x, base);
                double inv = 1.0 / Math.sqrt(ms[1] + epsilon);
                double meanD = 0;
                double meanDX = 0;
                for (int c = 0; c < channels; c++) {
                    int at = base + c * positions;
                    xhat[c] = (x[at] - ms[0]) * inv;
                    dxhat[c] = g[at] * gamma[c];
                    meanD += dxhat[c];
                    meanDX += dxhat[c] * xhat[c];
                }
                meanD /= channels;
                meanDX /= channels;
                for (int c = 0; c < channels; c++) {
                    dx[base + c * positions] = (float) (inv * (dxhat[c] - meanD - xhat[c] * meanDX));
                }
            }
        }
        return List.of(dx);
    }
}
