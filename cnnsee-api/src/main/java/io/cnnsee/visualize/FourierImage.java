package io.cnnsee.visualize;

import java.util.SplittableRandom;

/**
 * A picture parameterised as Lucid does it (Olah et al., "Feature Visualization", 2017): each of
 * three decorrelated colour channels is the inverse Fourier transform of a spectrum whose
 * coefficients are scaled by 1 / frequency, so that every frequency moves at the same speed under
 * gradient ascent and high frequencies do not swamp the picture; the channels are mixed into RGB
 * by the square root of ImageNet's colour correlation, and squashed into 0..1 by a sigmoid.
 * Mutable: {@link #params()} are what an optimiser changes. Not thread-safe (its transforms keep scratch).
 */
final class FourierImage {

    /** Lucid's square root of ImageNet's colour correlation, columns scaled so the largest has norm 1. */
    private static final double[][] COLOUR;

    static {
        double[][] svdSqrt = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}};
        double max = 0;
        for (int c = 0; c < 3; c++) {
            max = Math.max(max, Math.sqrt(svdSqrt[0][c] * svdSqrt[0][c] + svdSqrt[1][c] * svdSqrt[1][c]
                    + svdSqrt[2][c] * svdSqrt[2][c]));
        }
        COLOUR = new double[3][3];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                COLOUR[r][c] = svdSqrt[r][c] / max;
            }
        }
    }

    private final int h;
    private final int w;
    private final int kw;
    /** Per channel, per (ky, kx): the real and imaginary parameters, interleaved: 3 * h * kw * 2 values. */
    private final double[] params;
    private final double[] scale;
    /** The transforms along a column and along a row, and their scratch: one picture's own. */
    private final Fft alongY;
    private final Fft alongX;
    private final double[] colRe;
    private final double[] colIm;
    private final double[] rowRe;
    private final double[] rowIm;

    /** A picture of {@code height x width} pixels, its parameters drawn small (a grey start) from {@code random}. */
    FourierImage(int height, int width, SplittableRandom random) {
        this.h = height;
        this.w = width;
        this.kw = width / 2 + 1;
        this.params = new double[3 * h * kw * 2];
        for (int i = 0; i < params.length; i++) {
            params[i] = 0.01 * gaussian(random);
        }
        this.scale = new double[h * kw];
        double floor = 1.0 / Math.max(h, w);
        for (int ky = 0; ky < h; ky++) {
            double fy = (ky <= h / 2 ? ky : ky - h) / (double) h;
            for (int kx = 0; kx < kw; kx++) {
                double fx = kx / (double) w;
                scale[ky * kw + kx] = 1.0 / Math.max(Math.sqrt(fy * fy + fx * fx), floor) / Math.sqrt(h * w);
            }
        }
        alongY = new Fft(h);
        alongX = w == h ? alongY : new Fft(w); // one transform serves both: it is used one call at a time
        colRe = new double[h];
        colIm = new double[h];
        rowRe = new double[w];
        rowIm = new double[w];
    }

    int height() {
        return h;
    }

    int width() {
        return w;
    }

    /** The parameters themselves (not a copy), for the optimiser. */
    double[] params() {
        return params;
    }

    /** How often frequency kx is counted in a real picture's spectrum: once at 0 and w/2, else twice. */
    private double weight(int kx) {
        return kx == 0 || (w % 2 == 0 && kx == w / 2) ? 1 : 2;
    }

    /**
     * The linear picture before colour mixing: 3 planes of h x w, the real inverse transform of
     * the scaled spectrum: along y column by column, then along x row by row.
     */
    private double[] linear() {
        double[] out = new double[3 * h * w];
        double[] tRe = new double[h * kw];
        double[] tIm = new double[h * kw];
        for (int c = 0; c < 3; c++) {
            int base = c * h * kw * 2;
            // Along y: T(y, kx) = sum_ky S(ky, kx) e^{+i 2 pi ky y / h}.
            for (int kx = 0; kx < kw; kx++) {
                for (int ky = 0; ky < h; ky++) {
                    int k = ky * kw + kx;
                    colRe[ky] = params[base + 2 * k] * scale[k];
                    colIm[ky] = params[base + 2 * k + 1] * scale[k];
                }
                alongY.transform(colRe, colIm, 1);
                for (int y = 0; y < h; y++) {
                    tRe[y * kw + kx] = colRe[y];
                    tIm[y * kw + kx] = colIm[y];
                }
            }
            // Along x: img(y, x) = Re sum_kx weight(kx) T(y, kx) e^{+i 2 pi kx x / w}, the sum over kx < kw.
            for (int y = 0; y < h; y++) {
                java.util.Arrays.fill(rowRe, 0);
                java.util.Arrays.fill(rowIm, 0);
                for (int kx = 0; kx < kw; kx++) {
                    rowRe[kx] = tRe[y * kw + kx] * weight(kx);
                    rowIm[kx] = tIm[y * kw + kx] * weight(kx);
                }
                alongX.transform(rowRe, rowIm, 1);
                System.arraycopy(rowRe, 0, out, (c * h + y) * w, w);
            }
        }
        return out;
    }

    /** The RGB picture, 3 planes of h x w values in 0..1. */
    double[] rgb() {
        double[] lin = linear();
        double[] out = new double[lin.length];
        int plane = h * w;
        for (int p = 0; p < plane; p++) {
            for (int r = 0; r < 3; r++) {
                double v = COLOUR[r][0] * lin[p] + COLOUR[r][1] * lin[plane + p] + COLOUR[r][2] * lin[2 * plane + p];
                out[r * plane + p] = 1 / (1 + Math.exp(-v));
            }
        }
        return out;
    }

    /**
     * The gradient with respect to the parameters of a function whose gradient with respect to
     * {@link #rgb()} (given as {@code rgb}, its value) is {@code dRgb}.
     */
    double[] backward(double[] rgb, double[] dRgb) {
        int plane = h * w;
        double[] dLin = new double[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int r = 0; r < 3; r++) {
                double s = rgb[r * plane + p];
                double dPre = dRgb[r * plane + p] * s * (1 - s);
                for (int c = 0; c < 3; c++) {
                    dLin[c * plane + p] += COLOUR[r][c] * dPre;
                }
            }
        }
        double[] dParams = new double[params.length];
        double[] dtRe = new double[h * kw];
        double[] dtIm = new double[h * kw];
        for (int c = 0; c < 3; c++) {
            // The transpose of the x pass: dT(y, kx) = weight(kx) sum_x G(y, x) e^{-i 2 pi kx x / w}.
            for (int y = 0; y < h; y++) {
                System.arraycopy(dLin, (c * h + y) * w, rowRe, 0, w);
                java.util.Arrays.fill(rowIm, 0);
                alongX.transform(rowRe, rowIm, -1);
                for (int kx = 0; kx < kw; kx++) {
                    dtRe[y * kw + kx] = rowRe[kx] * weight(kx);
                    dtIm[y * kw + kx] = rowIm[kx] * weight(kx);
                }
            }
            // The transpose of the y pass: dS(ky, kx) = sum_y dT(y, kx) e^{-i 2 pi ky y / h}, then the scale.
            int base = c * h * kw * 2;
            for (int kx = 0; kx < kw; kx++) {
                for (int y = 0; y < h; y++) {
                    colRe[y] = dtRe[y * kw + kx];
                    colIm[y] = dtIm[y * kw + kx];
                }
                alongY.transform(colRe, colIm, -1);
                for (int ky = 0; ky < h; ky++) {
                    int k = ky * kw + kx;
                    dParams[base + 2 * k] = colRe[ky] * scale[k];
                    dParams[base + 2 * k + 1] = colIm[ky] * scale[k];
                }
            }
        }
        return dParams;
    }

    static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
