package io.cnnsee.visualize;

import java.util.SplittableRandom;

/**
 * A picture parameterised as Lucid does it (Olah et al., "Feature Visualization", 2017): each of
 * three decorrelated colour channels is the inverse Fourier transform of a spectrum whose
 * coefficients are scaled by 1 / frequency, so that every frequency moves at the same speed under
 * gradient ascent and high frequencies do not swamp the picture; the channels are mixed into RGB
 * by the square root of ImageNet's colour correlation, and squashed into 0..1 by a sigmoid.
 * Mutable: {@link #params()} are what an optimiser changes.
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
    private final double[] cosY;
    private final double[] sinY;
    private final double[] cosX;
    private final double[] sinX;

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
        cosY = new double[h * h];
        sinY = new double[h * h];
        for (int ky = 0; ky < h; ky++) {
            for (int y = 0; y < h; y++) {
                double a = 2 * Math.PI * ((long) ky * y % h) / h;
                cosY[ky * h + y] = Math.cos(a);
                sinY[ky * h + y] = Math.sin(a);
            }
        }
        cosX = new double[kw * w];
        sinX = new double[kw * w];
        for (int kx = 0; kx < kw; kx++) {
            for (int x = 0; x < w; x++) {
                double a = 2 * Math.PI * ((long) kx * x % w) / w;
                cosX[kx * w + x] = Math.cos(a);
                sinX[kx * w + x] = Math.sin(a);
            }
        }
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
     * the scaled spectrum.
     */
    private double[] linear() {
        double[] out = new double[3 * h * w];
        double[] tRe = new double[h * kw];
        double[] tIm = new double[h * kw];
        for (int c = 0; c < 3; c++) {
            java.util.Arrays.fill(tRe, 0);
            java.util.Arrays.fill(tIm, 0);
            int base = c * h * kw * 2;
            // Along y: T(y, kx) = sum_ky S(ky, kx) e^{+i 2 pi ky y / h}.
            for (int ky = 0; ky < h; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int k = ky * kw + kx;
                    double sRe = params[base + 2 * k] * scale[k];
                    double sIm = params[base + 2 * k + 1] * scale[k];
                    if (sRe == 0 && sIm == 0) {
                        continue;
                    }
                    for (int y = 0; y < h; y++) {
                        double cs = cosY[ky * h + y];
                        double sn = sinY[ky * h + y];
                        tRe[y * kw + kx] += sRe * cs - sIm * sn;
                        tIm[y * kw + kx] += sRe * sn + sIm * cs;
                    }
                }
            }
            // Along x: img(y, x) = sum_kx weight(kx) Re(T(y, kx) e^{+i 2 pi kx x / w}).
            for (int y = 0; y < h; y++) {
                for (int kx = 0; kx < kw; kx++) {
                    double re = tRe[y * kw + kx] * weight(kx);
                    double im = tIm[y * kw + kx] * weight(kx);
                    for (int x = 0; x < w; x++) {
                        out[(c * h + y) * w + x] += re * cosX[kx * w + x] - im * sinX[kx * w + x];
                    }
                }
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
            java.util.Arrays.fill(dtRe, 0);
            java.util.Arrays.fill(dtIm, 0);
            // The transpose of the x pass: dT(y, kx) = weight(kx) sum_x G(y, x) e^{-i 2 pi kx x / w}.
            for (int y = 0; y < h; y++) {
                for (int kx = 0; kx < kw; kx++) {
                    double re = 0;
                    double im = 0;
                    for (int x = 0; x < w; x++) {
                        double g = dLin[(c * h + y) * w + x];
                        re += g * cosX[kx * w + x];
                        im -= g * sinX[kx * w + x];
                    }
                    dtRe[y * kw + kx] = re * weight(kx);
                    dtIm[y * kw + kx] = im * weight(kx);
                }
            }
            // The transpose of the y pass: dS(ky, kx) = sum_y dT(y, kx) e^{-i 2 pi ky y / h}, then the scale.
            int base = c * h * kw * 2;
            for (int ky = 0; ky < h; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    double re = 0;
                    double im = 0;
                    for (int y = 0; y < h; y++) {
                        double cs = cosY[ky * h + y];
                        double sn = sinY[ky * h + y];
                        double gr = dtRe[y * kw + kx];
                        double gi = dtIm[y * kw + kx];
                        re += gr * cs + gi * sn;
                        im += gi * cs - gr * sn;
                    }
                    int k = ky * kw + kx;
                    dParams[base + 2 * k] = re * scale[k];
                    dParams[base + 2 * k + 1] = im * scale[k];
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
