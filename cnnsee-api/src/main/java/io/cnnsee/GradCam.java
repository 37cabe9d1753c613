package io.cnnsee;

import io.cnnsee.render.Colormap;
import io.cnnsee.render.Overlay;
import io.cnnsee.render.ValueRange;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Grad-CAM (Selvaraju et al. 2017): where in the picture the evidence for one class lies, as seen
 * by one convolutional layer. Each channel k of the layer's output A gets the weight
 * {@code alpha_k} = the spatial mean of the gradient of the class score with respect to A_k; the
 * map is {@code ReLU(sum_k alpha_k A_k)}, at the layer's resolution, upsampled to the picture's
 * for display. Immutable.
 *
 * <p>Made by {@link FeatureMapInspector} (builder option {@code gradCam}) or from a
 * {@link ClassGradient} of the model.
 */
public final class GradCam {

    private final Tap tap;
    private final int classIndex;
    private final String label;
    private final float probability;
    private final double[] weights;
    private final FeatureMap heatmap;

    private GradCam(Tap tap, int classIndex, String label, float probability, double[] weights, FeatureMap heatmap) {
        this.tap = tap;
        this.classIndex = classIndex;
        this.label = label;
        this.probability = probability;
        this.weights = weights;
        this.heatmap = heatmap;
    }

    /**
     * Grad-CAM from a layer's output and the gradient of the class score with respect to it.
     *
     * @throws IllegalArgumentException if the two are not of the same tap
     */
    public static GradCam of(FeatureMap activation, FeatureMap gradient, int classIndex, String label, float probability) {
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(gradient, "gradient");
        Objects.requireNonNull(label, "label");
        if (!activation.tap().equals(gradient.tap())) {
            throw new IllegalArgumentException("The gradient is of " + gradient.tap() + ", the activation of "
                    + activation.tap());
        }
        int channels = activation.channelCount();
        int positions = activation.shape().channelSize();
        double[] alpha = new double[channels];
        for (int k = 0; k < channels; k++) {
            alpha[k] = gradient.channel(k).sum() / positions;
        }
        double[] sum = new double[positions];
        for (int k = 0; k < channels; k++) {
            if (alpha[k] == 0) {
                continue;
            }
            Channel a = activation.channel(k);
            for (int p = 0; p < positions; p++) {
                sum[p] += alpha[k] * a.get(p);
            }
        }
        float[] cam = new float[positions];
        for (int p = 0; p < positions; p++) {
            cam[p] = (float) Math.max(0, sum[p]);
        }
        Tap mapTap = new Tap("Grad-CAM of " + activation.tap().displayName(), activation.tap().layerName(),
                new MapShape(1, activation.height(), activation.width()));
        return new GradCam(activation.tap(), classIndex, label, probability, alpha, FeatureMap.copyOf(mapTap, cam));
    }

    /** The layer the map was computed at. */
    public Tap tap() {
        return tap;
    }

    public int classIndex() {
        return classIndex;
    }

    /** The class's name, e.g. "tabby, tabby cat". */
    public String label() {
        return label;
    }

    /** The class's probability for the picture. */
    public float probability() {
        return probability;
    }

    /** {@code alpha_k} of every channel of the layer: the spatial mean of the class score's gradient. */
    public double[] weights() {
        return weights.clone();
    }

    /** {@code alpha_k} of channel {@code k}. */
    public double weight(int k) {
        Objects.checkIndex(k, weights.length);
        return weights[k];
    }

    /** The map at the layer's resolution, {@code ReLU(sum_k alpha_k A_k)}: zero or more everywhere. */
    public Channel heatmap() {
        return heatmap.channel(0);
    }

    /**
     * The map resized to {@code width} x {@code height} (bilinear, as {@link Overlay}) and divided
     * by its maximum, so it goes from 0 to 1; all zeros when the map is (no evidence found).
     */
    public float[] upsampled(int width, int height) {
        float[] up = Overlay.upsample(heatmap().toArray(), heatmap.width(), heatmap.height(), width, height);
        double max = maximum();
        for (int i = 0; i < up.length; i++) {
            up[i] = max > 0 ? (float) (up[i] / max) : 0;
        }
        return up;
    }

    /**
     * The map over {@code picture} (the picture the model saw, at any size): 0 takes the
     * colormap's first colour, the map's maximum its last.
     *
     * @param alpha the colour's weight, from 0 (the picture alone) to 1 (the map alone)
     */
    public BufferedImage overlay(BufferedImage picture, Colormap colormap, double alpha) {
        return Overlay.blend(picture, heatmap(), new ValueRange(0, maximum()), colormap, alpha);
    }

    /**
     * A ranker ordering the channels of this layer by their Grad-CAM weight: the channels whose
     * increase would raise the class score most come first.
     *
     * @throws IllegalArgumentException when asked to score a channel of another layer
     */
    public ChannelRanker ranker() {
        return ChannelRanker.named(GradientRanker.GRAD_CAM.name(), channel -> {
            if (!channel.tap().equals(tap)) {
                throw new IllegalArgumentException("Grad-CAM weights of " + tap.layerName()
                        + " cannot rank channels of " + channel.tap().layerName());
            }
            return weights[channel.index()];
        });
    }

    private double maximum() {
        double max = 0;
        Channel h = heatmap();
        for (int i = 0; i < h.size(); i++) {
            max = Math.max(max, h.get(i));
        }
        return max;
    }

    @Override
    public String toString() {
        return "GradCam[" + tap.layerName() + ", class " + classIndex + " " + label + "]";
    }
}
