package io.cnnsee;

import io.cnnsee.render.Colormap;

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

    private final ClassActivationMap map;
    private final double[] weights;

    private GradCam(ClassActivationMap map) {
        this.map = map;
        this.weights = map.weights().orElseThrow();
    }

    /**
     * Grad-CAM from a layer's output and the gradient of the class score with respect to it.
     *
     * @throws IllegalArgumentException if the two are not of the same tap
     */
    public static GradCam of(FeatureMap activation, FeatureMap gradient, int classIndex, String label, float probability) {
        return new GradCam(CamMethod.GRAD_CAM.compute(new CamInput(activation, gradient, classIndex, label, probability)));
    }

    /** The same map as every {@link CamMethod}'s result. */
    public ClassActivationMap asClassActivationMap() {
        return map;
    }

    /** The layer the map was computed at. */
    public Tap tap() {
        return map.tap();
    }

    public int classIndex() {
        return map.classIndex();
    }

    /** The class's name, e.g. "tabby, tabby cat". */
    public String label() {
        return map.label();
    }

    /** The class's probability for the picture. */
    public float probability() {
        return map.probability();
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
        return map.heatmap();
    }

    /**
     * The map resized to {@code width} x {@code height} (bilinear, as {@link io.cnnsee.render.Overlay}) and divided
     * by its maximum, so it goes from 0 to 1; all zeros when the map is (no evidence found).
     */
    public float[] upsampled(int width, int height) {
        return map.upsampled(width, height);
    }

    /**
     * The map over {@code picture} (the picture the model saw, at any size): 0 takes the
     * colormap's first colour, the map's maximum its last.
     *
     * @param alpha the colour's weight, from 0 (the picture alone) to 1 (the map alone)
     */
    public BufferedImage overlay(BufferedImage picture, Colormap colormap, double alpha) {
        return map.overlay(picture, colormap, alpha);
    }

    /**
     * A ranker ordering the channels of this layer by their Grad-CAM weight: the channels whose
     * increase would raise the class score most come first.
     *
     * @throws IllegalArgumentException when asked to score a channel of another layer
     */
    public ChannelRanker ranker() {
        Tap tap = map.tap();
        return ChannelRanker.named(GradientRanker.GRAD_CAM.name(), channel -> {
            if (!channel.tap().equals(tap)) {
                throw new IllegalArgumentException("Grad-CAM weights of " + tap.layerName()
                        + " cannot rank channels of " + channel.tap().layerName());
            }
            return weights[channel.index()];
        });
    }

    @Override
    public String toString() {
        return "GradCam[" + map.tap().layerName() + ", class " + map.classIndex() + " " + map.label() + "]";
    }
}
