package io.cnnsee.dl4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A convolutional network computed in plain Java, in double precision, channels x height x width:
 * the independent computation the Deeplearning4j models are checked against. A network is a list
 * of named steps, each reading earlier steps' outputs by name; {@link #runFrom} reruns the steps
 * after one with that step's output replaced, for finite differences.
 */
final class ReferenceCnn {

    /** A C x H x W volume (or a vector, 1 x 1 x n is not used: vectors are C = n, H = W = 1). */
    record Volume(int c, int h, int w, double[] v) {
        Volume(int c, int h, int w) {
            this(c, h, w, new double[c * h * w]);
        }

        double at(int ch, int y, int x) {
            return v[(ch * h + y) * w + x];
        }

        void set(int ch, int y, int x, double value) {
            v[(ch * h + y) * w + x] = value;
        }

        Volume copy() {
            return new Volume(c, h, w, v.clone());
        }
    }

    private final Map<String, Function<Map<String, Volume>, Volume>> steps = new LinkedHashMap<>();

    ReferenceCnn step(String name, Function<Map<String, Volume>, Volume> step) {
        steps.put(name, step);
        return this;
    }

    /** Every step's output for {@code input} (named "input"). */
    Map<String, Volume> run(Volume input) {
        Map<String, Volume> env = new LinkedHashMap<>();
        env.put("input", input);
        for (var e : steps.entrySet()) {
            env.put(e.getKey(), e.getValue().apply(env));
        }
        return env;
    }

    /** The steps after {@code from} rerun with its output replaced by {@code value}. */
    Map<String, Volume> runFrom(Map<String, Volume> earlier, String from, Volume value) {
        Map<String, Volume> env = new LinkedHashMap<>(earlier);
        env.put(from, value);
        boolean after = from.equals("input");
        for (var e : steps.entrySet()) {
            if (after) {
                env.put(e.getKey(), e.getValue().apply(env));
            }
            after |= e.getKey().equals(from);
        }
        return env;
    }

    /**
     * d output[index] / d (step {@code tap}'s output), by central differences with step h.
     * {@code output} is the name of the step whose element is differentiated (the logits).
     */
    double[] gradient(Volume input, String tap, String output, int index, double h) {
        return gradientOf(input, tap, e -> e.get(output).v()[index], h);
    }

    /** d f / d (step {@code from}'s output, or "input"), by central differences with step h. */
    double[] gradientOf(Volume input, String from, java.util.function.ToDoubleFunction<Map<String, Volume>> f, double h) {
        Map<String, Volume> env = run(input);
        Volume at = env.get(from);
        double[] g = new double[at.v().length];
        for (int i = 0; i < g.length; i++) {
            Volume plus = at.copy();
            plus.v()[i] += h;
            Volume minus = at.copy();
            minus.v()[i] -= h;
            g[i] = (f.applyAsDouble(runFrom(env, from, plus)) - f.applyAsDouble(runFrom(env, from, minus))) / (2 * h);
        }
        return g;
    }

    /** The mean of channel {@code c} of {@code v}. */
    static double channelMean(Volume v, int c) {
        double s = 0;
        for (int i = 0; i < v.h() * v.w(); i++) {
            s += v.v()[c * v.h() * v.w() + i];
        }
        return s / (v.h() * v.w());
    }

    // ---- the operations ----

    /**
     * Convolution (cross-correlation) with weights [out][in / groups][kh][kw] flattened, padding
     * top and left (bottom and right are whatever the output size needs), stride and dilation.
     */
    static Volume conv(Volume x, double[] weights, double[] bias, int out, int kh, int kw, int stride, int padTop,
                       int padLeft, int dilation, int outH, int outW, int groups) {
        Volume y = new Volume(out, outH, outW);
        int inPerGroup = x.c() / groups;
        int outPerGroup = out / groups;
        for (int o = 0; o < out; o++) {
            int g = o / outPerGroup;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double s = bias == null ? 0 : bias[o];
                    for (int i = 0; i < inPerGroup; i++) {
                        int ci = g * inPerGroup + i;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * stride - padTop + ky * dilation;
                            if (iy < 0 || iy >= x.h()) {
                                continue;
                            }
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ox * stride - padLeft + kx * dilation;
                                if (ix < 0 || ix >= x.w()) {
                                    continue;
                                }
                                s += weights[((o * inPerGroup + i) * kh + ky) * kw + kx] * x.at(ci, iy, ix);
                            }
                        }
                    }
                    y.set(o, oy, ox, s);
                }
            }
        }
        return y;
    }

    /** "Same" convolution at stride 1: output size = input size, padding (k - 1) * d / 2 before. */
    static Volume convSame(Volume x, double[] weights, double[] bias, int out, int k, int dilation) {
        int effective = (k - 1) * dilation + 1;
        int pad = (effective - 1) / 2;
        return conv(x, weights, bias, out, k, k, 1, pad, pad, dilation, x.h(), x.w(), 1);
    }

    static Volume batchNorm(Volume x, double[] gamma, double[] beta, double[] mean, double[] var, double eps) {
        Volume y = new Volume(x.c(), x.h(), x.w());
        for (int c = 0; c < x.c(); c++) {
            double s = gamma[c] / Math.sqrt(var[c] + eps);
            for (int i = 0; i < x.h() * x.w(); i++) {
                int k = c * x.h() * x.w() + i;
                y.v()[k] = (x.v()[k] - mean[c]) * s + beta[c];
            }
        }
        return y;
    }

    static Volume relu(Volume x) {
        Volume y = x.copy();
        for (int i = 0; i < y.v().length; i++) {
            y.v()[i] = Math.max(0, y.v()[i]);
        }
        return y;
    }

    static Volume pool(Volume x, int k, int stride, boolean max) {
        int outH = (x.h() - k) / stride + 1;
        int outW = (x.w() - k) / stride + 1;
        Volume y = new Volume(x.c(), outH, outW);
        for (int c = 0; c < x.c(); c++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            double v = x.at(c, oy * stride + ky, ox * stride + kx);
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    }
                    y.set(c, oy, ox, max ? acc : acc / (k * k));
                }
            }
        }
        return y;
    }

    static Volume globalAverage(Volume x) {
        Volume y = new Volume(x.c(), 1, 1);
        for (int c = 0; c < x.c(); c++) {
            double s = 0;
            for (int i = 0; i < x.h() * x.w(); i++) {
                s += x.v()[c * x.h() * x.w() + i];
            }
            y.v()[c] = s / (x.h() * x.w());
        }
        return y;
    }

    static Volume add(Volume a, Volume b) {
        Volume y = a.copy();
        for (int i = 0; i < y.v().length; i++) {
            y.v()[i] += b.v()[i];
        }
        return y;
    }

    static Volume concat(Volume a, Volume b) {
        Volume y = new Volume(a.c() + b.c(), a.h(), a.w());
        System.arraycopy(a.v(), 0, y.v(), 0, a.v().length);
        System.arraycopy(b.v(), 0, y.v(), a.v().length, b.v().length);
        return y;
    }

    /** Dense layer over the values in C, H, W order (channels-first flattening), weights [in][out]. */
    static Volume dense(Volume x, double[] weights, double[] bias, int out) {
        int in = x.v().length;
        Volume y = new Volume(out, 1, 1);
        for (int o = 0; o < out; o++) {
            double s = bias[o];
            for (int i = 0; i < in; i++) {
                s += x.v()[i] * weights[i * out + o];
            }
            y.v()[o] = s;
        }
        return y;
    }

    /** The values of {@code x} in H, W, C order, as a channels-last network flattens them. */
    static Volume channelsLastFlat(Volume x) {
        Volume y = new Volume(x.v().length, 1, 1);
        int k = 0;
        for (int yy = 0; yy < x.h(); yy++) {
            for (int xx = 0; xx < x.w(); xx++) {
                for (int c = 0; c < x.c(); c++) {
                    y.v()[k++] = x.at(c, yy, xx);
                }
            }
        }
        return y;
    }

    static Volume softmax(Volume x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x.v()) {
            max = Math.max(max, v);
        }
        double sum = 0;
        Volume y = x.copy();
        for (int i = 0; i < y.v().length; i++) {
            y.v()[i] = Math.exp(y.v()[i] - max);
            sum += y.v()[i];
        }
        for (int i = 0; i < y.v().length; i++) {
            y.v()[i] /= sum;
        }
        return y;
    }

    /** Floats to doubles. */
    static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** The names of the steps, in order. */
    List<String> names() {
        return new ArrayList<>(steps.keySet());
    }
}
