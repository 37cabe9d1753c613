package io.cnnsee.cli;

import io.cnnsee.dl4j.ConvolutionAlgorithm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class CnnseeCliTest {

    /** The sample picture shipped with the examples. */
    static final Path CHELSEA = Path.of("images", "chelsea.png");

    @TempDir
    static Path dir;

    record Run(int exitCode, String out, String err) {
    }

    static Run cnnsee(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Cnnsee.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static InspectCommand parse(String... args) {
        CommandLine cli = Cnnsee.commandLine();
        CommandLine.ParseResult result = cli.parseArgs(args);
        return (InspectCommand) result.subcommand().commandSpec().userObject();
    }

    @BeforeAll
    static void sampleExists() {
        assertThat(CHELSEA).exists();
    }

    @Test
    void everyOptionIsParsed() {
        InspectCommand c = parse("inspect", "a.png", "b.jpg", "--out", "o", "--top", "5", "--ranker", "l2",
                "--colormap", "magma", "--normalize", "percentile", "--taps", "block1_conv2,block3_pool",
                "--weights", "random", "--weights-seed", "3", "--include-top", "--center-crop", "--convolutions", "direct", "--verbose");
        assertThat(c.images).containsExactly(Path.of("a.png"), Path.of("b.jpg"));
        assertThat(c.out).isEqualTo(Path.of("o"));
        assertThat(c.top).isEqualTo(5);
        assertThat(c.ranker).isEqualTo("l2");
        assertThat(c.colormap).isEqualTo("magma");
        assertThat(c.normalize).isEqualTo("percentile");
        assertThat(c.taps).containsExactly("block1_conv2", "block3_pool");
        assertThat(c.models.weights).isEqualTo("random");
        assertThat(c.models.weightsSeed).isEqualTo(3);
        assertThat(c.models.includeTop).isTrue();
        assertThat(c.models.centerCrop).isTrue();
        assertThat(c.convolutions).isEqualTo("direct");
        assertThat(c.verbose).isTrue();
    }

    @Test
    void autoConvolutionsAreDirectForAFewPicturesAndWinogradForManyOrForVisualisations() {
        int few = InspectCommand.AUTO_WINOGRAD_FROM - 1;
        int many = InspectCommand.AUTO_WINOGRAD_FROM;
        assertThat(parse("inspect", "a.png").convolutionAlgorithm(few)).as("15 pictures").isEqualTo(ConvolutionAlgorithm.DIRECT);
        assertThat(parse("inspect", "a.png").convolutionAlgorithm(many)).as("16 pictures").isEqualTo(ConvolutionAlgorithm.WINOGRAD);
        assertThat(parse("inspect", "a.png", "--convolutions", "winograd").convolutionAlgorithm(1))
                .isEqualTo(ConvolutionAlgorithm.WINOGRAD);
        assertThat(parse("inspect", "a.png", "--convolutions", "DIRECT").convolutionAlgorithm(many))
                .isEqualTo(ConvolutionAlgorithm.DIRECT);
        assertThat(parse("inspect", "a.png", "--visualize", "4").convolutionAlgorithm(1)).as("one picture, visualised")
                .isEqualTo(ConvolutionAlgorithm.WINOGRAD);
    }

    @Test
    void defaultsAreTheArticles() {
        InspectCommand c = parse("inspect", "a.png");
        assertThat(c.out).isEqualTo(Path.of("cnnsee-report"));
        assertThat(c.top).isEqualTo(12);
        assertThat(c.ranker).isEqualTo("sum");
        assertThat(c.colormap).isEqualTo("viridis");
        assertThat(c.normalize).isEqualTo("channel");
        assertThat(c.taps).isNull();
        assertThat(c.models.weights).isNull();
        assertThat(c.models.weightsSeed).isEqualTo(42);
        assertThat(c.convolutions).isEqualTo("auto");
    }

    @Test
    void badOptionsExitWithTwoAndSayWhy() {
        Run unknown = cnnsee("inspect", "a.png", "--colour", "red");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("cnnsee: Unknown option: '--colour'")
                .contains("Possible solutions: --colormap").contains("Try 'cnnsee inspect --help' for more information.");

        Run ranker = cnnsee("inspect", "a.png", "--ranker", "median", "--weights", "random");
        assertThat(ranker.exitCode()).isEqualTo(2);
        assertThat(ranker.err()).contains("Unknown ranker 'median': choose one of [sum, mean, max, l2, variance, active, grad-cam]");

        // What the model cannot do is found when the inspector is built, from the model's capabilities.
        Run gradCam = cnnsee("inspect", CHELSEA.toString(), "--grad-cam", "--weights", "random");
        assertThat(gradCam.exitCode()).isEqualTo(2);
        assertThat(gradCam.err()).contains("cnnsee: Grad-CAM needs a model that classifies, and VGG16 does not classify"
                + " (it has no layer of class probabilities): use a model with its classifier: VGG16 or a zoo network"
                + " with includeTop(true) (--include-top on the command line)");

        Run gradCamRanker = cnnsee("inspect", CHELSEA.toString(), "--ranker", "grad-cam", "--weights", "random");
        assertThat(gradCamRanker.exitCode()).isEqualTo(2);
        assertThat(gradCamRanker.err()).contains("cnnsee: grad-cam ranking needs a model that classifies, and VGG16 does not");

        Run classAlone = cnnsee("inspect", "a.png", "--class", "281", "--include-top", "--weights", "random");
        assertThat(classAlone.exitCode()).isEqualTo(2);
        assertThat(classAlone.err()).contains("--class chooses the class Grad-CAM and saliency explain: add --grad-cam, --cam, --ranker grad-cam or --saliency");

        Run noSuchClass = cnnsee("inspect", CHELSEA.toString(), "--grad-cam", "--class", "1000", "--include-top",
                "--weights", "random");
        assertThat(noSuchClass.exitCode()).isEqualTo(2);
        assertThat(noSuchClass.err()).contains("cnnsee: The explained class 1000 is not one of VGG16's classes, 0 to 999");

        Run overlays = cnnsee("inspect", "a.png", "--overlays", "-1", "--weights", "random");
        assertThat(overlays.exitCode()).isEqualTo(2);
        assertThat(overlays.err()).contains("The number of overlays must be at least 0, was -1");

        Run nothingToCompare = cnnsee("inspect", "a.png", "--sanity-check", "--weights", "random");
        assertThat(nothingToCompare.exitCode()).isEqualTo(2);
        assertThat(nothingToCompare.err()).contains("with --weights random there is nothing to compare");

        Run colormap = cnnsee("inspect", "a.png", "--colormap", "jet", "--weights", "random");
        assertThat(colormap.exitCode()).isEqualTo(2);
        assertThat(colormap.err()).contains("Unknown colormap 'jet'");

        Run convolutions = cnnsee("inspect", "a.png", "--convolutions", "fft", "--weights", "random");
        assertThat(convolutions.exitCode()).isEqualTo(2);
        assertThat(convolutions.err()).contains("Unknown convolutions 'fft': choose auto, winograd or direct");

        Run top = cnnsee("inspect", "a.png", "--top", "0", "--weights", "random");
        assertThat(top.exitCode()).isEqualTo(2);
        assertThat(top.err()).contains("--top must be at least 1, was 0");

        Run notANumber = cnnsee("inspect", "a.png", "--top", "many");
        assertThat(notANumber.exitCode()).isEqualTo(2);
        assertThat(notANumber.err()).contains("Invalid value for option '--top': 'many' is not an int");

        Run noImage = cnnsee("inspect");
        assertThat(noImage.exitCode()).isEqualTo(2);
        assertThat(noImage.err()).contains("Missing required parameter: 'IMAGE|FOLDER'");

        Run noCommand = cnnsee();
        assertThat(noCommand.exitCode()).isEqualTo(2);
        assertThat(noCommand.err()).contains("Missing command");
    }

    @Test
    void helpDocumentsEveryOptionWithItsDefault() {
        Run help = cnnsee("inspect", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--out=DIR", "(default: cnnsee-report)", "--top=N", "(default: 12)",
                "--ranker=NAME", "(default: sum)", "--colormap=NAME", "(default: viridis)", "--normalize=MODE",
                "(default: channel)", "--taps=LAYERS", "--weights=PATH|random", "--include-top", "--grad-cam",
                "--grad-cam-layer=LAYER", "--class=N", "--overlays=N", "(default: 0)", "--filters", "--sanity-check", "--convolutions=NAME",
                "(default: auto)", "--verbose", "--model=NAME|PATH", "vgg16).", "--input=PRESET", "unit (0 to 1)", "--input-size=SIZE",
                "--labels=FILE", "--recursive",
                "Exit codes:");
        Run top = cnnsee("--help");
        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("inspect");
    }

    @Test
    void inspectsPicturesWithRandomWeightsAndKeepsGoingPastBadOnes() throws Exception {
        Path out = dir.resolve("reports");
        Path truncated = dir.resolve("truncated.jpg");
        byte[] jpeg = Files.readAllBytes(writeJpeg(dir.resolve("whole.jpg")));
        Files.write(truncated, java.util.Arrays.copyOf(jpeg, jpeg.length / 3));
        Path text = dir.resolve("notes.jpg");
        Files.writeString(text, "not a picture");

        Run run = cnnsee("inspect", CHELSEA.toString(), truncated.toString(), text.toString(),
                "images/coffee.png", "--weights", "random", "--top", "4", "--taps", "block1_conv2,block5_conv3",
                "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("random weights, seed 42")
                .contains("[1/4] images/chelsea.png: done in")
                .contains("cnnsee: " + truncated + ": Cannot read picture " + truncated)
                .contains("cnnsee: " + text + ": Cannot read picture " + text + ": not a picture format")
                .doesNotContain("Exception", "\tat ");
        assertThat(run.out().lines().toList()).containsExactly(
                out.resolve("chelsea/report.html").toString(),
                out.resolve("coffee/report.html").toString(),
                out.resolve("index.html").toString());

        for (String name : List.of("chelsea", "coffee")) {
            Path report = out.resolve(name);
            try (Stream<Path> files = Files.list(report)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                        "report.html", "report.md", "original.png", "block1_conv2.png", "block5_conv3.png",
                        "explore.html", "explore-data.js");
            }
            String html = Files.readString(report.resolve("report.html"));
            assertThat(html).contains("Random weights.", "Number of output images at this step: 64",
                    "Image dimensions: 224x224 px", "Image dimensions: 14x14 px");
            assertReferencedFilesExist(report, html);
        }
        String index = Files.readString(out.resolve("index.html"));
        assertThat(index).contains("chelsea.png", "coffee.png");
        assertReferencedFilesExist(out, index);
        assertThat(ImageIO.read(out.resolve("chelsea/block1_conv2.png").toFile()).getWidth())
                .isEqualTo(4 * 224 + 5 * 2);
    }

    @Test
    void withTheTopTheReportSaysWhatTheNetworkSees() throws Exception {
        Path out = dir.resolve("top");
        // Winograd here, direct (auto's choice for a few pictures) in the other runs: both reach a report.
        Run run = cnnsee("inspect", CHELSEA.toString(), "--weights", "random", "--include-top", "--convolutions", "Winograd",
                "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).containsPattern("done in [0-9.]+ s; sees .+ \\([0-9.]+ %\\)");
        String html = Files.readString(out.resolve("chelsea/report.html"));
        assertThat(html).contains("<h2>What the network sees</h2>", "The 5 most probable classes (random weights: these mean nothing):");
        assertThat(html.split("<tr><td>[0-9.]+ %</td>", -1)).hasSize(6); // a row per class
    }

    @Test
    void gradCamOverlaysAndFiltersReachTheReport() throws Exception {
        Path out = dir.resolve("explained");
        Run run = cnnsee("inspect", CHELSEA.toString(), "--weights", "random", "--include-top", "--grad-cam", "--class", "281",
                "--ranker", "grad-cam", "--overlays", "2", "--filters", "--taps", "block4_conv3,block5_conv3", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        Path report = out.resolve("chelsea");
        try (Stream<Path> files = Files.list(report)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "report.html", "report.md", "original.png", "block4_conv3.png", "block5_conv3.png",
                    "block4_conv3_overlay_1.png", "block4_conv3_overlay_2.png", "block5_conv3_overlay_1.png",
                    "block5_conv3_overlay_2.png", "grad-cam.png", "first-layer-filters.png", "explore.html", "explore-data.js");
        }
        String html = Files.readString(report.resolve("report.html"));
        assertThat(html).contains("Grad-CAM at block5_conv3 for class 281, tabby, tabby cat (",
                "channels by grad-cam", "The 64 kernels of block1_conv1");
        assertReferencedFilesExist(report, html);
        // 64 tiles of 3 x 3 weights at 8 pixels each, 16 to a row, one pixel apart.
        assertThat(ImageIO.read(report.resolve("first-layer-filters.png").toFile()).getWidth()).isEqualTo(16 * 24 + 15);
        assertThat(ImageIO.read(report.resolve("grad-cam.png").toFile()).getWidth()).isEqualTo(448);
    }

    @Test
    void theSanityCheckPutsRandomWeightsBesideTheTrainedOnes() throws Exception {
        // Any weights file is compared with random weights: the ImageNet file cannot be downloaded
        // here, so a file of other weights in the official layout stands in for it.
        Path weights = dir.resolve("stand-in.h5");
        io.cnnsee.dl4j.Vgg16Architecture vgg16 = io.cnnsee.dl4j.Vgg16Architecture.standard(false);
        io.cnnsee.dl4j.KerasWeightsWriter.write(weights, vgg16, io.cnnsee.dl4j.KerasWeightsWriter.randomWeights(vgg16, 7));
        Path out = dir.resolve("sanity");
        Run run = cnnsee("inspect", CHELSEA.toString(), "--weights", weights.toString(), "--sanity-check", "--weights-seed", "5",
                "--taps", "block1_conv2,block5_conv3", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Sanity check: VGG16 with random weights (seed 5) beside it");
        Path report = out.resolve("chelsea");
        String html = Files.readString(report.resolve("report.html"));
        assertThat(html).contains("Sanity check: what VGG16 sees in chelsea.png", "<th>Trained</th><th>Random weights</th>",
                "src=\"random-block5_conv3.png\"", "random weights (seed 5)");
        assertReferencedFilesExist(report, html);
    }

    @Test
    void aMissingWeightsFileIsBadInputWithOneLineAndNoStackTrace() {
        Run run = cnnsee("inspect", CHELSEA.toString(), "--weights", dir.resolve("nope.h5").toString(),
                "--out", dir.resolve("x").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cnnsee: Weights file " + dir.resolve("nope.h5") + " does not exist or is not a file")
                .doesNotContain("\tat ");
    }

    @Test
    void unknownTapsAreAUsageError() {
        Run run = cnnsee("inspect", CHELSEA.toString(), "--weights", "random", "--taps", "block9_conv1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--taps: VGG16 has no layer 'block9_conv1'");
    }

    @Test
    void reportFoldersStayInsideTheOutputFolder() {
        assertThat(ReportFolders.nameFor(Path.of("../../etc/passwd"))).isEqualTo("passwd");
        assertThat(ReportFolders.nameFor(Path.of("/tmp/..hidden.png"))).isEqualTo("hidden");
        assertThat(ReportFolders.nameFor(Path.of("a b<c>.jpg"))).isEqualTo("a_b_c_");
        assertThat(ReportFolders.nameFor(Path.of("index.png"))).isEqualTo("index_");
        java.util.Set<String> taken = new java.util.HashSet<>();
        assertThat(ReportFolders.unique("cat", taken)).isEqualTo("cat");
        assertThat(ReportFolders.unique("cat", taken)).isEqualTo("cat-2");
    }

    private static Path writeJpeg(Path file) throws Exception {
        ImageIO.write(ImageIO.read(CHELSEA.toFile()), "jpg", file.toFile());
        return file;
    }

    private static void assertReferencedFilesExist(Path base, String html) {
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        int count = 0;
        while (m.find()) {
            assertThat(base.resolve(m.group(1))).exists();
            count++;
        }
        assertThat(count).isPositive();
    }
}
