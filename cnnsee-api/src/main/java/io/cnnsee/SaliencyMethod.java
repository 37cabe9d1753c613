package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Objects;

/**
 * The saliency an inspection adds for the class it explains (see {@link Saliency}), with the
 * settings the literature uses: SmoothGrad 25 samples of noise 0.15 of the input's range,
 * Integrated Gradients 32 steps from an all-zero network input (for mean-subtracted inputs, the
 * mean picture).
 */
public enum SaliencyMethod {
    VANILLA("vanilla"),
    SMOOTHGRAD("smoothgrad"),
    INTEGRATED_GRADIENTS("integrated-gradients"),
    /** Guided Backpropagation: needs {@link GuidedGradients}. */
    GUIDED_BACKPROP("guided-backprop"),
    /** Guided Grad-CAM at the model's last default tap: needs {@link GuidedGradients} and {@link ClassGradients}. */
    GUIDED_GRAD_CAM("guided-gradcam"),
    /** FullGrad: needs {@link BiasGradients}. */
    FULL_GRAD("fullgrad");

    /** SmoothGrad's samples and noise, Integrated Gradients' steps. */
    public static final int SAMPLES = 25;
    public static final double NOISE = 0.15;
    public static final int STEPS = 32;

    private final String cliName;

    SaliencyMethod(String cliName) {
        this.cliName = cliName;
    }

    /**
     * The name the command line takes: {@code vanilla}, {@code smoothgrad}, {@code integrated-gradients},
     * {@code guided-backprop}, {@code guided-gradcam}, {@code fullgrad}.
     */
    public String cliName() {
        return cliName;
    }

    /**
     * The method called {@code name} on the command line.
     *
     * @throws IllegalArgumentException naming the methods there are
     */
    public static SaliencyMethod named(String name) {
        Objects.requireNonNull(name, "name");
        for (SaliencyMethod m : values()) {
            if (m.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown saliency '" + name + "': choose vanilla, smoothgrad, integrated-gradients,"
                + " guided-backprop, guided-gradcam or fullgrad");
    }

    /** The saliency of {@code objective} for {@code image}; SmoothGrad's noise drawn from {@code seed}. */
    public SaliencyMap compute(InspectableModel model, BufferedImage image, Objective objective, long seed) {
        return switch (this) {
            case VANILLA -> Saliency.vanilla(model, image, objective);
            case SMOOTHGRAD -> Saliency.smoothGrad(model, image, objective, SAMPLES, NOISE, seed);
            case INTEGRATED_GRADIENTS -> Saliency.integratedGradients(model, image, objective, null, STEPS);
            case GUIDED_BACKPROP -> Saliency.guidedBackprop(model, image, objective);
            case GUIDED_GRAD_CAM -> Saliency.guidedGradCam(model, image, classOf(objective),
                    model.taps().get(model.taps().size() - 1));
            case FULL_GRAD -> Saliency.fullGrad(model, image, classOf(objective));
        };
    }

    /**
     * Checks that {@code model} can compute this saliency, before any picture is read.
     *
     * @throws UnsupportedCapabilityException naming what the model lacks
     */
    public void requireOn(InspectableModel model) {
        model.require(Classifying.class, "Saliency");
        switch (this) {
            case GUIDED_BACKPROP -> model.require(GuidedGradients.class, "Guided Backpropagation");
            case GUIDED_GRAD_CAM -> {
                model.require(GuidedGradients.class, "Guided Grad-CAM");
                model.require(ClassGradients.class, "Guided Grad-CAM");
            }
            case FULL_GRAD -> model.require(BiasGradients.class, "FullGrad");
            default -> model.require(InputGradients.class, "Saliency");
        }
    }

    /** The class of an objective that is one class's logit, which Guided Grad-CAM and FullGrad explain. */
    private int classOf(Objective objective) {
        if (objective.terms().size() != 1 || objective.terms().get(0).kind() != Objective.Kind.CLASS_LOGIT) {
            throw new IllegalArgumentException(cliName + " explains one class's logit, not " + objective);
        }
        return objective.terms().get(0).index();
    }
}