package io.cnnsee.cli;

import io.cnnsee.ImageInput;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** The model options every command takes, with the same names and meanings: which network, which weights, which input. */
final class ModelOptions {

    @Option(names = "--model", paramLabel = "NAME|PATH", defaultValue = "vgg16",
            description = "The network: vgg16 (cnnsee's own), vgg19, resnet50, squeezenet, darknet19 (Deeplearning4j's "
                    + "zoo), or your own: a Keras model (.keras, .h5), an ONNX file (.onnx) or a Deeplearning4j "
                    + "ModelSerializer zip, with --input (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--weights", paramLabel = "PATH|random",
            description = "For vgg16 a Keras VGG16 weights file, for a zoo network its zip, or 'random' for untrained "
                    + "weights (labelled as such). Default: the ImageNet weights from the cache (~/.cache/cnnsee), "
                    + "downloaded on first use.")
    String weights;

    @Option(names = "--weights-seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of random weights: --weights random, and --sanity-check's twin (default: ${DEFAULT-VALUE}).")
    long weightsSeed;

    @Option(names = "--input", paramLabel = "PRESET",
            description = "How pictures are scaled for --model PATH, or for a zoo network instead of its own: caffe "
                    + "(BGR, ImageNet means subtracted), torch (RGB 0 to 1, ImageNet mean and std), tensorflow (-1 to 1), "
                    + "unit (0 to 1), raw (RGB 0 to 255).")
    String inputPreset;

    @Option(names = "--input-size", paramLabel = "SIZE",
            description = "Picture size for --model PATH, SIZE or HEIGHTxWIDTH in pixels (default: what the network declares).")
    String inputSize;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names of --model PATH, one per line, class 0 first (default: ImageNet's for 1000 classes).")
    Path labels;

    @Option(names = "--include-top", description = "VGG16: also load the dense layers (553 MB of weights instead of "
            + "58.9 MB), for predictions, Grad-CAM and saliency. Zoo networks and your own classifiers always have theirs.")
    boolean includeTop;

    @Option(names = "--center-crop", description = "Crop each picture to its central square before resizing it to the network's input.")
    boolean centerCrop;

    /**
     * The model these options name, checked as far as can be without loading it.
     *
     * @throws CommandLine.ParameterException naming the option at fault
     */
    ModelChoice choice(CommandLine commandLine) {
        ModelChoice choice = new ModelChoice(model, weights, weightsSeed, inputPreset, inputSize, labels, centerCrop);
        String misfit = choice.misfit();
        if (misfit != null) {
            throw new CommandLine.ParameterException(commandLine, misfit);
        }
        try {
            if (inputPreset != null) {
                ImageInput.preset(inputPreset, 1, 1);
            }
            if (inputSize != null) {
                ModelChoice.size(inputSize);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
        return choice;
    }

    /**
     * What executors of the atlas make the same model from: files as absolute paths, since an
     * executor's working folder is not the driver's.
     */
    CliModelFactory factory() {
        return new CliModelFactory(onDriver(model), onDriver(weights), weightsSeed, inputPreset, inputSize,
                labels == null ? null : labels.toAbsolutePath().normalize().toString(), centerCrop, includeTop);
    }

    /** A file's absolute path where the driver finds it; a name (vgg16, random) as it is. */
    private static String onDriver(String nameOrPath) {
        if (nameOrPath == null) {
            return null;
        }
        try {
            Path p = Path.of(nameOrPath);
            return Files.exists(p) ? p.toAbsolutePath().normalize().toString() : nameOrPath;
        } catch (java.nio.file.InvalidPathException e) {
            return nameOrPath;
        }
    }
}
