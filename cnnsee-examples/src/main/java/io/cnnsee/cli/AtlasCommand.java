package io.cnnsee.cli;

import io.cnnsee.ChannelRanker;
import io.cnnsee.UnknownLayerException;
import io.cnnsee.InspectableModel;
import io.cnnsee.atlas.Atlas;
import io.cnnsee.atlas.AtlasSummary;
import io.cnnsee.atlas.AtlasWriter;
import io.cnnsee.atlas.FaithfulnessSummary;
import io.cnnsee.spark.SparkAtlas;
import io.cnnsee.spark.SparkFaithfulness;
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

/** {@code cnnsee atlas}: what excites each channel across a collection of pictures, on this machine. */
@Command(name = "atlas", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Passes every picture through the network once and writes, per layer and channel, the pictures "
                + "that excite it most, each as the patch its strongest unit sees, with the channel's statistics.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done (unreadable pictures are skipped and listed)", "1:the model, the pictures or the output "
                + "could not be used", "2:usage error"})
final class AtlasCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "IMAGE|FOLDER|URI", arity = "1..*", description = "Pictures, folders of them, or URIs "
            + "that Hadoop's file systems read on the executors (hdfs://..., with the connector on the class path).")
    List<String> images;

    @Option(names = "--recursive", description = "Also the pictures in folders' sub-folders.")
    boolean recursive;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cnnsee-atlas",
            description = "Folder for the atlas (default: ${DEFAULT-VALUE}); an earlier atlas there is replaced whole.")
    Path out;

    @Option(names = "--top", paramLabel = "K", defaultValue = "9", description = "Pictures per channel (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--by", paramLabel = "STATISTIC", defaultValue = "max",
            description = "What ranks a picture for a channel: max, mean, sum, l2, variance or active (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--taps", paramLabel = "LAYERS", split = ",",
            description = "Layers, comma-separated (default: the model's default taps).")
    List<String> taps;

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
            description = "Where Spark runs the atlas: local[*] in this process (default), or a cluster's master, e.g. "
                    + "spark://host:7077, whose executors can read the pictures' paths.")
    String master;

    @Option(names = "--no-reports", description = "Do not write the full report of each example picture (written by "
            + "default under reports/, linked from the channels' pages).")
    boolean noReports;

    @Option(names = "--visualize", paramLabel = "CHANNELS",
            description = "Also put on these channels' pages (as 0-15 or 1,5,9, of every tap) the picture each looks for "
                    + "(feature visualisation; slow: VGG16 about 0.4 s a step a channel).")
    String visualize;

    @Option(names = "--visualize-steps", paramLabel = "STEPS", defaultValue = "128",
            description = "Gradient steps of --visualize (default: ${DEFAULT-VALUE}).")
    int visualizeSteps;

    @Option(names = "--faithfulness", paramLabel = "STEPS", arity = "0..1", fallbackValue = "32", defaultValue = "0",
            description = "Also score explanation methods over the pictures, each picture's maps for its most probable "
                    + "class: mean deletion and insertion areas (curves of STEPS steps, 32 when not given), average drop, "
                    + "increase in confidence, as a table on the index, most faithful first, and faithfulness.csv.")
    int faithfulness;

    @Option(names = "--cam", paramLabel = "METHODS", split = ",",
            description = "With --faithfulness, the CAM methods scored (default: gradcam, gradcam++, xgradcam, hirescam, "
                    + "layercam, eigencam, eigengradcam; scorecam and ablationcam cost a pass per channel).")
    List<String> cams;

    @Option(names = "--saliency", paramLabel = "METHOD",
            description = "With --faithfulness, a saliency method scored beside them, e.g. fullgrad.")
    String saliency;

    @Option(names = "--grad-cam-layer", paramLabel = "LAYER",
            description = "With --faithfulness, the layer the maps read (default: the last tap).")
    String camLayer;

    @Option(names = "--road", description = "With --faithfulness, also ROAD (slower: a linear system per perturbed picture).")
    boolean road;

    @CommandLine.Mixin
    ModelOptions models = new ModelOptions();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        ChannelRanker ranker;
        List<Integer> visualized = null;
        try {
            if (top < 1) {
                throw new IllegalArgumentException("--top must be at least 1, was " + top);
            }
            if (visualize != null) {
                visualized = VisualizeCommand.channelList(visualize);
                if (visualizeSteps < 1) {
                    throw new IllegalArgumentException("--visualize-steps must be at least 1, was " + visualizeSteps);
                }
            }
            ranker = ChannelRanker.builtIn(by);
            if (faithfulness == 0 && (cams != null || saliency != null || camLayer != null || road)) {
                throw new IllegalArgumentException("--cam, --saliency, --grad-cam-layer and --road choose what --faithfulness "
                        + "scores: add --faithfulness");
            }
            if (faithfulness < 0) {
                throw new IllegalArgumentException("--faithfulness takes 1 or more steps, was " + faithfulness);
            }
            if (cams != null) {
                cams.forEach(io.cnnsee.CamMethod::builtIn);
            }
            if (saliency != null) {
                io.cnnsee.SaliencyMethod.named(saliency);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ModelChoice choice = models.choice(spec.commandLine());
        List<String> pictures = new java.util.ArrayList<>();
        try {
            List<Path> files = images.stream().filter(i -> !i.contains("://")).map(Path::of).toList();
            // absolute, as executors work in folders of their own
            PictureFiles.expand(files, recursive).forEach(p -> pictures.add(p.toAbsolutePath().normalize().toString()));
            images.stream().filter(i -> i.contains("://")).forEach(pictures::add);
        } catch (IllegalArgumentException e) {
            err.println("cnnsee: " + e.getMessage().replace("\n", "\ncnnsee: "));
            return 1;
        }
        InspectableModel loaded;
        Atlas atlas;
        SparkFaithfulness survey = null;
        try {
            err.println("Loading " + choice.describe() + " ...");
            err.flush();
            loaded = choice.load(models.includeTop, InspectCommand.auto(pictures.size(), visualize != null), err);
            Atlas.Builder builder = Atlas.builder(loaded).top(top).by(ranker);
            if (taps != null && !taps.isEmpty()) {
                builder.taps(taps);
            }
            atlas = builder.build();
            if (faithfulness > 0) {
                survey = faithfulnessJob(models.factory(), loaded);
            }
        } catch (UnknownLayerException e) {
            throw Failures.unknownLayer(spec.commandLine(), e, "--taps", "--grad-cam-layer", camLayer);
        } catch (RuntimeException e) {
            err.println("cnnsee: " + e.getMessage());
            return 1;
        }
        err.println("Taps: " + String.join(", ", atlas.taps().stream().map(t -> t.layerName() + " (" + t.shape() + ")").toList()));
        long start = System.nanoTime();
        AtlasSummary summary;
        CliModelFactory factory = models.factory();
        SparkAtlas job = SparkAtlas.builder(factory, factory.key()).top(top).by(by)
                .taps(atlas.taps().stream().map(io.cnnsee.Tap::layerName).toList()).build();
        org.apache.spark.SparkConf conf = sparkConf(master);
        if (master.startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
            SparkAtlas.useInThisJvm(factory.key(), loaded); // local tasks share the model loaded here
        }
        FaithfulnessSummary scored = null;
        try (org.apache.spark.api.java.JavaSparkContext sc = new org.apache.spark.api.java.JavaSparkContext(conf)) {
            summary = withProgress(err, sc, pictures.size(), start, done -> job.run(sc, pictures, done));
            if (survey != null) {
                SparkFaithfulness scoring = survey;
                err.println("Scoring the explanation methods' faithfulness ...");
                scored = withProgress(err, sc, pictures.size(), System.nanoTime(), done -> scoring.run(sc, pictures, done));
                for (FaithfulnessSummary.MethodMean m : scored.means()) {
                    err.printf(Locale.ROOT, "  %-14s insertion - deletion %+.3f +- %.3f, best on %d of %d%n", m.method(),
                            m.difference(), m.differenceError(), m.best(), m.pictures());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("cnnsee: interrupted");
            return 1;
        } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            err.println("cnnsee: the atlas could not be collected: " + Failures.spark(cause));
            return 1;
        }
        List<io.cnnsee.visualize.Visualization> looks = new java.util.ArrayList<>();
        if (visualized != null) {
            try {
                for (String layer : summary.layers()) {
                    int count = loaded.tap(layer).shape().channels();
                    List<Integer> chosen = visualized.stream().filter(c -> c < count).toList(); // those this tap has
                    if (chosen.isEmpty()) {
                        continue;
                    }
                    long begun = System.nanoTime();
                    looks.addAll(io.cnnsee.visualize.FeatureVisualizer.builder(loaded).layer(layer).channels(chosen)
                            .steps(visualizeSteps).build().run());
                    err.printf(Locale.ROOT, "Visualised channel%s %s of %s in %s%n", chosen.size() == 1 ? "" : "s",
                            chosen.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")), layer,
                            duration((System.nanoTime() - begun) / 1e9));
                    err.flush();
                }
            } catch (RuntimeException e) {
                err.println("cnnsee: --visualize: " + e.getMessage());
                return 1;
            }
        }
        try {
            Path index = AtlasWriter.write(summary, loaded, out, !noReports, looks, scored);
            err.printf(Locale.ROOT, "Atlas of %d pictures (%d skipped) in %s%n", summary.pictures(), summary.skipped(),
                    duration((System.nanoTime() - start) / 1e9));
            stdout.println(index);
            stdout.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("cnnsee: cannot write the atlas: " + e.getMessage());
            return 1;
        } finally {
            err.flush();
        }
    }

    /** The faithfulness job, its options checked against the loaded model on the driver first. */
    private SparkFaithfulness faithfulnessJob(CliModelFactory f, InspectableModel loaded) {
        SparkFaithfulness.Builder b = SparkFaithfulness.builder(f, f.key()).steps(faithfulness).road(road);
        if (cams != null) {
            b.cams(cams);
        }
        if (saliency != null) {
            b.saliency(saliency);
        }
        if (camLayer != null) {
            b.layer(camLayer);
        }
        SparkFaithfulness job = b.build();
        job.checkOn(loaded);
        return job;
    }

    /** Runs {@code job} with an accumulator of the pictures done, told every second until it ends. */
    private static <T> T withProgress(PrintWriter err, org.apache.spark.api.java.JavaSparkContext sc, long total, long start,
                                      java.util.function.Function<io.cnnsee.spark.PicturesDone, T> job)
            throws InterruptedException, java.util.concurrent.ExecutionException {
        io.cnnsee.spark.PicturesDone done = new io.cnnsee.spark.PicturesDone();
        sc.sc().register(done, "pictures");
        java.util.concurrent.CompletableFuture<T> run = java.util.concurrent.CompletableFuture.supplyAsync(() -> job.apply(done));
        long reported = -1;
        while (!run.isDone()) {
            long now = done.value();
            if (now != reported) {
                report(err, now, total, start);
                reported = now;
            }
            try {
                run.get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // a second more
            }
        }
        T result = run.get();
        report(err, total, total, start);
        return result;
    }

    private static void report(PrintWriter err, long done, long total, long start) {
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        err.printf(Locale.ROOT, "%d/%d pictures, %.1f a second, %s%n", done, total, rate,
                done == 0 ? "time left not yet known" : duration((total - done) / Math.max(rate, 1e-9)) + " left");
        err.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : s < 3600 ? (s / 60) + " min " + (s % 60) + " s" : (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    /**
     * The job's Spark settings. On a cluster, executors share their machines' cores, where
     * OpenMP's passive wait keeps a pass's slow tail short (docs/performance.md, on a busy
     * machine); it can only be set in the executors' environment. A user's own choice stands.
     */
    static org.apache.spark.SparkConf sparkConf(String master) {
        org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf().setMaster(master).setAppName("cnnsee atlas")
                .set("spark.ui.enabled", "false").set("spark.log.level", "WARN");
        if (!master.startsWith("local")) {
            conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        }
        return conf;
    }
}
