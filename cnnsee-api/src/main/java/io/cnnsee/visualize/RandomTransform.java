package io.cnnsee.visualize;

import java.util.SplittableRandom;

/**
 * One random affine view of a picture, as Lucid's "transformation robustness": shifted (jitter),
 * scaled and rotated, then sampled bilinearly at the network's input size, edges clamped. A
 * visualisation must excite the channel through every such view, which keeps it from exploiting
 * single pixels. Linear in the picture, so its gradient is the transpose of the sampling.
 */
final class RandomTransform {

    private final int srcH;
    private final int srcW;
    private final int outH;
    private final int outW;
    /** Per output pixel: the four source pixels' indices and weights. */
    private final int[] index;
    private final float[] weight;

    /**
     * @param jitter   the largest shift, in source pixels, each way
     * @param scaleMin the smallest zoom (1: none)
     * @param scaleMax the largest zoom
     * @param degrees  the largest rotation, each way
     */
    RandomTransform(int srcH, int srcW, int outH, int outW, SplittableRandom random, double jitter, double scaleMin,
                    double scaleMax, double degrees) {
        this.srcH = srcH;
        this.srcW = srcW;
        this.outH = outH;
        this.outW = outW;
        double tx = jitter == 0 ? 0 : (random.nextDouble() * 2 - 1) * jitter;
        double ty = jitter == 0 ? 0 : (random.nextDouble() * 2 - 1) * jitter;
        double s = scaleMin + random.nextDouble() * (scaleMax - scaleMin);
        double theta = Math.toRadians((random.nextDouble() * 2 - 1) * degrees);
        double k = ((double) srcW / outW) / s;
        double kyScale = ((double) srcH / outH) / s;
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        index = new int[outH * outW * 4];
        weight = new float[outH * outW * 4];
        for (int v = 0; v < outH; v++) {
            double dv = (v + 0.5 - outH / 2.0) * kyScale;
            for (int u = 0; u < outW; u++) {
                double du = (u + 0.5 - outW / 2.0) * k;
                double sx = srcW / 2.0 + cos * du - sin * dv + tx - 0.5;
                double sy = srcH / 2.0 + sin * du + cos * dv + ty - 0.5;
                sx = Math.max(0, Math.min(srcW - 1, sx));
                sy = Math.max(0, Math.min(srcH - 1, sy));
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                int x1 = Math.min(x0 + 1, srcW - 1);
                int y1 = Math.min(y0 + 1, srcH - 1);
                double fx = sx - x0;
                double fy = sy - y0;
                int o = (v * outW + u) * 4;
                index[o] = y0 * srcW + x0;
                index[o + 1] = y0 * srcW + x1;
                index[o + 2] = y1 * srcW + x0;
                index[o + 3] = y1 * srcW + x1;
                weight[o] = (float) ((1 - fx) * (1 - fy));
                weight[o + 1] = (float) (fx * (1 - fy));
                weight[o + 2] = (float) ((1 - fx) * fy);
                weight[o + 3] = (float) (fx * fy);
            }
        }
    }

    /** The view of a 3-plane picture. */
    double[] apply(double[] picture) {
        int srcPlane = srcH * srcW;
        int outPlane = outH * outW;
        double[] out = new double[3 * outPlane];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < outPlane; p++) {
                int o = p * 4;
                double v = 0;
                for (int j = 0; j < 4; j++) {
                    v += weight[o + j] * picture[c * srcPlane + index[o + j]];
                }
                out[c * outPlane + p] = v;
            }
        }
        return out;
    }

    /** The gradient with respect to the picture, given that with respect to its view. */
    double[] backward(double[] dView) {
        int srcPlane = srcH * srcW;
        int outPlane = outH * outW;
        double[] d = new double[3 * srcPlane];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < outPlane; p++) {
                double g = dView[c * outPlane + p];
                if (g == 0) {
                    continue;
                }
                int o = p * 4;
                for (int j = 0; j < 4; j++) {
                    d[c * srcPlane + index[o + j]] += weight[o + j] * g;
                }
            }
        }
        return d;
    }
}
