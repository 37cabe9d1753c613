package io.cnnsee;

import java.util.Objects;

/**
 * Ranks a tap's channels by what they did for the class being explained, which a channel's values
 * alone do not tell: the inspector computes the picture's {@link ClassGradient} (one backward pass,
 * so the model must have {@link ClassGradients}) and asks this for the ranker of each tap.
 * Give one to {@link FeatureMapInspector.Builder#ranker(GradientRanker)}.
 */
@FunctionalInterface
public interface GradientRanker {

    /** Grad-CAM's weight of each channel: its gradient averaged over the map. */
    GradientRanker GRAD_CAM = named("grad-cam", (gradient, tap, label) -> gradient.gradCam(tap, label).ranker());

    /**
     * The ranker of {@code tap}'s channels for the class {@code gradient} explains.
     *
     * @param gradient the class gradient, which differentiated {@code tap}
     * @param label    the explained class's name
     */
    ChannelRanker forClass(ClassGradient gradient, Tap tap, String label);

    /** A short name for reports and logs; {@code "custom"} unless named. */
    default String name() {
        return "custom";
    }

    /** Gives {@code ranker} a name, shown in reports. */
    static GradientRanker named(String name, GradientRanker ranker) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ranker, "ranker");
        return new GradientRanker() {
            @Override
            public ChannelRanker forClass(ClassGradient gradient, Tap tap, String label) {
                return ranker.forClass(gradient, tap, label);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String toString() {
                return "GradientRanker[" + name + "]";
            }
        };
    }
}
