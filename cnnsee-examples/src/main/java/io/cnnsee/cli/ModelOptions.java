package io.cnnsee.cli;

import picocli.CommandLine.Option;

/** The network options {@code visualize} and {@code atlas} share with {@code inspect}: which model, which weights, which input. */
final class ModelOptions {

    @Option(names = "--model", paramLabel = "NAME|PATH", defaultValue = "vgg16",
            description = "The network, as for inspect: vgg16, vgg19, resnet50, squeezenet, darknet19, or a file (.h5, .zip) "
                    + "(default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--weights", paramLabel = "PATH|random", description = "Its weights, as for inspect.")
    String weights;

    @Option(names = "--weights-seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of --weights random (default: ${DEFAULT-VALUE}).")
    long weightsSeed;

    @Option(names = "--input", paramLabel = "PRESET", description = "How --model PATH scales pictures, as for inspect.")
    String inputPreset;

    @Option(names = "--input-size", paramLabel = "SIZE", description = "Picture size for --model PATH, as for inspect.")
    String inputSize;

    CliModelFactory factory() {
        return new CliModelFactory(model, weights, weightsSeed, inputPreset, inputSize);
    }

    ModelChoice choice() {
        return choice(null);
    }

    /** The choice with the class names of {@code --model PATH} from {@code labels} (null: ImageNet's or none). */
    ModelChoice choice(java.nio.file.Path labels) {
        return new ModelChoice(model, weights, weightsSeed, inputPreset, inputSize, labels, false);
    }
}
