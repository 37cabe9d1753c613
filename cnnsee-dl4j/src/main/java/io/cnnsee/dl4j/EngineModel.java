package io.cnnsee.dl4j;

import io.cnnsee.BiasGradients;
import io.cnnsee.Capability;
import io.cnnsee.ClassGradient;
import io.cnnsee.ClassGradients;
import io.cnnsee.Classifying;
import io.cnnsee.FirstLayerFilters;
import io.cnnsee.FirstLayerKernels;
import io.cnnsee.GuidedGradients;
import io.cnnsee.InputGradients;
import io.cnnsee.InputScores;
import io.cnnsee.LayerScores;
import io.cnnsee.InspectableModel;
import io.cnnsee.ReceptiveFields;
import io.cnnsee.Tap;
import io.cnnsee.UnsupportedCapabilityException;

import java.util.Optional;

/**
 * What every model of this engine can do: differentiate, give receptive fields, and, when the
 * network has them, classify (and on oneDNN give FullGrad's bias gradients) and show its first
 * layer's kernels. Which of the last two an
 * instance has is decided by {@link #classes()} and {@link #kernels()}.
 */
abstract class EngineModel implements InspectableModel, BiasGradients, GuidedGradients, InputScores, LayerScores,
        ReceptiveFields, FirstLayerFilters {

    /** The class probabilities' layer, when the network ends in one. */
    abstract Optional<Tap> classes();

    /** The first convolution's kernels, when it reads the picture's 3 channels. */
    abstract Optional<FirstLayerKernels> kernels();

    /** Whether the engine reads the scores before softmax, forward only ({@link InputScores}). */
    abstract boolean scoresClasses();

    /** Whether the engine guides gradients through ReLUs ({@link GuidedGradients}): where the network compiles. */
    abstract boolean guidesGradients();

    /** {@code tap}'s outputs checked: each of the tap's shape. */
    final void checkOutputs(Tap tap, java.util.List<float[]> outputs) {
        java.util.Objects.requireNonNull(outputs, "outputs");
        if (!scoresFrom(tap)) {
            throw new IllegalArgumentException(name() + " cannot run on from " + tap.layerName()
                    + ": something before it reaches past it, or it does not lead to the class scores");
        }
        for (int i = 0; i < outputs.size(); i++) {
            if (java.util.Objects.requireNonNull(outputs.get(i), "output").length != tap.shape().size()) {
                throw new IllegalArgumentException("Output " + i + " has " + outputs.get(i).length + " values; "
                        + tap.layerName() + " puts out " + tap.shape() + " = " + tap.shape().size());
            }
        }
    }

    /**
     * {@code classIndex} checked against the classifier's classes ({@link ClassGradient#MOST_PROBABLE_CLASS} passes);
     * the engine's form of it: -1 for the most probable.
     */
    final int checkClass(int classIndex) {
        int count = classifier().shape().channels();
        if (classIndex != ClassGradient.MOST_PROBABLE_CLASS && (classIndex < 0 || classIndex >= count)) {
            throw new IllegalArgumentException("Class " + classIndex + " is not one of " + name() + "'s classes 0 to " + (count - 1));
        }
        return classIndex == ClassGradient.MOST_PROBABLE_CLASS ? -1 : classIndex;
    }

    /** The inputs' shape checked: each of {@code size} values. */
    final void checkInputs(java.util.List<float[]> inputs, int size) {
        java.util.Objects.requireNonNull(inputs, "inputs");
        for (int i = 0; i < inputs.size(); i++) {
            if (java.util.Objects.requireNonNull(inputs.get(i), "input").length != size) {
                throw new IllegalArgumentException("Input " + i + " has " + inputs.get(i).length + " values; " + name()
                        + " takes " + inputShape() + " = " + size);
            }
        }
    }

    /** The class probabilities' layer; the model must classify ({@link #capability}). */
    @Override
    public final Tap classifier() {
        return classes().orElseThrow(() -> new UnsupportedCapabilityException(name(), Classifying.class,
                "Reading class probabilities"));
    }

    /** The first convolution's kernels; the model must start with one of the picture's 3 channels ({@link #capability}). */
    @Override
    public final FirstLayerKernels firstLayerKernels() {
        return kernels().orElseThrow(() -> new UnsupportedCapabilityException(name(), FirstLayerFilters.class,
                "Showing the first-layer filters"));
    }

    /** Class scores when the network ends in them, first-layer filters when it starts with a convolution. */
    @Override
    public final <C extends Capability> Optional<C> capability(Class<C> type) {
        if (type == Classifying.class || type == ClassGradients.class) {
            return Capability.when(classes().isPresent(), this, type);
        } else if (type == GuidedGradients.class) {
            return Capability.when(guidesGradients(), this, type);
        } else if (type == InputScores.class || type == LayerScores.class || type == BiasGradients.class) {
            return Capability.when(classes().isPresent() && scoresClasses(), this, type);
        } else if (type == FirstLayerFilters.class) {
            return Capability.when(kernels().isPresent(), this, type);
        }
        return InspectableModel.super.capability(type);
    }
}
