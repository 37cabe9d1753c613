package io.cnnsee;

import java.util.Map;
import java.util.Objects;

/**
 * A model lacks a {@link Capability} that was asked of it: the message names the model, what it
 * cannot do, what needed it and what to use instead.
 */
public class UnsupportedCapabilityException extends UnsupportedOperationException {

    private static final long serialVersionUID = 1L;

    /** What a model with the capability does, how one without it falls short, and what to do. */
    private record Wording(String does, String cannot, String instead) {
    }

    private static final Map<Class<? extends Capability>, Wording> WORDING = Map.of(
            Classifying.class, new Wording("classifies", "does not classify (it has no layer of class probabilities)",
                    "use a model with its classifier: VGG16 or a zoo network with includeTop(true)"
                            + " (--include-top on the command line), or a Keras or ONNX file that ends in class scores"),
            ClassGradients.class, new Wording("differentiates its class scores", "cannot differentiate its class scores",
                    "use a model of cnnsee-dl4j, whose engine differentiates every network it runs"),
            InputGradients.class, new Wording("differentiates with respect to its input", "cannot differentiate with respect to its input",
                    "use a model of cnnsee-dl4j, whose engine differentiates every network it runs"),
            InputScores.class, new Wording("scores many inputs forward only", "cannot score inputs forward only",
                    "use a model of cnnsee-dl4j that ends in class scores and runs on oneDNN"),
            LayerScores.class, new Wording("runs its class scores on from a layer", "cannot run on from a layer",
                    "use a model of cnnsee-dl4j that ends in class scores and runs on oneDNN"),
            BiasGradients.class, new Wording("gives the gradients of its biases", "cannot give the gradients of its biases",
                    "use a model of cnnsee-dl4j that ends in class scores and runs on oneDNN"),
            GuidedGradients.class, new Wording("guides its gradients through ReLUs", "cannot guide its gradients",
                    "use a model of cnnsee-dl4j that runs on oneDNN"),
            ReceptiveFields.class, new Wording("gives its receptive fields", "does not say which pixels its units see",
                    "use a model of cnnsee-dl4j, or leave the patches out"),
            FirstLayerFilters.class, new Wording("shows its first-layer kernels", "does not start with a convolution of the picture's 3 colour channels",
                    "leave out the first-layer filters (firstLayerFilters(false), no --filters)"));

    private final String modelName;
    private final Class<? extends Capability> capability;

    /**
     * @param modelName  the model's name
     * @param capability what it lacks
     * @param purpose    what needed it, e.g. "Grad-CAM"
     */
    public UnsupportedCapabilityException(String modelName, Class<? extends Capability> capability, String purpose) {
        super(message(modelName, capability, purpose));
        this.modelName = modelName;
        this.capability = capability;
    }

    private static String message(String modelName, Class<? extends Capability> capability, String purpose) {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(capability, "capability");
        Objects.requireNonNull(purpose, "purpose");
        Wording w = WORDING.getOrDefault(capability,
                new Wording("is " + capability.getSimpleName(), "is not", "use a model that has it"));
        return purpose + " needs a model that " + w.does() + ", and " + modelName + " " + w.cannot()
                + ": " + w.instead();
    }

    /** The model that lacks the capability. */
    public String modelName() {
        return modelName;
    }

    /** The capability it lacks. */
    public Class<? extends Capability> capability() {
        return capability;
    }
}
