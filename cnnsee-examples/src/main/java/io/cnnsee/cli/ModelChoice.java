package io.cnnsee.cli;

import io.cnnsee.ImageInput;
import io.cnnsee.InspectableModel;
import io.cnnsee.MapShape;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jModels;
import io.cnnsee.dl4j.Dl4jZoo;
import io.cnnsee.dl4j.DownloadProgress;
import io.cnnsee.dl4j.GraphModel;
import io.cnnsee.dl4j.GraphModelBuilder;
import io.cnnsee.dl4j.KerasModels;
import io.cnnsee.dl4j.OnnxModels;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.dl4j.WeightsCache;
import io.cnnsee.dl4j.ZooWeights;

import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which network {@code cnnsee inspect} runs, from its options: cnnsee's own VGG16 (the default),
 * a network of Deeplearning4j's zoo by name, or a file of the user's (Keras {@code .h5} or a
 * {@code ModelSerializer} zip), with how pictures become its input.
 */
final class ModelChoice {

    static final String VGG16 = "vgg16";
    static final String RANDOM = "random";

    /** The three ways in. */
    enum Kind { BUILT_IN, ZOO, FILE }

    private final String model;
    private final String weights;
    private final long seed;
    private final String inputPreset;
    private final String inputSize;
    private final Path labels;
    private final boolean centerCrop;

    ModelChoice(String model, String weights, long seed, String inputPreset, String inputSize, Path labels, boolean centerCrop) {
        this.model = model == null ? VGG16 : model;
        this.weights = weights;
        this.seed = seed;
        this.inputPreset = inputPreset;
        this.inputSize = inputSize;
        this.labels = labels;
        this.centerCrop = centerCrop;
    }

    Kind kind() {
        if (VGG16.equalsIgnoreCase(model)) {
            return Kind.BUILT_IN;
        }
        return Dl4jZoo.has(model) ? Kind.ZOO : Kind.FILE;
    }

    /** Whether the network ends in class scores: VGG16 only with its top, zoo networks always, a file if it does. */
    boolean alwaysClassifies() {
        return kind() == Kind.ZOO;
    }

    boolean randomWeights() {
        return weights != null && RANDOM.equalsIgnoreCase(weights);
    }

    /**
     * Options that do not fit the choice, as a usage error's message; null when they fit.
     */
    String misfit() {
        Kind kind = kind();
        if (kind == Kind.FILE && !model.contains(".") && !model.contains("/") && !model.contains(java.io.File.separator)) {
            return "--model: '" + model + "' is neither a network cnnsee knows (vgg16, " + String.join(", ", Dl4jZoo.NAMES)
                    + ") nor a file (.onnx, .keras, .h5, .zip)";
        }
        if (kind == Kind.FILE && weights != null) {
            return "--weights: a model file brings its own weights; --weights is for vgg16 and the zoo's networks"
                    + " (for the sanity check, --sanity-check draws random ones)";
        }
        if (kind == Kind.FILE && inputPreset == null) {
            return "--model " + model + " needs --input: how its training pictures were scaled, one of "
                    + ImageInput.PRESETS + " (caffe: BGR minus ImageNet means; torch: RGB 0..1 then ImageNet mean/std; "
                    + "tensorflow: -1..1; unit: 0..1; raw: RGB 0..255)" + expectedInput();
        }
        if (kind == Kind.BUILT_IN && (inputPreset != null || inputSize != null)) {
            return "--input and --input-size describe another network's input; VGG16 takes 224 x 224 caffe-style";
        }
        if (kind != Kind.FILE && labels != null) {
            return "--labels names a model file's classes; " + model + " has ImageNet's";
        }
        return null;
    }

    /** What a known architecture in the file expects, as the end of a sentence; empty where nothing is known. */
    private String expectedInput() {
        Path file = Path.of(model);
        if (OnnxModels.isOnnx(file)) {
            return ". A PyTorch model from torchvision takes torch";
        }
        return KerasModels.isKerasModel(file) ? KerasModels.expectedInput(file).map(p -> ". This one takes " + p).orElse("") : "";
    }

    /** The model, loaded; downloads print their progress on {@code err}. */
    InspectableModel load(boolean includeTop, ConvolutionAlgorithm convolutions, PrintWriter err) {
        return switch (kind()) {
            case BUILT_IN -> Vgg16.builder().includeTop(includeTop).centerCrop(centerCrop).convolutions(convolutions)
                    .weights(vggWeights(err)).build();
            case ZOO -> Dl4jZoo.model(model, zooWeights(err), zooInput());
            case FILE -> fileModel();
        };
    }

    /** The same network with random weights drawn from {@code seed}, beside {@code trained} for the sanity check. */
    InspectableModel randomTwin(InspectableModel trained, boolean includeTop, ConvolutionAlgorithm convolutions) {
        return switch (kind()) {
            case BUILT_IN -> Vgg16.builder().includeTop(includeTop).centerCrop(centerCrop).convolutions(convolutions)
                    .weights(Vgg16Weights.random(seed)).build();
            case ZOO -> Dl4jZoo.model(model, ZooWeights.random(seed), zooInput());
            case FILE -> trained instanceof GraphModel g ? g.withRandomWeights(seed) : ((Dl4jModel) trained).withRandomWeights(seed);
        };
    }

    /** What the loading line says. */
    String describe() {
        String what = kind() == Kind.FILE ? model : model.toLowerCase(Locale.ROOT);
        if (kind() == Kind.FILE) {
            return what;
        }
        if (weights == null) {
            return what + " (ImageNet weights)";
        }
        return what + (randomWeights() ? " (random weights, seed " + seed + ": not trained)" : " (weights from " + weights + ")");
    }

    private DownloadProgress progress(PrintWriter err) {
        return (file, bytes, total, rate, done) -> {
            err.println((done ? "Downloaded " : "Downloading ") + DownloadProgress.describe(file, bytes, total, rate));
            err.flush();
        };
    }

    private Vgg16Weights vggWeights(PrintWriter err) {
        if (weights == null) {
            return Vgg16Weights.imagenet(new WeightsCache(WeightsCache.defaultDirectory(), progress(err)));
        }
        return randomWeights() ? Vgg16Weights.random(seed) : Vgg16Weights.file(Path.of(weights));
    }

    private ZooWeights zooWeights(PrintWriter err) {
        if (weights == null) {
            return ZooWeights.imagenet(new WeightsCache(WeightsCache.defaultDirectory(), progress(err)));
        }
        return randomWeights() ? ZooWeights.random(seed) : ZooWeights.file(Path.of(weights));
    }

    private ImageInput zooInput() {
        ImageInput standard = Dl4jZoo.input(model);
        ImageInput chosen = inputPreset == null ? standard : ImageInput.preset(inputPreset, standard.height(), standard.width());
        if (inputSize != null) {
            int[] hw = size(inputSize);
            chosen = chosen.withSize(hw[0], hw[1]);
        }
        return chosen.withCenterCrop(centerCrop);
    }

    private InspectableModel fileModel() {
        Path file = Path.of(model);
        if (OnnxModels.isOnnx(file)) {
            GraphModelBuilder onnx = OnnxModels.builder(file);
            onnx.input(fileInput(onnx.declaredInput()));
            if (labels != null) {
                onnx.labels(labels);
            }
            return onnx.build();
        }
        if (KerasModels.isKerasModel(file)) {
            GraphModelBuilder keras = KerasModels.builder(file);
            keras.input(fileInput(keras.declaredInput()));
            if (labels != null) {
                keras.labels(labels);
            }
            try {
                return keras.build();
            } catch (io.cnnsee.ModelFileException e) {
                if (KerasModels.isKeras3(file)) {
                    throw e;
                }
                // A Keras 2 file with a layer the engine's reader lacks: Deeplearning4j's import may still read it.
                LoggerFactory.getLogger(ModelChoice.class).warn("{}; trying Deeplearning4j's Keras import", e.getMessage());
            }
        }
        Dl4jModels.Builder builder = Dl4jModels.builder(file);
        builder.input(fileInput(builder.declaredInput()));
        if (labels != null) {
            builder.labels(labels);
        }
        return builder.build();
    }

    private ImageInput fileInput(java.util.Optional<MapShape> declaredInput) {
        int[] hw;
        if (inputSize != null) {
            hw = size(inputSize);
        } else {
            MapShape declared = declaredInput.orElseThrow(() -> new IllegalArgumentException(
                    "--model " + model + " does not say what size of picture it takes: give --input-size HEIGHTxWIDTH"));
            hw = new int[] {declared.height(), declared.width()};
        }
        return ImageInput.preset(inputPreset, hw[0], hw[1]).withCenterCrop(centerCrop);
    }

    /** {@code 224} or {@code 224x160} (height x width). */
    static int[] size(String text) {
        String[] parts = text.trim().toLowerCase(Locale.ROOT).split("x", -1);
        try {
            int h = Integer.parseInt(parts[0].trim());
            int w = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : h;
            if (parts.length > 2 || h < 1 || w < 1) {
                throw new NumberFormatException();
            }
            return new int[] {h, w};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--input-size must be SIZE or HEIGHTxWIDTH in pixels, e.g. 224 or 224x160, was '"
                    + text + "'");
        }
    }
}
