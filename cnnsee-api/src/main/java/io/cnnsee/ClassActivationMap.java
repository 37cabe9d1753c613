package io.cnnsee;

import io.cnnsee.render.Colormap;
import io.cnnsee.render.Overlay;
import io.cnnsee.render.ValueRange;

import java.awt.image.BufferedImage;
import java.util.Objects;
import java.util.Optional;

/**
 * Where in the picture the evidence for one class lies, as one {@link CamMethod} reads one layer:
 * a map at the layer's resolution, zero or more everywhere, and, for methods that weigh the
 * layer's channels, their weights. Immutable.
 */
public final class ClassActivationMap {

    private final String method;
    private final Tap tap;
    private final int classIndex;
    private final String label;
    private final float probability;
    private final double[] weights;
    private final FeatureMap heatmap;

    private ClassActivationMap(String method, Tap tap, int classIndex, String label, float probability, double[] weights,
                               FeatureMap heatmap) {
        this.method = method;
        this.tap = tap;
        this.classIndex = classIndex;
        this.label = label;
        this.probability = probability;
        this.weights = weights;
        this.heatmap = heatmap;
    }

    /**
     * A map of {@code input}'s layer made by {@code method}.
     *
     * @param weights the channels' weights, or null for a method that has none
     * @param map     H x W values, row after row; negative values are clipped to 0
     * @throws IllegalArgumentException if the map or the weights do not fit the layer
     */
    public static ClassActivationMap of(String method, CamInput input, double[] weights, float[] map) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(map, "map");
        FeatureMap a = input.activation();
        if (map.length != a.shape().channelSize()) {
            throw new IllegalArgumentException(method + " made a map of " + map.length + " values for a layer of "
                    + a.height() + " x " + a.width());
        }
        if (weights != null && weights.length != a.channelCount()) {
            throw new IllegalArgumentException(method + " weighed " + weights.length + " channels of a layer of "
                    + a.channelCount());
        }
        float[] clipped = new float[map.length];
        for (int i = 0; i < map.length; i++) {
            clipped[i] = Math.max(0, map[i]);
        }
        Tap mapTap = new Tap(method + " of " + a.tap().displayName(), a.tap().layerName(),
                new MapShape(1, a.height(), a.width()));
        return new ClassActivationMap(method, a.tap(), input.classIndex(), input.label(), input.probability(),
                weights == null ? null : weights.clone(), FeatureMap.copyOf(mapTap, clipped));
    }

    /** The method's name, e.g. {@code "Grad-CAM++"}. */
    public String method() {
        return method;
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

    /** The weight of every channel of the layer, for methods that weigh channels. */
    public Optional<double[]> weights() {
        return Optional.ofNullable(weights).map(double[]::clone);
    }

    /** The map at the layer's resolution: zero or more everywhere. */
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
     * A ranker ordering this layer's channels by their weight, highest first, for methods that
     * weigh channels.
     */
    public Optional<ChannelRanker> ranker() {
        if (weights == null) {
            return Optional.empty();
        }
        return Optional.of(ChannelRanker.named(method, channel -> {
            if (!channel.tap().equals(tap)) {
                throw new IllegalArgumentException(method + " weights of " + tap.layerName()
                        + " cannot rank channels of " + channel.tap().layerName());
            }
            return weights[channel.index()];
        }));
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
        return "ClassActivationMap[" + method + ", " + tap.layerName() + ", class " + classIndex + " " + label + "]";
    }
}
