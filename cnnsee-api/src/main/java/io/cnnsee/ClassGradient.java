package io.cnnsee;

import java.util.List;
import java.util.Objects;

/**
 * How one class score of a classifying model depends on some of its layers, for one picture:
 * each layer's output and the gradient of the class score (before softmax) with respect to it.
 * What {@link GradCam} is made from; computed by {@link ClassGradients#classGradient}.
 *
 * @param classIndex    the class whose score was differentiated
 * @param score         that class's score before softmax (its logit)
 * @param probabilities the class probabilities for the picture, as {@link Classifying#classifier()} gives them
 * @param activations   the outputs of the layers asked for, in the order asked
 * @param gradients     the gradient of {@code score} with respect to each of them, same taps and shapes
 */
public record ClassGradient(int classIndex, float score, FeatureMap probabilities,
                            List<FeatureMap> activations, List<FeatureMap> gradients) {

    /** The class index meaning "the most probable class of the picture". */
    public static final int MOST_PROBABLE_CLASS = -1;

    public ClassGradient {
        Objects.requireNonNull(probabilities, "probabilities");
        activations = List.copyOf(activations);
        gradients = List.copyOf(gradients);
        if (classIndex < 0 || classIndex >= probabilities.shape().size()) {
            throw new IllegalArgumentException("Class " + classIndex + " is not one of the "
                    + probabilities.shape().size() + " classes");
        }
        if (activations.size() != gradients.size()) {
            throw new IllegalArgumentException(activations.size() + " activations but " + gradients.size() + " gradients");
        }
        for (int i = 0; i < activations.size(); i++) {
            if (!activations.get(i).tap().equals(gradients.get(i).tap())) {
                throw new IllegalArgumentException("Gradient " + i + " is of " + gradients.get(i).tap()
                        + ", its activation of " + activations.get(i).tap());
            }
        }
    }

    /** The probability of the class. */
    public float probability() {
        return probabilities.valueAt(classIndex);
    }

    /**
     * Grad-CAM at {@code tap}, which must be one of the taps differentiated.
     *
     * @param label the class's name, for reports
     */
    public GradCam gradCam(Tap tap, String label) {
        CamInput in = CamInput.of(this, tap, label);
        return GradCam.of(in.activation(), in.gradient(), classIndex, label, probability());
    }
}
