package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A network whose layers can be observed: the model side of cnnsee, implemented by an engine
 * module such as {@code cnnsee-dl4j}. What a model can do beyond showing its layers (classify,
 * differentiate, ...) are {@link Capability capabilities}, asked for with {@link #capability}.
 *
 * <p>Implementations must allow {@link #forward} from several threads at once (by locking or by
 * copies of the network); the facade relies on it.
 */
public interface InspectableModel extends AutoCloseable {

    /** The model's name, e.g. {@code "VGG16"}. */
    String name();

    /** Where the weights came from; says so when they are random. */
    WeightsInfo weights();

    /** The input the network takes: 3 colour channels of height x width pixels. */
    MapShape inputShape();

    /** The taps observed by default, in network order: for VGG16 the last conv layer of each block. */
    List<Tap> taps();

    /**
     * Every layer whose output is a spatial map, in network order: what the explorer lists. The
     * default is {@link #taps()}; engines list all their convolutions and poolings.
     */
    default List<Tap> allTaps() {
        return taps();
    }

    /**
     * The tap of any layer, by its name in the model.
     *
     * @throws UnknownLayerException naming the model's layers if there is no such layer
     */
    Tap tap(String layerName);

    /**
     * Runs {@code image} through the network once and returns the output of each tap, in the
     * order of {@code taps}. The model resizes and preprocesses the picture itself.
     *
     * @param image a picture of any size and colour model
     * @param taps  the taps to read, at least one, each from {@link #taps()} or {@link #tap(String)}
     */
    List<FeatureMap> forward(BufferedImage image, List<Tap> taps);

    /**
     * {@link #forward} for several pictures; element i holds picture i's maps. Engines that can
     * run a batch in one pass, which costs less per picture, override this; by default the
     * pictures go one by one.
     */
    default List<List<FeatureMap>> forwardAll(List<BufferedImage> images, List<Tap> taps) {
        java.util.Objects.requireNonNull(images, "images");
        List<List<FeatureMap>> out = new java.util.ArrayList<>(images.size());
        for (BufferedImage image : images) {
            out.add(forward(image, taps));
        }
        return out;
    }

    /**
     * The part of {@code image} the model looks at, before it is resized to {@link #inputShape()}:
     * the whole picture unless the model crops it (VGG16 built with {@code centerCrop}). Overlays
     * and Grad-CAM maps are drawn over it, so that they line up with what the model saw.
     */
    default BufferedImage inputView(BufferedImage image) {
        return java.util.Objects.requireNonNull(image, "image");
    }

    /**
     * How the engine runs this model, for a report's settings: which layers take a slower path,
     * for instance. Empty when there is nothing to say.
     */
    default String engineNote() {
        return "";
    }

    /**
     * This model as {@code capability} when it has it: {@link Classifying}, {@link ClassGradients},
     * {@link InputGradients}, {@link ReceptiveFields}, {@link FirstLayerFilters}. By default a model
     * has the capabilities its class implements; a model whose instances differ (VGG16 with or
     * without its top) overrides this, with {@link Capability#when}.
     */
    default <C extends Capability> java.util.Optional<C> capability(Class<C> capability) {
        return Capability.when(true, this, capability);
    }

    /**
     * This model as {@code capability}, which {@code purpose} needs.
     *
     * @throws UnsupportedCapabilityException naming the model, the capability, the purpose and what to use instead
     */
    default <C extends Capability> C require(Class<C> capability, String purpose) {
        return capability(capability).orElseThrow(() -> new UnsupportedCapabilityException(name(),
                capability == ClassGradients.class && capability(Classifying.class).isEmpty() ? Classifying.class
                        : capability, purpose));
    }

    /** Frees what the model holds (native memory); the model cannot be used afterwards. */
    @Override
    default void close() {
    }
}
