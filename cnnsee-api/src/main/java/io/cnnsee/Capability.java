package io.cnnsee;

import java.util.Objects;
import java.util.Optional;

/**
 * Something a model can do beyond showing its layers: {@link Classifying}, {@link ClassGradients},
 * {@link InputGradients}, {@link ReceptiveFields}, {@link FirstLayerFilters}. Ask a model with
 * {@link InspectableModel#capability(Class)}; the inspector, the explorer and the atlas ask when
 * they are built, so a missing capability is found before the first picture, with
 * {@link UnsupportedCapabilityException} naming it.
 */
public interface Capability {

    /**
     * {@code model} as {@code type} when {@code present}, empty otherwise: for models whose
     * class implements a capability that some of its instances lack (a network built without its
     * classifier).
     */
    static <C extends Capability> Optional<C> when(boolean present, InspectableModel model, Class<C> type) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(type, "type");
        return present && type.isInstance(model) ? Optional.of(type.cast(model)) : Optional.empty();
    }
}
