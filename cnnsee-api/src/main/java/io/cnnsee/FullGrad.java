package io.cnnsee;

import io.cnnsee.render.Overlay;

import java.util.Objects;

/**
 * FullGrad (Srinivas and Fleuret 2019): the input times its gradient, plus, for every layer with a
 * bias over a map, the bias times the gradient at that layer, each made absolute, scaled to 0..1,
 * resized to the input and summed; the sum scaled to 0..1. Where the input-gradient alone misses
 * what the biases contribute, FullGrad counts it: in a ReLU network the parts add up to the score,
 * less the dense layers' biases, which it leaves out as pytorch-grad-cam does.
 *
 * <p>{@link #of} follows pytorch-grad-cam's {@code FullGrad}: every channel scaled on its own, then
 * resized bilinearly with pixel centres aligned (OpenCV's and {@link Overlay#upsample}'s way).
 * {@link #paper} follows the authors' code: each layer's channels scaled together, then resized
 * with the corners aligned ({@code align_corners=True}), then summed over its channels.
 */
public final class FullGrad {

    private FullGrad() {
    }

    /** FullGrad as pytorch-grad-cam computes it. */
    public static SaliencyMap of(FullGradient gradient) {
        return compute(gradient, true);
    }

    /** FullGrad as the paper's authors compute it: scaled per layer, corners aligned. */
    public static SaliencyMap paper(FullGradient gradient) {
        return compute(gradient, false);
    }

    private static SaliencyMap compute(FullGradient g, boolean perChannel) {
        Objects.requireNonNull(g, "gradient");
        MapShape shape = g.input().shape();
        int plane = shape.channelSize();
        float[] x = g.input().toArray();
        float[] dx = g.inputGradient().toArray();
        float[] attributions = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            attributions[i] = x[i] * dx[i];
        }
        double[] sum = new double[plane];
        addTerm(sum, attributions, new float[0], shape, shape, perChannel);
        for (FullGradient.Bias b : g.biases()) {
            float[] grad = b.gradient().toArray();
            addTerm(sum, grad, b.values(), b.gradient().shape(), shape, perChannel);
        }
        float[] map = new float[plane];
        for (int i = 0; i < plane; i++) {
            map[i] = (float) sum[i];
        }
        return new SaliencyMap(perChannel ? "FullGrad" : "FullGrad (paper)", Objective.classLogit(g.classIndex()), shape,
                attributions, CamFormulas.unitRange(map), Double.NaN);
    }

    /**
     * Adds |values (times the channel's bias, where {@code bias} has one per channel)| over
     * {@code of}, scaled and resized to {@code to}, into {@code sum}.
     */
    private static void addTerm(double[] sum, float[] values, float[] bias, MapShape of, MapShape to, boolean perChannel) {
        int plane = of.channelSize();
        float[] term = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            term[i] = Math.abs(bias.length == 0 ? values[i] : values[i] * bias[i / plane]);
        }
        if (!perChannel) {
            term = CamFormulas.unitRange(term);
        }
        for (int c = 0; c < of.channels(); c++) {
            float[] channel = java.util.Arrays.copyOfRange(term, c * plane, (c + 1) * plane);
            if (perChannel) {
                channel = CamFormulas.unitRange(channel);
            }
            float[] resized = perChannel
                    ? Overlay.upsample(channel, of.width(), of.height(), to.width(), to.height())
                    : CamFormulas.upsampleAligned(channel, of.height(), of.width(), to.height(), to.width());
            for (int i = 0; i < resized.length; i++) {
                sum[i] += resized[i];
            }
        }
    }
}
