package io.cnnsee.spi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds the {@link ModelProvider} on the classpath. */
public final class ModelProviders {

    /** The artifact that brings the default provider, named in the error when none is found. */
    public static final String DEFAULT_ARTIFACT = "io.cnnsee:cnnsee-dl4j";

    private static final Logger LOG = LoggerFactory.getLogger(ModelProviders.class);

    private ModelProviders() {
    }

    /** The provider with the highest priority visible to this class's class loader. */
    public static ModelProvider find() {
        return find(ModelProviders.class.getClassLoader());
    }

    /**
     * The provider with the highest priority visible to {@code loader}.
     *
     * @throws IllegalStateException naming the artifact to add when there is none
     */
    public static ModelProvider find(ClassLoader loader) {
        List<ModelProvider> found = new ArrayList<>();
        try {
            ServiceLoader.load(ModelProvider.class, loader).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("A cnnsee model provider on the classpath could not be loaded: "
                    + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("No cnnsee model provider found on the classpath. Add the engine module "
                    + DEFAULT_ARTIFACT + " (VGG16 in Deeplearning4j) next to cnnsee-api, or pass your own "
                    + "InspectableModel with FeatureMapInspector.builder().model(...)");
        }
        ModelProvider chosen = found.stream().max(Comparator.comparingInt(ModelProvider::priority)).orElseThrow();
        if (found.size() > 1) {
            LOG.warn("Several cnnsee model providers found: {}; using {}",
                    found.stream().map(ModelProvider::name).toList(), chosen.name());
        } else {
            LOG.debug("cnnsee model provider: {}", chosen.name());
        }
        return chosen;
    }
}
