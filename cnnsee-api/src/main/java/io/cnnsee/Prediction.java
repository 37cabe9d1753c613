package io.cnnsee;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * One class the network sees in the picture: its index among the classifier's outputs, its name
 * and its probability.
 */
public record Prediction(int classIndex, String label, double probability) {

    /** Most probable first; equal probabilities by class index, so the order is deterministic. */
    public static final Comparator<Prediction> MOST_PROBABLE_FIRST =
            Comparator.comparingDouble(Prediction::probability).reversed().thenComparingInt(Prediction::classIndex);

    public Prediction {
        Objects.requireNonNull(label, "label");
        if (classIndex < 0) {
            throw new IllegalArgumentException("A class index is at least 0, was " + classIndex);
        }
    }

    /**
     * The {@code n} most probable classes of a classifier's output, most probable first.
     *
     * @param probabilities the classifier layer's output for one picture, one value per class
     * @param labels        the name of each class index
     */
    public static List<Prediction> top(FeatureMap probabilities, int n, IntFunction<String> labels) {
        Objects.requireNonNull(probabilities, "probabilities");
        Objects.requireNonNull(labels, "labels");
        if (n < 1) {
            throw new IllegalArgumentException("The number of predictions must be at least 1, was " + n);
        }
        float[] p = probabilities.toArray();
        List<Prediction> all = new ArrayList<>(p.length);
        for (int i = 0; i < p.length; i++) {
            all.add(new Prediction(i, labels.apply(i), p[i]));
        }
        all.sort(MOST_PROBABLE_FIRST);
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }
}
