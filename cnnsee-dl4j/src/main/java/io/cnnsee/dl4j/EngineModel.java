package io.cnnsee.dl4j;

import io.cnnsee.Capability;
import io.cnnsee.ClassGradients;
import io.cnnsee.Classifying;
import io.cnnsee.FirstLayerFilters;
import io.cnnsee.FirstLayerKernels;
import io.cnnsee.InputGradients;
import io.cnnsee.InspectableModel;
import io.cnnsee.ReceptiveFields;
import io.cnnsee.Tap;
import io.cnnsee.UnsupportedCapabilityException;

import java.util.Optional;

/**
 * What every model of this engine can do: differentiate, give receptive fields, and, when the
 * network has them, classify and show its first layer's kernels. Which of the last two an
 * instance has is decided by {@link #classes()} and {@link #kernels()}.
 */
abstract class EngineModel implements InspectableModel, ClassGradients, InputGradients, ReceptiveFields, FirstLayerFilters {

    /** The class probabilities' layer, when the network ends in one. */
    abstract Optional<Tap> classes();

    /** The first convolution's kernels, when it reads the picture's 3 channels. */
    abstract Optional<FirstLayerKernels> kernels();

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
        } else if (type == FirstLayerFilters.class) {
            return Capability.when(kernels().isPresent(), this, type);
        }
        return InspectableModel.super.capability(type);
    }
}
