package io.cnnsee;

import java.util.Objects;

/**
 * What a {@link CamMethod} computes its map from: a layer's output for one picture, the gradient
 * of the explained class's score with respect to it, and which class that is.
 *
 * @param activation  the layer's output A, K channels of H x W
 * @param gradient    d score / d A, of the same tap; the score is the class's logit, before softmax
 * @param classIndex  the explained class
 * @param label       its name
 * @param probability its probability for the picture
 * @param scorer      the model, for methods that perturb the picture (Score-CAM); null when none is given
 * @param input       the picture as the network's input, for the same methods; null when none is given
 * @param layerScorer the model, for methods that change the layer's output (Ablation-CAM); null when none is given
 */
public record CamInput(FeatureMap activation, FeatureMap gradient, int classIndex, String label, float probability,
                       InputScores scorer, float[] input, LayerScores layerScorer) {

    public CamInput {
        Objects.requireNonNull(activation, "activation");
        input = input == null ? null : input.clone();
        Objects.requireNonNull(gradient, "gradient");
        Objects.requireNonNull(label, "label");
        if (!activation.tap().equals(gradient.tap())) {
            throw new IllegalArgumentException("The gradient is of " + gradient.tap() + ", the activation of "
                    + activation.tap());
        }
    }

    /** An input without a model to perturb the picture with: enough for every method but Score-CAM. */
    public CamInput(FeatureMap activation, FeatureMap gradient, int classIndex, String label, float probability) {
        this(activation, gradient, classIndex, label, probability, null, null, null);
    }

    /** This input with the model and picture that methods which perturb the picture score. */
    public CamInput withScorer(InputScores model, float[] networkInput) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(networkInput, "networkInput");
        return new CamInput(activation, gradient, classIndex, label, probability, model, networkInput, layerScorer);
    }

    /** This input with the model that methods which change the layer's output run on from it. */
    public CamInput withLayerScorer(LayerScores model) {
        Objects.requireNonNull(model, "model");
        return new CamInput(activation, gradient, classIndex, label, probability, scorer, input, model);
    }

    @Override
    public float[] input() {
        return input == null ? null : input.clone();
    }

    /** The input of {@code tap} from a class gradient that differentiated it. */
    public static CamInput of(ClassGradient gradient, Tap tap, String label) {
        Objects.requireNonNull(gradient, "gradient");
        Objects.requireNonNull(tap, "tap");
        for (int i = 0; i < gradient.activations().size(); i++) {
            if (gradient.activations().get(i).tap().equals(tap)) {
                return new CamInput(gradient.activations().get(i), gradient.gradients().get(i), gradient.classIndex(),
                        label, gradient.probability());
            }
        }
        throw new IllegalArgumentException("No gradient at " + tap.layerName() + "; differentiated: "
                + gradient.activations().stream().map(a -> a.tap().layerName()).toList());
    }

    /** The layer. */
    public Tap tap() {
        return activation.tap();
    }
}
