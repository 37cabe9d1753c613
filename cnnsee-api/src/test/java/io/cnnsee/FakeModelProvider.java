package io.cnnsee;

import io.cnnsee.spi.ModelProvider;

/** Registered in test resources, as an engine module registers its provider. */
public final class FakeModelProvider implements ModelProvider {

    @Override
    public String name() {
        return "fake provider for tests";
    }

    @Override
    public InspectableModel defaultModel() {
        return new FakeModel();
    }
}
