package io.cnnsee.cli;

import io.cnnsee.CamMethod;
import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.GradientRanker;
import io.cnnsee.InspectableModel;
import io.cnnsee.UnknownLayerException;
import io.cnnsee.UnsupportedCapabilityException;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.render.Colormap;
import io.cnnsee.render.Normalization;
import io.cnnsee.report.ReportIndex;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code cnnsee inspect}: one report per picture, and an index when there are several. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs each picture through a convolutional network (VGG16 unless --model says otherwise) and "
                + "writes a report of what each stage sees: per stage the top channels as a grid, in report.html and report.md.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every picture was inspected", "1:bad input: a picture (the others are still inspected) "
                + "or the weights could not be used", "2:usage error"})
final class InspectCommand implements Callable<Integer> {

    static final String RANDOM = ModelChoice.RANDOM;

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

    @CommandLine.Mixin
    ModelOptions models = new ModelOptions();

    @Option(names = "--taps", paramLabel = "LAYERS", split = ",",
            description = "Layers to show, comma-separated (default: the last layer before each down-sampling; for VGG16 "
                    + "block1_conv2,block2_conv2,block3_conv3,block4_conv3,block5_conv3).")
    List<String> taps;

    @Option(names = "--grad-cam", description = "Show where in the picture the network finds the class (Grad-CAM at "
            + "the last tap, over the picture); VGG16 needs --include-top.")
    boolean gradCam;

    @Option(names = "--grad-cam-layer", paramLabel = "LAYER",
            description = "The convolutional layer Grad-CAM looks at (implies --grad-cam; default: the last tap, for VGG16 block5_conv3).")
    String gradCamLayer;

    @Option(names = "--cam", paramLabel = "METHODS", split = ",",
            description = "Class activation maps side by side, at the Grad-CAM layer: gradcam, gradcam++, xgradcam, hirescam, "
                    + "layercam, eigencam, eigengradcam, scorecam, ablationcam, comma-separated (docs/explanations.md); VGG16 needs --include-top.")
    List<String> cams;

    @Option(names = "--faithfulness", paramLabel = "STEPS", arity = "0..1", fallbackValue = "32", defaultValue = "0",
            description = "Score each --cam map (or Grad-CAM's): deletion and insertion curves of STEPS steps (32 when "
                    + "not given), average drop, increase in confidence, in a table that ranks the methods.")
    int faithfulness;

    @Option(names = "--road", description = "With --faithfulness (32 steps unless given), also ROAD: 10 to 90 %% of the "
            + "pixels removed most and least relevant first, the holes imputed (slower: a linear system per picture).")
    boolean road;

    @Option(names = "--class", paramLabel = "N",
            description = "The class (ImageNet: 0-999) Grad-CAM and --ranker grad-cam explain (default: each picture's "
                    + "most probable class).")
    Integer explainedClass;

    @Option(names = "--saliency", paramLabel = "METHOD",
            description = "Show which pixels the explained class depends on: vanilla (the gradient), smoothgrad (averaged "
                    + "over 25 noisy copies), integrated-gradients (32 steps from the mean picture, with its completeness "
                    + "check), guided-backprop (each ReLU's way back guided), guided-gradcam (guided-backprop times "
                    + "Grad-CAM), fullgrad (input and bias gradients, Srinivas and Fleuret 2019). With --faithfulness, the "
                    + "map is scored beside the CAMs. VGG16 needs --include-top.")
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

    @Option(names = "--sanity-check", description = "Put the same report with random weights (--weights-seed) beside each "
            + "report, so patterns that do not come from training show (Adebayo et al. 2018).")
    boolean sanityCheck;

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

    @Override
    public Integer call() {
        if (verbose) {
            // Read by slf4j-simple when the first logger is made, which is after parsing.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        FeatureMapInspector.Builder builder = options();
        ModelChoice choice = models.choice(spec.commandLine());
        if (sanityCheck && choice.randomWeights()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--sanity-check compares trained weights with random ones; with --weights random there is nothing to compare");
        }
        List<Path> pictures;
        try {
            pictures = PictureFiles.expand(images, recursive);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("cnnsee: " + e.getMessage().replace("\n", "\ncnnsee: "));
            err.flush();
            return 1;
        }
        // Decided on the pictures found, not the arguments given: a folder counts as its pictures.
        ConvolutionAlgorithm convolutionsChosen = convolutionAlgorithm(pictures.size());
        FeatureMapInspector inspector;
        FeatureMapInspector randomised = null;
        String modelName;
        try {
            err.println("Loading " + choice.describe() + " ...");
            err.flush();
            long start = System.nanoTime();
            InspectableModel loaded = choice.load(models.includeTop, convolutionsChosen, err);
            inspector = build(builder.model(loaded));
            modelName = loaded.name();
            err.printf(Locale.ROOT, "Loaded %s in %.1f s: %s%n", loaded.name(), (System.nanoTime() - start) / 1e9,
                    loaded.weights().source());
            err.println("Taps: " + String.join(", ", inspector.taps().stream().map(t -> t.layerName() + " ("
                    + t.shape() + ")").toList()));
            if (sanityCheck) {
                err.println("Sanity check: " + loaded.name() + " with random weights (seed " + models.weightsSeed + ") beside it");
                randomised = build(builder.model(choice.randomTwin(loaded, models.includeTop, convolutionsChosen)));
            }
            if (verbose) {
                err.println("ND4J native build: " + io.cnnsee.dl4j.NativeBuild.selected().orElse("not chosen by cnnsee")
                        + io.cnnsee.dl4j.NativeBuild.loadedLibrary().map(p -> " (" + p + ")").orElse(""));
                err.println("Convolutions: " + convolutionsChosen.name().toLowerCase(Locale.ROOT));
            }
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (RuntimeException e) {
            return Failures.print(err, e, verbose);
        }

        ReportQueue queue = new ReportQueue(inspector, randomised, out, stdout, err, verbose);
        List<ReportIndex.Entry> written = queue.run(pictures);
        int failures = queue.failures();
        if (pictures.size() > 1 && !written.isEmpty()) {
            try {
                Path index = ReportIndex.write(out, modelName, written);
                stdout.println(index);
                err.println("Index of all reports: " + index);
            } catch (IOException e) {
                failures++;
                err.println("cnnsee: cannot write the index: " + Failures.oneLine(e));
            }
        }
        stdout.flush();
        err.flush();
        return failures == 0 ? 0 : 1;
    }

    /**
     * The inspector's settings from the options, before any model is loaded.
     *
     * @throws CommandLine.ParameterException naming the option at fault
     */
    private FeatureMapInspector.Builder options() {
        FeatureMapInspector.Builder builder = FeatureMapInspector.builder();
        try {
            if (top < 1) {
                throw new IllegalArgumentException("--top must be at least 1, was " + top);
            }
            if (GradientRanker.GRAD_CAM.name().equalsIgnoreCase(ranker.strip())) {
                builder.ranker(GradientRanker.GRAD_CAM);
            } else {
                builder.ranker(ChannelRanker.builtIn(ranker));
            }
            boolean explains = gradCam || gradCamLayer != null || saliency != null || cams != null || faithfulness > 0 || road
                    || GradientRanker.GRAD_CAM.name().equalsIgnoreCase(ranker.strip());
            if (explainedClass != null && !explains) {
                throw new IllegalArgumentException(
                        "--class chooses the class Grad-CAM and saliency explain: add --grad-cam, --cam, --ranker grad-cam or --saliency");
            }
            builder.channels(top)
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
            if (cams != null) {
                builder.cams(cams.stream().map(CamMethod::builtIn).toList());
            }
            builder.faithfulness(road && faithfulness == 0 ? io.cnnsee.Faithfulness.DEFAULT_STEPS : faithfulness, road);
            if (visualize > 0) {
                builder.visualize(visualize, visualizeSteps);
            }
            if (explainedClass != null) {
                builder.explainedClass(explainedClass);
            }
            if (taps != null && !taps.isEmpty()) {
                builder.taps(taps);
            }
            convolutionAlgorithm(1); // an unknown --convolutions is a usage error before any model loads
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return builder;
    }

    /**
     * The inspector for the loaded model: what the model cannot do for the options chosen is a
     * usage error, told by the library's exceptions.
     */
    private FeatureMapInspector build(FeatureMapInspector.Builder builder) {
        try {
            return builder.build();
        } catch (UnknownLayerException e) {
            throw Failures.unknownLayer(spec.commandLine(), e, "--taps", "--grad-cam-layer", gradCamLayer);
        } catch (UnsupportedCapabilityException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** {@code --convolutions} for {@code pictures} pictures. */
    ConvolutionAlgorithm convolutionAlgorithm(int pictures) {
        if ("auto".equalsIgnoreCase(convolutions)) {
            return auto(pictures, visualize > 0);
        }
        for (ConvolutionAlgorithm a : ConvolutionAlgorithm.values()) {
            if (a.name().equalsIgnoreCase(convolutions)) {
                return a;
            }
        }
        throw new IllegalArgumentException("Unknown convolutions '" + convolutions + "': choose auto, winograd or direct");
    }
}
