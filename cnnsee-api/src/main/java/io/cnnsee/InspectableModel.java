package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A network whose layers can be observed: the model side of cnnsee, implemented by an engine
 * module such as {@code cnnsee-dl4j}.
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
     * @throws IllegalArgumentException naming the model's layers if there is no such layer
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
     * The layer whose output is the class probabilities, when the model classifies (VGG16 built
     * with its top); empty otherwise. The inspector reads it in the same pass as the taps.
     */
    default java.util.Optional<Tap> classifier() {
        return java.util.Optional.empty();
    }

    /** The name of class {@code index} of the {@link #classifier()}, e.g. "tabby, tabby cat". */
    default String classLabel(int index) {
        return "class " + index;
    }

    /**
     * The gradient of one class score (before softmax) with respect to the outputs of
     * {@code taps}, with those outputs and the class probabilities, from one forward and one
     * backward pass: what {@link GradCam} is made of. Models that cannot differentiate keep this
     * default, which throws.
     *
     * @param classIndex the class, or {@link ClassGradient#MOST_PROBABLE_CLASS} for the picture's most probable
     * @param taps       the layers, at least one; convolutional layers for Grad-CAM
     * @throws UnsupportedOperationException if the model does not classify or cannot compute gradients
     * @throws IllegalArgumentException      if the class is not one of the model's, or a tap cannot be differentiated
     */
    default ClassGradient classGradient(BufferedImage image, int classIndex, List<Tap> taps) {
        throw new UnsupportedOperationException(name() + " cannot compute class gradients, which Grad-CAM needs");
    }

    /**
     * The input pixels a unit of {@code tap} sees, computed from the network's strides and
     * kernels; empty when the model does not say (the atlas then shows whole pictures).
     */
    default java.util.Optional<ReceptiveField> receptiveField(Tap tap) {
        return java.util.Optional.empty();
    }

    /**
     * How the model makes a picture its input, when it says: what feature visualisation needs to
     * turn a picture it optimises into the network's input and back.
     */
    default java.util.Optional<ImageInput> imageInput() {
        return java.util.Optional.empty();
    }

    /**
     * {@code image} as the network's input: resized and scaled as the model does it, channel after
     * channel ({@link #inputShape()}), the input {@link #inputGradient} differentiates at.
     *
     * @throws UnsupportedOperationException if the model does not expose its input
     */
    default float[] networkInput(BufferedImage image) {
        throw new UnsupportedOperationException(name() + " does not expose its network input");
    }

    /**
     * {@code objective}'s value at {@code input} (as {@link #networkInput} makes it, or any values
     * of {@link #inputShape()}) and its gradient with respect to the input, from one forward and
     * one backward pass.
     *
     * @throws UnsupportedOperationException if the model cannot differentiate with respect to its input
     * @throws IllegalArgumentException      naming the layers, channels or classes there are, when the
     *                                       objective reads one the model does not have
     */
    default InputGradient inputGradient(float[] input, Objective objective) {
        throw new UnsupportedOperationException(name() + " cannot compute gradients with respect to its input");
    }

    /**
     * {@link #inputGradient} for several inputs, each with its own objective: element i is input
     * i's. Engines that can run them as one batch, which costs less per input, override this
     * (VGG16 does for objectives that read one convolution or pooling layer); by default they go
     * one by one.
     *
     * @throws IllegalArgumentException if the lists differ in length or are empty
     */
    default java.util.List<InputGradient> inputGradients(java.util.List<float[]> inputs, java.util.List<Objective> objectives) {
        java.util.Objects.requireNonNull(inputs, "inputs");
        java.util.Objects.requireNonNull(objectives, "objectives");
        if (inputs.isEmpty() || inputs.size() != objectives.size()) {
            throw new IllegalArgumentException("One objective per input, and at least one: got " + inputs.size()
                    + " inputs and " + objectives.size() + " objectives");
        }
        java.util.List<InputGradient> out = new java.util.ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            out.add(inputGradient(inputs.get(i), objectives.get(i)));
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
     * The kernels of the first convolution, for {@link io.cnnsee.render.Filters}: empty when the
     * model does not expose them.
     */
    default java.util.Optional<FirstLayerKernels> firstLayerKernels() {
        return java.util.Optional.empty();
    }

    /**
     * How the engine runs this model, for a report's settings: which layers take a slower path,
     * for instance. Empty when there is nothing to say.
     */
    default String engineNote() {
        return "";
    }

    /** Frees what the model holds (native memory); the model cannot be used afterwards. */
    @Override
    default void close() {
    }
}
