package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.List;

/** A model that answers like {@code delegate} but claims other weights. */
record InspectableModelDelegate(InspectableModel delegate, WeightsInfo weights) implements InspectableModel {

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public MapShape inputShape() {
        return delegate.inputShape();
    }

    @Override
    public List<Tap> taps() {
        return delegate.taps();
    }

    @Override
    public Tap tap(String layerName) {
        return delegate.tap(layerName);
    }

    @Override
    public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
        return delegate.forward(image, taps);
    }
}
