package io.cnnsee.visualize;

/**
 * The discrete Fourier transform of one length, any length: mixed-radix Cooley-Tukey over the
 * length's prime factors, each factor's butterflies done directly (so a prime length is a plain
 * DFT). A visualisation step transforms every row and column of its picture four times; done
 * directly that cost about 65 ms a step at 224 x 224, about a quarter of it this way. Not
 * thread-safe: it keeps scratch arrays.
 */
final class Fft {

    private final int n;
    /** cos and sin of 2 pi j / n. */
    private final double[] cos;
    private final double[] sin;
    private final double[] outRe;
    private final double[] outIm;
    private final double[] tmpRe;
    private final double[] tmpIm;

    Fft(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("A transform of length " + n);
        }
        this.n = n;
        this.cos = new double[n];
        this.sin = new double[n];
        for (int j = 0; j < n; j++) {
            double a = 2 * Math.PI * j / n;
            cos[j] = Math.cos(a);
            sin[j] = Math.sin(a);
        }
        this.outRe = new double[n];
        this.outIm = new double[n];
        this.tmpRe = new double[n];
        this.tmpIm = new double[n];
    }

    /**
     * In place, unscaled: {@code x[k] = sum_j x[j] e^(sign i 2 pi j k / n)} with {@code sign}
     * +1 (the inverse direction) or -1 (the forward one).
     */
    void transform(double[] re, double[] im, int sign) {
        recurse(n, re, im, 0, 1, 0, sign);
        System.arraycopy(outRe, 0, re, 0, n);
        System.arraycopy(outIm, 0, im, 0, n);
    }

    /** The transform of {@code len} inputs at {@code inOff + i * stride}, into {@code out[outOff .. outOff + len)}. */
    private void recurse(int len, double[] inRe, double[] inIm, int inOff, int stride, int outOff, int sign) {
        if (len == 1) {
            outRe[outOff] = inRe[inOff];
            outIm[outOff] = inIm[inOff];
            return;
        }
        int p = smallestFactor(len);
        int m = len / p;
        for (int r = 0; r < p; r++) {
            recurse(m, inRe, inIm, inOff + r * stride, stride * p, outOff + r * m, sign);
        }
        // X[k + q m] = sum_r Y_r[k] w^(r (k + q m)), w = e^(sign i 2 pi / len) = the table's step n / len.
        int step = n / len;
        if (p == 2) {
            for (int k = 0; k < m; k++) {
                int a = outOff + k;
                int b = a + m;
                double c = cos[k * step];
                double s = sign * sin[k * step];
                double br = outRe[b] * c - outIm[b] * s;
                double bi = outRe[b] * s + outIm[b] * c;
                outRe[b] = outRe[a] - br;
                outIm[b] = outIm[a] - bi;
                outRe[a] += br;
                outIm[a] += bi;
            }
            return;
        }
        for (int k = 0; k < m; k++) {
            for (int r = 0; r < p; r++) {
                tmpRe[r] = outRe[outOff + r * m + k];
                tmpIm[r] = outIm[outOff + r * m + k];
            }
            for (int q = 0; q < p; q++) {
                int kk = k + q * m;
                double sr = tmpRe[0];
                double si = tmpIm[0];
                int j = 0; // r kk mod len, without a division
                for (int r = 1; r < p; r++) {
                    j += kk;
                    if (j >= len) {
                        j -= len;
                    }
                    double c = cos[j * step];
                    double s = sign * sin[j * step];
                    sr += tmpRe[r] * c - tmpIm[r] * s;
                    si += tmpRe[r] * s + tmpIm[r] * c;
                }
                outRe[outOff + kk] = sr;
                outIm[outOff + kk] = si;
            }
        }
    }

    private static int smallestFactor(int len) {
        for (int f = 2; (long) f * f <= len; f++) {
            if (len % f == 0) {
                return f;
            }
        }
        return len;
    }
}
