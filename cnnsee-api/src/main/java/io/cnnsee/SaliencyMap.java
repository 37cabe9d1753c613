package io.cnnsee;

import java.util.Objects;

/**
 * Which pixels of one picture an objective depends on: attributions per input value and a heat
 * map per pixel, made by {@link Saliency}. For Integrated Gradients also the check of
 * completeness: the attributions add up to the objective's change from the baseline to the picture.
 *
 * @param method          {@code "vanilla gradient"}, {@code "SmoothGrad"} or {@code "Integrated Gradients"}
 * @param objective       what was explained
 * @param shape           the network input's shape, channels x height x width
 * @param attributions    one value per input value, channel after channel (gradients, or for
 *                        Integrated Gradients (input - baseline) times the averaged gradient)
 * @param map             one value per pixel, height x width, 0 or more: the largest magnitude
 *                        over the channels (gradients), or the magnitude of the channels' sum
 *                        (Integrated Gradients)
 * @param scoreDifference the objective at the picture minus at the baseline (Integrated Gradients), else NaN
 */
public record SaliencyMap(String method, Objective objective, MapShape shape, float[] attributions, float[] map,
                          double scoreDifference) {

    public SaliencyMap {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(shape, "shape");
        if (attributions.length != shape.size() || map.length != shape.channelSize()) {
            throw new IllegalArgumentException("A saliency map of " + shape + " needs " + shape.size() + " attributions and "
                    + shape.channelSize() + " map values, got " + attributions.length + " and " + map.length);
        }
        attributions = attributions.clone();
        map = map.clone();
    }

    @Override
    public float[] attributions() {
        return attributions.clone();
    }

    @Override
    public float[] map() {
        return map.clone();
    }

    /** The attributions added up (for Integrated Gradients, what should equal {@link #scoreDifference()}). */
    public double attributionSum() {
        double s = 0;
        for (float a : attributions) {
            s += a;
        }
        return s;
    }

    /**
     * |sum of attributions - score difference| / |score difference|: Integrated Gradients'
     * completeness error (its axiom says 0; the integral's steps leave a little); NaN for gradients.
     */
    public double completenessError() {
        return Math.abs(attributionSum() - scoreDifference) / Math.abs(scoreDifference);
    }

    /** The heat map as a one-channel feature map, for the grid renderer and overlays. */
    public FeatureMap asFeatureMap() {
        return FeatureMap.copyOf(new Tap(method, "input", new MapShape(1, shape.height(), shape.width())), map);
    }
}
