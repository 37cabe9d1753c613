package io.cnnsee;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A number computed from one pass through a network, whose gradient with respect to the input
 * picture an engine can give ({@link InputGradients#inputGradient}): what feature visualisation
 * maximises and saliency explains. A weighted sum of terms, each a channel's mean over a tap, a
 * channel's centre unit, or a class's score before softmax. Immutable.
 * <pre>{@code
 * Objective.channelMean("block4_conv3", 7)
 * Objective.classLogit(281).plus(Objective.channelMean("block5_conv3", 3), -0.5)
 * }</pre>
 */
public final class Objective {

    /** What a term reads. */
    public enum Kind {
        /** The mean of one channel of a tap's output over its positions. */
        CHANNEL_MEAN,
        /** One channel of a tap's output at the centre position (row H / 2, column W / 2). */
        CENTRE_UNIT,
        /** A class's score before softmax. */
        CLASS_LOGIT
    }

    /**
     * One term of the sum.
     *
     * @param kind   what it reads
     * @param layer  the tap's layer name; empty for {@link Kind#CLASS_LOGIT}
     * @param index  the channel, or the class
     * @param weight its factor in the sum
     */
    public record Term(Kind kind, String layer, int index, double weight) {
        public Term {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(layer, "layer");
            if (index < 0) {
                throw new IllegalArgumentException("A channel or class index is 0 or more, was " + index);
            }
            if (!Double.isFinite(weight)) {
                throw new IllegalArgumentException("A term's weight must be finite, was " + weight);
            }
            if ((kind == Kind.CLASS_LOGIT) != layer.isEmpty()) {
                throw new IllegalArgumentException(kind == Kind.CLASS_LOGIT ? "A class score reads no layer"
                        : "A channel term needs a layer name");
            }
        }
    }

    private final List<Term> terms;

    private Objective(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    /** The mean of {@code channel} of {@code layer}'s output. */
    public static Objective channelMean(String layer, int channel) {
        return new Objective(List.of(new Term(Kind.CHANNEL_MEAN, requireLayer(layer), channel, 1)));
    }

    /** {@code channel} of {@code layer}'s output at its centre position. */
    public static Objective centreUnit(String layer, int channel) {
        return new Objective(List.of(new Term(Kind.CENTRE_UNIT, requireLayer(layer), channel, 1)));
    }

    /** The score of {@code classIndex} before softmax. */
    public static Objective classLogit(int classIndex) {
        return new Objective(List.of(new Term(Kind.CLASS_LOGIT, "", classIndex, 1)));
    }

    /** This objective plus {@code weight} times {@code other}. */
    public Objective plus(Objective other, double weight) {
        Objects.requireNonNull(other, "other");
        List<Term> all = new ArrayList<>(terms);
        for (Term t : other.terms) {
            all.add(new Term(t.kind(), t.layer(), t.index(), t.weight() * weight));
        }
        return new Objective(all);
    }

    public List<Term> terms() {
        return terms;
    }

    private static String requireLayer(String layer) {
        Objects.requireNonNull(layer, "layer");
        if (layer.isBlank()) {
            throw new IllegalArgumentException("A channel term needs a layer name, was blank");
        }
        return layer;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Objective other && terms.equals(other.terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Term t : terms) {
            if (s.length() > 0) {
                s.append(" + ");
            }
            if (t.weight() != 1) {
                s.append(t.weight()).append(" * ");
            }
            s.append(switch (t.kind()) {
                case CHANNEL_MEAN -> "mean of " + t.layer() + " channel " + t.index();
                case CENTRE_UNIT -> "centre of " + t.layer() + " channel " + t.index();
                case CLASS_LOGIT -> "score of class " + t.index();
            });
        }
        return s.toString();
    }
}
