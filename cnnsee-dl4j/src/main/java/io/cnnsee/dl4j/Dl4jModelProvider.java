package io.cnnsee.dl4j;

import io.cnnsee.InspectableModel;
import io.cnnsee.spi.ModelProvider;

/** Registers VGG16 in Deeplearning4j, with the ImageNet weights and no top, as the default model. */
public final class Dl4jModelProvider implements ModelProvider {

    @Override
    public String name() {
        return "cnnsee-dl4j (VGG16 in Deeplearning4j)";
    }

    @Override
    public InspectableModel defaultModel() {
        return Vgg16.builder().build();
    }
}
