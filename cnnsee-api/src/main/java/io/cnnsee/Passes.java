package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * What one inspection reads from the model: the taps' maps, the class probabilities when the
 * model classifies, and the class gradient when something explains a class. One forward pass
 * gives the first two; ranking by gradient reads the maps from the backward pass's forward half
 * instead, so the picture goes through the network once either way.
 */
record Passes(List<FeatureMap> maps, FeatureMap probabilities, ClassGradient gradient) {

    /**
     * @param classifier     the classifier to read, or null for no predictions
     * @param differentiable the model's class gradients, or null when nothing explains a class
     * @param gradCamTap     the layer Grad-CAM looks at, or null
     * @param rankByGradient whether every tap must be differentiated too
     */
    static Passes run(InspectableModel model, BufferedImage image, List<Tap> taps, Tap classifier,
                      ClassGradients differentiable, Tap gradCamTap, boolean rankByGradient, int explainedClass) {
        if (rankByGradient) {
            List<Tap> differentiated = gradCamTap == null || taps.contains(gradCamTap) ? taps : concat(taps, gradCamTap);
            ClassGradient gradient = differentiable.classGradient(image, explainedClass, differentiated);
            check(model, gradient.activations(), differentiated);
            return new Passes(gradient.activations().subList(0, taps.size()), gradient.probabilities(), gradient);
        }
        List<Tap> read = classifier != null ? concat(taps, classifier) : taps;
        List<FeatureMap> all = model.forward(image, read);
        check(model, all, read);
        ClassGradient gradient = null;
        if (gradCamTap != null) {
            gradient = differentiable.classGradient(image, explainedClass, List.of(gradCamTap));
            check(model, gradient.activations(), List.of(gradCamTap));
        }
        return new Passes(all.subList(0, taps.size()), classifier != null ? all.get(taps.size()) : null, gradient);
    }

    /** The model must answer what was asked, in order: a wrong engine is caught here, not in a grid. */
    private static void check(InspectableModel model, List<FeatureMap> maps, List<Tap> asked) {
        if (maps.size() != asked.size()) {
            throw new IllegalStateException("Model " + model.name() + " returned " + maps.size()
                    + " feature maps for " + asked.size() + " taps");
        }
        for (int i = 0; i < asked.size(); i++) {
            if (!maps.get(i).tap().equals(asked.get(i))) {
                throw new IllegalStateException("Model " + model.name() + " returned the output of "
                        + maps.get(i).tap() + " where " + asked.get(i) + " was asked for");
            }
        }
    }

    private static List<Tap> concat(List<Tap> taps, Tap extra) {
        List<Tap> all = new ArrayList<>(taps);
        all.add(extra);
        return all;
    }
}
