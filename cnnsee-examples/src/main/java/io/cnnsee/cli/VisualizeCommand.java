package io.cnnsee.cli;

import io.cnnsee.InspectableModel;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.report.VisualizationReport;
import io.cnnsee.visualize.FeatureVisualizer;
import io.cnnsee.visualize.Visualization;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code cnnsee visualize}: the pictures chosen channels want to see, by gradient ascent. */
@Command(name = "visualize", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Finds, for each chosen channel of a layer, the picture that excites it most (feature visualisation, "
                + "as Lucid does it) and writes the pictures, a grid and a page per layer.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the model or its weights could not be used", "2:usage error"})
final class VisualizeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--taps", paramLabel = "LAYERS", split = ",", required = true,
            description = "The layers whose channels to visualise, comma-separated, e.g. block4_conv3.")
    List<String> taps;

    @Option(names = "--channels", paramLabel = "LIST", defaultValue = "0-7",
            description = "Channels, as 0-15 or 1,5,9 (default: ${DEFAULT-VALUE}).")
    String channels;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "256", description = "Gradient steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--size", paramLabel = "PIXELS", description = "Side of the pictures (default: the network's input).")
    Integer size;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the pictures (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tv", paramLabel = "WEIGHT", defaultValue = "0",
            description = "Total-variation penalty, for smoother pictures (default: ${DEFAULT-VALUE}); a sum over the "
                    + "picture against a channel's mean: about objective / (3 x pixels) smooths, ten times that flattens.")
    double totalVariation;

    @Option(names = "--l2", paramLabel = "WEIGHT", defaultValue = "0",
            description = "L2 penalty about grey (default: ${DEFAULT-VALUE}).")
    double l2;

    @Option(names = "--no-transforms", description = "See the picture as it is at every step, without random shifts, "
            + "zooms and rotations (noisier pictures).")
    boolean noTransforms;

    @CommandLine.Mixin
    ModelOptions models = new ModelOptions();

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cnnsee-visualize",
            description = "Folder for the pictures, one sub-folder per layer (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        List<Integer> chosen;
        try {
            chosen = channelList(channels);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ModelChoice choice = models.choice(spec.commandLine());
        InspectableModel loaded;
        try {
            err.println("Loading " + choice.describe() + " ...");
            err.flush();
            // Hundreds of passes, forward and backward: Winograd's setup (0.6 s) pays for itself in a few.
            loaded = choice.load(models.includeTop, ConvolutionAlgorithm.WINOGRAD, err);
        } catch (RuntimeException e) {
            err.println("cnnsee: " + e.getMessage());
            return 1;
        }
        List<FeatureVisualizer> visualizers = new ArrayList<>();
        try {
            for (String layer : taps) {
                FeatureVisualizer.Builder b = FeatureVisualizer.builder(loaded).layer(layer).channels(chosen).steps(steps)
                        .seed(seed).totalVariation(totalVariation).l2(l2).transforms(!noTransforms);
                if (size != null) {
                    b.size(size);
                }
                visualizers.add(b.build());
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (UnsupportedOperationException e) {
            err.println("cnnsee: " + e.getMessage());
            return 1;
        }
        String settings = String.format(Locale.ROOT, "%d steps, %s pixels, seed %d%s%s%s", steps,
                size == null ? "the input's" : size + " x " + size, seed,
                totalVariation > 0 ? ", total variation " + totalVariation : "", l2 > 0 ? ", L2 " + l2 : "",
                noTransforms ? ", no random views" : "");
        try {
            for (int t = 0; t < taps.size(); t++) {
                String layer = taps.get(t);
                List<Visualization> done = new ArrayList<>();
                for (int i = 0; i < chosen.size(); i++) {
                    long start = System.nanoTime();
                    Visualization v = visualizers.get(t).run(chosen.get(i));
                    done.add(v);
                    err.printf(Locale.ROOT, "[%d/%d] %s #%d: objective %.4g -> %.4g in %.1f s%n", i + 1, chosen.size(), layer,
                            v.channel(), v.first(), v.last(), (System.nanoTime() - start) / 1e9);
                    double gentle = FeatureVisualizer.gentleTotalVariation(v.last(), v.image().getWidth());
                    if (totalVariation > 10 * gentle) {
                        err.printf(Locale.ROOT, "  --tv %s is %.0f times what suits this channel's objective: its picture may be "
                                + "flattened; try --tv %.2g (docs/visualize.md)%n", totalVariation, totalVariation / gentle, gentle);
                    }
                    err.flush();
                }
                Path page = VisualizationReport.write(done, loaded.name(), loaded.weights(), settings,
                        out.resolve(ReportFolders.nameFor(Path.of(layer))));
                stdout.println(page);
            }
        } catch (IOException | RuntimeException e) {
            err.println("cnnsee: " + e.getMessage());
            return 1;
        } finally {
            stdout.flush();
            err.flush();
        }
        return 0;
    }

    /** {@code 0-15} or {@code 1,5,9} (or both: {@code 0-3,8}). */
    static List<Integer> channelList(String text) {
        List<Integer> out = new ArrayList<>();
        try {
            for (String part : text.split(",", -1)) {
                String p = part.trim();
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    int from = Integer.parseInt(p.substring(0, dash).trim());
                    int to = Integer.parseInt(p.substring(dash + 1).trim());
                    if (to < from) {
                        throw new NumberFormatException();
                    }
                    for (int c = from; c <= to; c++) {
                        out.add(c);
                    }
                } else {
                    out.add(Integer.parseInt(p));
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--channels must be like 0-15 or 1,5,9, was '" + text + "'");
        }
        return out;
    }
}
