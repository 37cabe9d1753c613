package io.cnnsee.spi;

import io.cnnsee.InspectableModel;

/**
 * Makes the default model of an engine module. Found with {@link java.util.ServiceLoader}: an
 * engine module lists its implementation in
 * {@code META-INF/services/io.cnnsee.spi.ModelProvider}, the way an SLF4J provider registers.
 */
public interface ModelProvider {

    /** A short name for logs, e.g. {@code "cnnsee-dl4j (Deeplearning4j VGG16)"}. */
    String name();

    /**
     * The model {@code FeatureMapInspector.inspect(image)} uses. May take long (weights are
     * loaded or downloaded); throws with a message that says what to do when it cannot.
     */
    InspectableModel defaultModel();

    /** When several providers are present, the highest priority wins; ties go to the first found. */
    default int priority() {
        return 0;
    }
}
