package io.cnnsee.atlas;

import java.io.Serializable;
import java.util.Comparator;
import java.util.Objects;

/**
 * One picture's showing for one channel: the channel's statistic over the picture and where the
 * channel is strongest in it (row and column of the tap's map).
 *
 * @param score   the statistic (by default the channel's maximum)
 * @param picture the picture's name (its path as given)
 * @param y       row of the strongest unit
 * @param x       column of the strongest unit
 */
public record Example(double score, String picture, int y, int x) implements Serializable {

    /**
     * Best first: the higher score, then, on a tie, the picture whose name sorts first, then the
     * upper, then the left position. Every run, on one machine or a cluster, orders alike.
     */
    public static final Comparator<Example> BEST_FIRST = Comparator.comparingDouble(Example::score).reversed()
            .thenComparing(Example::picture).thenComparingInt(Example::y).thenComparingInt(Example::x);

    public Example {
        Objects.requireNonNull(picture, "picture");
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("A score is a number, was NaN for " + picture);
        }
    }
}
