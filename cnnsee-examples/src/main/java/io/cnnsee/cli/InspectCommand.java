package io.cnnsee.cli;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.ImageLoader;
import io.cnnsee.InspectableModel;
import io.cnnsee.Inspection;
import io.cnnsee.Prediction;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.files.AtomicFiles;
import io.cnnsee.render.Colormap;
import io.cnnsee.render.Normalization;
import io.cnnsee.report.Html;
import io.cnnsee.report.ReportWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** {@code cnnsee inspect}: one report per picture, and an index when there are several. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs each picture through a convolutional network (VGG16 unless --model says otherwise) and "
                + "writes a report of what each stage sees: per stage the top channels as a grid, in report.html and report.md.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every picture was inspected", "1:bad input: a picture (the others are still inspected) "
                + "or the weights could not be used", "2:usage error"})
final class InspectCommand implements Callable<Integer> {

    static final String RANDOM = ModelChoice.RANDOM;
    /** Pictures inspected at once: two, one on each lane of the model. */
    private static final int PICTURES_AT_ONCE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "IMAGE|FOLDER", arity = "1..*", description = "Pictures to inspect (PNG, JPEG, GIF, BMP, "
            + "WebP, TIFF), or folders of them (their pictures, sorted by name).")
    List<Path> images;

    @Option(names = "--recursive", description = "Also inspect the pictures in folders' sub-folders.")
    boolean recursive;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cnnsee-report",
            description = "Folder for the reports, one sub-folder per picture (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--top", paramLabel = "N", defaultValue = "12",
            description = "Channels shown per block (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--ranker", paramLabel = "NAME", defaultValue = "sum",
            description = "How channels are ranked: sum, mean, max, l2, variance, active, or grad-cam (the channels that "
                    + "mattered for the class; needs --include-top) (default: ${DEFAULT-VALUE}).")
    String ranker;

    @Option(names = "--colormap", paramLabel = "NAME", defaultValue = "viridis",
            description = "Colormap: viridis, gray, magma, inferno, plasma, turbo (default: ${DEFAULT-VALUE}).")
    String colormap;

    @Option(names = "--normalize", paramLabel = "MODE", defaultValue = "channel",
            description = "Scaling onto the colormap: channel (each tile its own min-max), grid (one range for "
                    + "the grid), percentile (1-99 %% per tile) (default: ${DEFAULT-VALUE}).")
    String normalize;

    @Option(names = "--model", paramLabel = "NAME|PATH", defaultValue = "vgg16",
            description = "The network: vgg16 (cnnsee's own), vgg19, resnet50, squeezenet, darknet19 (Deeplearning4j's "
                    + "zoo), or your own: a Keras model (.h5) or a Deeplearning4j ModelSerializer zip, with --input "
                    + "(default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--input", paramLabel = "PRESET",
            description = "How pictures are scaled for --model PATH, or for a zoo network instead of its own: caffe "
                    + "(BGR, ImageNet means subtracted), torch (RGB 0 to 1, ImageNet mean and std), tensorflow (-1 to 1), "
                    + "unit (0 to 1).")
    String inputPreset;

    @Option(names = "--input-size", paramLabel = "SIZE",
            description = "Picture size for --model PATH, SIZE or HEIGHTxWIDTH in pixels (default: what the network declares).")
    String inputSize;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names of --model PATH, one per line, class 0 first (default: ImageNet's for 1000 classes).")
    Path labels;

    @Option(names = "--taps", paramLabel = "LAYERS", split = ",",
            description = "Layers to show, comma-separated (default: the last layer before each down-sampling; for VGG16 "
                    + "block1_conv2,block2_conv2,block3_conv3,block4_conv3,block5_conv3).")
    List<String> taps;

    @Option(names = "--weights", paramLabel = "PATH|random",
            description = "For vgg16 a Keras VGG16 weights file, for a zoo network its zip, or 'random' for untrained "
                    + "weights (labelled as such). Default: the ImageNet weights from the cache (~/.cache/cnnsee), "
                    + "downloaded on first use.")
    String weights;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of --weights random (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--include-top", description = "VGG16: also load the dense layers (553 MB of weights instead of 58.9 MB); "
            + "the report then shows the 5 most probable ImageNet classes. Zoo networks always have theirs.")
    boolean includeTop;

    @Option(names = "--grad-cam", description = "Show where in the picture the network finds the class (Grad-CAM at "
            + "the last tap, over the picture); VGG16 needs --include-top.")
    boolean gradCam;

    @Option(names = "--grad-cam-layer", paramLabel = "LAYER",
            description = "The convolutional layer Grad-CAM looks at (implies --grad-cam; default: the last tap, for VGG16 block5_conv3).")
    String gradCamLayer;

    @Option(names = "--class", paramLabel = "N",
            description = "The class (ImageNet: 0-999) Grad-CAM and --ranker grad-cam explain (default: each picture's "
                    + "most probable class).")
    Integer explainedClass;

    @Option(names = "--saliency", paramLabel = "METHOD",
            description = "Show which pixels the explained class depends on: vanilla (the gradient), smoothgrad (averaged "
                    + "over 25 noisy copies), integrated-gradients (32 steps from the mean picture, with its completeness "
                    + "check). VGG16 needs --include-top.")
    String saliency;

    @Option(names = "--visualize", paramLabel = "N", defaultValue = "0",
            description = "Under each layer's grid, the pictures its best N channels look for (feature visualisation; "
                    + "slow: VGG16 about 0.4 s a step a channel) (default: ${DEFAULT-VALUE}).")
    int visualize;

    @Option(names = "--visualize-steps", paramLabel = "STEPS", defaultValue = "128",
            description = "Gradient steps of --visualize (default: ${DEFAULT-VALUE}).")
    int visualizeSteps;

    @Option(names = "--overlays", paramLabel = "N", defaultValue = "0",
            description = "Per block, blend the best N channels over the picture, where they fire (default: ${DEFAULT-VALUE}).")
    int overlays;

    @Option(names = "--filters", description = "Show the kernels of the first convolution (VGG16: the 64 of block1_conv1) as colour tiles.")
    boolean filters;

    @Option(names = "--sanity-check", description = "Put the same report with random weights (--seed) beside each "
            + "report, so patterns that do not come from training show (Adebayo et al. 2018).")
    boolean sanityCheck;

    @Option(names = "--center-crop", description = "Crop each picture to its central square before resizing it to the network's input.")
    boolean centerCrop;

    @Option(names = "--convolutions", paramLabel = "NAME", defaultValue = "auto",
            description = "How VGG16's convolutions are computed: winograd (each picture about twice as fast, after 0.6 s "
                    + "of setup), direct, or auto: direct for fewer than " + AUTO_WINOGRAD_FROM + " pictures without "
                    + "--visualize, winograd otherwise. Both agree to float rounding (default: ${DEFAULT-VALUE}).")
    String convolutions;

    @Option(names = "--verbose", description = "Log more, and show stack traces of errors.")
    boolean verbose;

    /** From this many pictures on, --convolutions auto takes Winograd. */
    static final int AUTO_WINOGRAD_FROM = 16;

    /**
     * {@code --convolutions auto}, here and for {@code atlas}: Winograd's kernels take about 0.6 s
     * to make, once, and then save about 40 ms a pass (docs/performance.md): worth it from about 15
     * pictures on, or when visualising, whose every step is a pass forward and backward.
     */
    static ConvolutionAlgorithm auto(int pictures, boolean visualising) {
        return pictures < AUTO_WINOGRAD_FROM && !visualising ? ConvolutionAlgorithm.DIRECT : ConvolutionAlgorithm.WINOGRAD;
    }

    private ConvolutionAlgorithm chosenConvolutions;
    private ModelChoice choice;
    private String modelName = "the network";

    @Override
    public Integer call() {
        if (verbose) {
            // Read by slf4j-simple when the first logger is made, which is after parsing.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        FeatureMapInspector.Builder builder = FeatureMapInspector.builder();
        try {
            if (top < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1, was " + top);
            }
            ChannelRanker chosen = ChannelRanker.builtIn(ranker);
            if (saliency != null) {
                io.cnnsee.SaliencyMethod.named(saliency);
            }
            choice = new ModelChoice(model, weights, seed, inputPreset, inputSize, labels, centerCrop);
            String misfit = choice.misfit();
            if (misfit != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), misfit);
            }
            if (inputPreset != null) {
                io.cnnsee.ImageInput.preset(inputPreset, 1, 1);
            }
            if (inputSize != null) {
                ModelChoice.size(inputSize);
            }
            boolean explains = gradCam || gradCamLayer != null || chosen == ChannelRanker.GRAD_CAM || saliency != null;
            if (explains && !includeTop && choice.kind() == ModelChoice.Kind.BUILT_IN) {
                throw new CommandLine.ParameterException(spec.commandLine(), (chosen == ChannelRanker.GRAD_CAM
                        ? "--ranker grad-cam" : gradCam || gradCamLayer != null ? "--grad-cam" : "--saliency")
                        + " explains a class and needs the class scores: add "
                        + "--include-top (553 MB of weights instead of 58.9 MB)");
            }
            if (explainedClass != null && !explains) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--class chooses the class Grad-CAM and saliency explain: add --grad-cam, --ranker grad-cam or --saliency");
            }
            if (explainedClass != null && choice.kind() != ModelChoice.Kind.FILE && (explainedClass < 0 || explainedClass > 999)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--class must be an ImageNet class, 0 to 999, was " + explainedClass);
            }
            if (sanityCheck && choice.randomWeights()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--sanity-check compares trained weights with random ones; with --weights random there is nothing to compare");
            }
            chosenConvolutions = convolutionAlgorithm();
            builder.channels(top)
                    .ranker(chosen)
                    .colormap(Colormap.named(colormap))
                    .normalization(Normalization.named(normalize))
                    .overlays(overlays)
                    .firstLayerFilters(filters)
                    .gradCam(gradCam);
            if (gradCamLayer != null) {
                builder.gradCamLayer(gradCamLayer);
            }
            if (saliency != null) {
                builder.saliency(io.cnnsee.SaliencyMethod.named(saliency));
            }
            if (visualize > 0) {
                builder.visualize(visualize, visualizeSteps);
            }
            if (explainedClass != null) {
                builder.explainedClass(explainedClass);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }

        try {
            images = PictureFiles.expand(images, recursive);
        } catch (IllegalArgumentException e) {
            err.println("cnnsee: " + e.getMessage().replace("\n", "\ncnnsee: "));
            err.flush();
            return 1;
        }
        FeatureMapInspector inspector;
        FeatureMapInspector randomised = null;
        try {
            err.println("Loading " + choice.describe() + " ...");
            err.flush();
            long start = System.nanoTime();
            InspectableModel loaded = choice.load(includeTop, chosenConvolutions, err);
            builder.model(loaded);
            if (taps != null && !taps.isEmpty()) {
                builder.taps(taps);
            }
            if (explainedClass != null) {
                int classes = loaded.classifier().map(t -> t.shape().channels()).orElse(0);
                if (explainedClass < 0 || explainedClass >= classes) {
                    throw new CommandLine.ParameterException(spec.commandLine(), classes == 0
                            ? "--class: " + loaded.name() + " has no class scores"
                            : "--class must be one of " + loaded.name() + "'s classes, 0 to " + (classes - 1) + ", was " + explainedClass);
                }
            }
            inspector = builder.build();
            modelName = loaded.name();
            err.printf(Locale.ROOT, "Loaded %s in %.1f s: %s%n", loaded.name(), (System.nanoTime() - start) / 1e9,
                    loaded.weights().source());
            err.println("Taps: " + String.join(", ", inspector.taps().stream().map(t -> t.layerName() + " ("
                    + t.shape() + ")").toList()));
            if (sanityCheck) {
                err.println("Sanity check: " + loaded.name() + " with random weights (seed " + seed + ") beside it");
                randomised = builder.model(choice.randomTwin(loaded, includeTop, chosenConvolutions)).build();
            }
            if (verbose) {
                err.println("ND4J native build: " + io.cnnsee.dl4j.NativeBuild.selected().orElse("not chosen by cnnsee")
                        + io.cnnsee.dl4j.NativeBuild.loadedLibrary().map(p -> " (" + p + ")").orElse(""));
                err.println("Convolutions: " + chosenConvolutions.name().toLowerCase(Locale.ROOT));
            }
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains(" has no layer '")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        (gradCamLayer != null && e.getMessage().contains("'" + gradCamLayer + "'") ? "--grad-cam-layer: "
                                : "--taps: ") + e.getMessage());
            }
            return fail(err, e);
        } catch (RuntimeException e) {
            return fail(err, e);
        }

        List<Path> written = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        int failures = 0;
        // Pictures are inspected two at a time, each on a lane of the model (one core each): one
        // picture's ranking, rendering and report then run beside the other's forward pass, and the
        // next picture is decoded meanwhile (docs/performance.md). Reports are named, and
        // announced, in the order given.
        int atOnce = Math.min(PICTURES_AT_ONCE, images.size());
        ExecutorService workers = Executors.newFixedThreadPool(atOnce, r -> {
            Thread t = new Thread(r, "cnnsee-inspect");
            t.setDaemon(true);
            return t;
        });
        java.util.ArrayDeque<Pending> inFlight = new java.util.ArrayDeque<>();
        try {
            for (int i = 0; i < images.size(); i++) {
                Path image = images.get(i);
                err.printf("[%d/%d] %s ...%n", i + 1, images.size(), image);
                err.flush();
                long start = System.nanoTime();
                try {
                    BufferedImage picture = ImageLoader.defaults().read(image);
                    long reading = System.nanoTime() - start;
                    Path folder = out.resolve(ReportFolders.unique(ReportFolders.nameFor(image), taken));
                    FeatureMapInspector random = randomised;
                    // At most one decoded picture waits beside those being inspected.
                    while (inFlight.size() > atOnce) {
                        failures += finish(inFlight.poll(), written, names, stdout, err);
                    }
                    inFlight.add(new Pending(i + 1, image,
                            workers.submit(() -> inspect(inspector, random, picture, image, folder, reading))));
                } catch (IllegalArgumentException e) {
                    failures++;
                    reportFailure(err, image, e);
                }
            }
            while (!inFlight.isEmpty()) {
                failures += finish(inFlight.poll(), written, names, stdout, err);
            }
        } finally {
            workers.shutdownNow();
        }
        if (images.size() > 1 && !written.isEmpty()) {
            try {
                Path index = writeIndex(written, names);
                stdout.println(index);
                err.println("Index of all reports: " + index);
            } catch (IOException e) {
                failures++;
                err.println("cnnsee: cannot write the index: " + oneLine(e));
            }
        }
        stdout.flush();
        err.flush();
        return failures == 0 ? 0 : 1;
    }

    /**
     * One picture inspected and its report written: what is told of it, not the inspection itself
     * (its maps and picture, tens of MB, go as soon as the report is written).
     */
    private record Done(Path report, Optional<Prediction> seen, double seconds) {
    }

    private static Done inspect(FeatureMapInspector inspector, FeatureMapInspector randomised, BufferedImage picture, Path image,
                                Path folder, long reading) throws IOException {
        // The time given is the picture's own work, reading included, not its wait for a worker.
        long start = System.nanoTime() - reading;
        String name = String.valueOf(image.getFileName());
        Inspection result = inspector.run(picture, name);
        Path report = randomised == null ? ReportWriter.write(result, folder).html()
                : ReportWriter.writeSanityCheck(result, randomised.run(picture, name), folder).html();
        return new Done(report, result.predictions().stream().findFirst(), (System.nanoTime() - start) / 1e9);
    }

    /** A picture handed to a worker: its number in the list, its file, what the worker will give. */
    private record Pending(int number, Path image, Future<Done> done) {
    }

    /**
     * Waits for {@code pending}'s report and announces it (done line, its path on stdout);
     * returns 1 if the picture failed, 0 if not.
     */
    private int finish(Pending pending, List<Path> written, List<String> names, PrintWriter stdout, PrintWriter err) {
        Path image = pending.image();
        try {
            Done done = await(pending.done());
            written.add(done.report());
            names.add(String.valueOf(image.getFileName()));
            err.printf(Locale.ROOT, "[%d/%d] %s: done in %.1f s%s%n", pending.number(), images.size(), image,
                    done.seconds(), done.seen().map(p -> String.format(Locale.ROOT, "; sees %s (%.1f %%)", p.label(),
                            100 * p.probability())).orElse(""));
            stdout.println(done.report());
            return 0;
        } catch (IllegalArgumentException | IOException e) {
            // A Grad-CAM layer that is dense fails on the first picture, and would on every other.
            if (e.getMessage() != null && e.getMessage().startsWith("Grad-CAM needs a convolutional layer")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--grad-cam-layer: " + e.getMessage());
            }
            reportFailure(err, image, e);
            return 1;
        } finally {
            stdout.flush();
        }
    }

    /** What a worker gave, its exceptions as they were thrown. */
    private static Done await(Future<Done> done) throws IOException {
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while a picture was inspected", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private void reportFailure(PrintWriter err, Path image, Exception e) {
        err.println("cnnsee: " + image + ": " + oneLine(e));
        if (verbose) {
            e.printStackTrace(err);
        }
    }

    private Path writeIndex(List<Path> reports, List<String> names) throws IOException {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<title>cnnsee reports</title>\n<style>body{font-family:system-ui,sans-serif;max-width:48rem;"
                + "margin:2rem auto;padding:0 1rem}</style>\n</head>\n<body>\n<h1>What " + Html.escape(modelName) + " sees</h1>\n<ul>\n");
        Path base = out.toAbsolutePath().normalize();
        for (int i = 0; i < reports.size(); i++) {
            String link = base.relativize(reports.get(i).toAbsolutePath().normalize()).toString().replace('\\', '/');
            h.append("<li><a href=\"").append(Html.escape(link)).append("\">").append(Html.escape(names.get(i)))
                    .append("</a></li>\n");
        }
        h.append("</ul>\n</body>\n</html>\n");
        Path index = out.resolve("index.html");
        AtomicFiles.write(index, h.toString().getBytes(StandardCharsets.UTF_8));
        return index;
    }

    private int fail(PrintWriter err, RuntimeException e) {
        err.println("cnnsee: " + (verbose ? e.getMessage() : oneLine(e)));
        if (verbose) {
            e.printStackTrace(err);
        } else if (e.getMessage() != null && e.getMessage().contains("\n")) {
            // Multi-line advice (where to download the weights) is worth printing whole.
            err.println(e.getMessage().substring(e.getMessage().indexOf('\n') + 1));
        }
        err.flush();
        return 1;
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    ConvolutionAlgorithm convolutionAlgorithm() {
        if ("auto".equalsIgnoreCase(convolutions)) {
            return auto(images.size(), visualize > 0);
        }
        for (ConvolutionAlgorithm a : ConvolutionAlgorithm.values()) {
            if (a.name().equalsIgnoreCase(convolutions)) {
                return a;
            }
        }
        throw new IllegalArgumentException("Unknown convolutions '" + convolutions + "': choose auto, winograd or direct");
    }
}
