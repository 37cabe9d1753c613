package io.cnnsee.dl4j;

import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMap;
import io.cnnsee.FirstLayerFilters;
import io.cnnsee.FirstLayerKernels;
import io.cnnsee.FullGradient;
import io.cnnsee.InputGradient;
import io.cnnsee.MapShape;
import io.cnnsee.Objective;
import io.cnnsee.Tap;
import io.cnnsee.WeightsInfo;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * VGG16 in Deeplearning4j, ready to be inspected. Made with {@link Vgg16#builder()}: the network
 * defined layer by layer ({@link Vgg16Network}) with the Keras weights, run like any network by
 * the one compiled engine, forward and backward ({@link Dl4jModel}). What is VGG16's own here are
 * its names, its preprocessing (Keras' "caffe" mode, an optional centre crop), its ImageNet class
 * names and its messages.
 *
 * <p>Thread-safe: passes are serialised on the network.
 */
public final class Vgg16Model extends EngineModel {

    private final Vgg16Architecture architecture;
    private final MultiLayerNetwork network;
    private final WeightsInfo weights;
    private final Preprocessing preprocessing;
    private final List<Tap> defaultTaps;
    private final ConvolutionAlgorithm convolutions;
    /** The network on the one engine, sharing this model's parameters. */
    private final Dl4jModel engine;

    Vgg16Model(Vgg16Architecture architecture, MultiLayerNetwork network, WeightsInfo weights, Preprocessing preprocessing,
               ConvolutionAlgorithm convolutions) {
        this.architecture = architecture;
        this.network = network;
        this.weights = weights;
        this.preprocessing = preprocessing;
        this.defaultTaps = architecture.defaultTaps();
        this.convolutions = convolutions;
        this.engine = Dl4jModels.builder(network).name(name()).weights(weights).input(preprocessing.input()).build()
                .withConvolutions(convolutions);
    }

    @Override
    public String name() {
        return architecture.isStandard() ? "VGG16" : architecture.toString();
    }

    @Override
    public WeightsInfo weights() {
        return weights;
    }

    @Override
    public MapShape inputShape() {
        return new MapShape(3, architecture.inputSize(), architecture.inputSize());
    }

    /**
     * The Deeplearning4j network, layer by layer with the Keras names, holding the weights. Not
     * thread-safe, and not guarded by this model's lock: use it from one thread, for DL4J's own
     * API (feedForward, summary, saving). Changing its parameters after the first inspection is
     * not seen by this model's pass, which copies them into oneDNN's layouts once; build a model
     * from other weights instead.
     */
    public MultiLayerNetwork network() {
        return network;
    }

    public Vgg16Architecture architecture() {
        return architecture;
    }

    Preprocessing preprocessing() {
        return preprocessing;
    }

    /** {@code block1_conv2} 64 x 224 x 224 ... {@code block5_conv3} 512 x 14 x 14. */
    @Override
    public List<Tap> taps() {
        return defaultTaps;
    }

    /** The 13 convolutions and 5 poolings, in order; the default taps keep their block names. */
    @Override
    public List<Tap> allTaps() {
        List<Tap> all = new ArrayList<>();
        for (LayerSpec spec : architecture.layers()) {
            if (spec.kind() == LayerSpec.Kind.CONV || spec.kind() == LayerSpec.Kind.POOL) {
                all.add(tap(spec.name()));
            }
        }
        return all;
    }

    @Override
    public Tap tap(String layerName) {
        Objects.requireNonNull(layerName, "layerName");
        for (Tap t : defaultTaps) {
            if (t.layerName().equals(layerName)) {
                return t;
            }
        }
        int index = architecture.indexOf(layerName);
        if (index < 0) {
            throw new io.cnnsee.UnknownLayerException("VGG16", layerName, "its layers"
                    + (architecture.includeTop() ? "" : " (the dense layers need the top: includeTop)"),
                    architecture.layers().stream().map(LayerSpec::name).toList());
        }
        return Tap.of(layerName, architecture.outputShape(index));
    }

    @Override
    public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
        Objects.requireNonNull(image, "image must not be null");
        checkTaps(taps);
        return engine.forward(image, taps);
    }

    /** The pictures' maps, run as batches. */
    @Override
    public List<List<FeatureMap>> forwardAll(List<BufferedImage> images, List<Tap> taps) {
        Objects.requireNonNull(images, "images");
        if (images.isEmpty()) {
            return List.of();
        }
        checkTaps(taps);
        return engine.forwardAll(images, taps);
    }

    /** What oneDNN runs for each step of a one-picture pass reading {@code lastLayer}, e.g. "block1_conv2: brgconv:avx512_core". */
    List<String> implementations(String lastLayer) {
        return engine.implementations(List.of(tap(lastLayer)));
    }

    /** The OpenMP threads every plan is made with: those of the thread that built the model. */
    int planThreads() {
        return engine.planThreads();
    }

    /** The OpenMP threads each kept plan was made with. */
    List<Integer> threadsOfPlans() {
        return engine.threadsOfPlans();
    }

    /** How this model's 3 x 3 convolutions are computed, as asked of its builder. */
    public ConvolutionAlgorithm convolutions() {
        return convolutions;
    }

    /** The central square of {@code image} when the model crops (centerCrop), else the whole picture. */
    @Override
    public BufferedImage inputView(BufferedImage image) {
        return engine.inputView(image);
    }

    /**
     * The kernels of {@code block1_conv1} for {@link io.cnnsee.render.Filters}, in RGB order. (The
     * network takes BGR input, as Keras' preprocessing gives it, so the planes are put back in
     * RGB order.) Always present.
     */
    @Override
    Optional<FirstLayerKernels> kernels() {
        return engine.capability(FirstLayerFilters.class).map(FirstLayerFilters::firstLayerKernels);
    }

    /** The gradient of a class score (before softmax) with respect to convolutional or pooling layers. Needs the model's top. */
    @Override
    public FullGradient fullGradient(BufferedImage image, int classIndex) {
        checkClass(classIndex);
        return engine.fullGradient(Objects.requireNonNull(image, "image must not be null"), classIndex);
    }

    @Override
    public ClassGradient classGradient(BufferedImage image, int classIndex, List<Tap> taps) {
        Objects.requireNonNull(image, "image must not be null");
        Objects.requireNonNull(taps, "taps");
        if (classes().isEmpty()) {
            throw new UnsupportedOperationException("Class gradients (Grad-CAM) need the class scores: build the model"
                    + " with includeTop(true) (on the command line: --include-top)");
        }
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Name at least one layer to differentiate");
        }
        checkClass(classIndex);
        checkTaps(taps);
        for (Tap t : taps) {
            if (architecture.indexOf(t.layerName()) >= architecture.firstDenseIndex()) {
                throw new IllegalArgumentException("Grad-CAM needs a convolutional layer; " + t.layerName()
                        + " is dense: choose one of block1_conv1 ... block5_pool");
            }
        }
        return engine.classGradient(image, classIndex, taps);
    }

    /** Each tap checked to be a layer of this network, with the shape it has here. */
    private void checkTaps(List<Tap> taps) {
        Objects.requireNonNull(taps, "taps");
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Name at least one tap to read");
        }
        for (Tap t : taps) {
            Objects.requireNonNull(t, "tap");
            int index = architecture.indexOf(t.layerName());
            if (index < 0 || !architecture.outputShape(index).equals(t.shape())) {
                throw new IllegalArgumentException("Tap " + t + " is not a layer of " + name()
                        + "; ask the model for its taps with taps() or tap(name)");
            }
        }
    }

    /** The {@code predictions} layer when the model has its top; empty without. */
    @Override
    Optional<Tap> classes() {
        if (!architecture.includeTop()) {
            return Optional.empty();
        }
        return Optional.of(tap(architecture.layers().get(architecture.layers().size() - 1).name()));
    }

    /** VGG's 3 x 3 convolutions (stride 1, padding 1) and 2 x 2 pools (stride 2), up to the tap's layer. */
    @Override
    public Optional<io.cnnsee.ReceptiveField> receptiveField(Tap tap) {
        int index = architecture.indexOf(Objects.requireNonNull(tap, "tap").layerName());
        if (index < 0 || index >= architecture.firstDenseIndex()) {
            return Optional.empty();
        }
        io.cnnsee.ReceptiveField field = io.cnnsee.ReceptiveField.PIXEL;
        for (int i = 0; i <= index; i++) {
            field = architecture.layers().get(i).kind() == LayerSpec.Kind.CONV ? field.then(3, 1, 1, 1) : field.then(2, 2, 0, 1);
        }
        return Optional.of(field);
    }

    @Override
    public io.cnnsee.ImageInput imageInput() {
        return preprocessing.input();
    }

    /** VGG16's input for {@code image}: B, G, R planes, ImageNet means subtracted ({@link Preprocessing}). */
    @Override
    public float[] networkInput(BufferedImage image) {
        return preprocessing.apply(Objects.requireNonNull(image, "image"));
    }

    @Override
    public boolean scoresFrom(Tap tap) {
        return architecture.includeTop() && engine.scoresFrom(tap);
    }

    @Override
    public List<float[]> classScoresFrom(Tap tap, List<float[]> outputs) {
        classifier();
        return engine.classScoresFrom(tap, outputs);
    }

    @Override
    boolean guidesGradients() {
        return engine.capability(io.cnnsee.GuidedGradients.class).isPresent();
    }

    @Override
    public List<InputGradient> guidedInputGradients(List<float[]> inputs, List<Objective> objectives) {
        Objects.requireNonNull(objectives, "objectives").forEach(o -> checkObjective(Objects.requireNonNull(o, "objective")));
        return engine.guidedInputGradients(inputs, objectives);
    }

    @Override
    boolean scoresClasses() {
        return architecture.includeTop() && engine.capability(io.cnnsee.InputScores.class).isPresent();
    }

    @Override
    public List<float[]> classScores(List<float[]> inputs) {
        classifier();
        return engine.classScores(inputs);
    }

    @Override
    public InputGradient inputGradient(float[] input, Objective objective) {
        Objects.requireNonNull(input, "input");
        checkObjective(Objects.requireNonNull(objective, "objective"));
        return engine.inputGradient(input, objective);
    }

    /** Several inputs' gradients, run as batches. */
    @Override
    public List<InputGradient> inputGradients(List<float[]> inputs, List<Objective> objectives) {
        Objects.requireNonNull(objectives, "objectives").forEach(o -> checkObjective(Objects.requireNonNull(o, "objective")));
        return engine.inputGradients(inputs, objectives);
    }

    /** VGG16's own messages for class scores without the top, and for classes and channels it does not have. */
    private void checkObjective(Objective objective) {
        for (Objective.Term t : objective.terms()) {
            if (t.kind() == Objective.Kind.CLASS_LOGIT) {
                if (!architecture.includeTop()) {
                    throw new IllegalArgumentException(name() + " has no class scores without its top: build it with "
                            + "includeTop(true) (on the command line: --include-top)");
                }
                if (t.index() >= architecture.classes()) {
                    throw new IllegalArgumentException("Class " + t.index() + " is not one of " + name() + "'s classes 0 to "
                            + (architecture.classes() - 1));
                }
            } else {
                Tap tap = tap(t.layer());
                if (t.index() >= tap.shape().channels()) {
                    throw new IllegalArgumentException(t.layer() + " has channels 0 to " + (tap.shape().channels() - 1)
                            + ", not " + t.index());
                }
            }
        }
    }

    /** The ImageNet class name for the standard 1000 classes; "class i" for a network of other classes. */
    @Override
    public String classLabel(int index) {
        return architecture.classes() == ImageNetClasses.COUNT ? ImageNetClasses.label(index) : "class " + index;
    }

    /**
     * The class probabilities for {@code image}, one per class.
     *
     * @throws IllegalStateException if the network was built without its top
     */
    public float[] predict(BufferedImage image) {
        Tap predictions = classes().orElseThrow(() ->
                new IllegalStateException("Predictions need the dense top: build the model with includeTop(true)"));
        return forward(image, List.of(predictions)).get(0).toArray();
    }

    /** How the engine runs the network, for reports. */
    @Override
    public String engineNote() {
        return engine.engineNote();
    }

    @Override
    public void close() {
        engine.close();
        synchronized (engine.graph()) {
            network.close();
        }
    }

    @Override
    public String toString() {
        return name() + " (" + weights.source() + ")";
    }
}
