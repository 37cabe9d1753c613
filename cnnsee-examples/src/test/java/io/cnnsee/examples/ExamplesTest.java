package io.cnnsee.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each example runs as a user runs it: its own JVM, started in a fresh folder, with
 * {@code --random}, and writes a report whose pictures all exist.
 */
class ExamplesTest {

    static final Path CHELSEA = Path.of("images", "chelsea.png").toAbsolutePath();

    record Run(int exitCode, String out) {
    }

    static Run runMain(Path workDir, Class<?> main, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Path log = workDir.resolve("output.txt");
        Process p = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(main.getSimpleName() + " did not finish in 3 minutes");
        }
        return new Run(p.exitValue(), Files.readString(log));
    }

    static void assertPicturesExist(Path page) throws Exception {
        String html = Files.readString(page, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("src=\"([^\"]+)\"").matcher(html);
        int count = 0;
        while (m.find()) {
            assertThat(page.resolveSibling(m.group(1))).as("picture referenced by " + page).isRegularFile();
            count++;
        }
        assertThat(count).as("pictures in " + page).isGreaterThan(1);
    }

    @Test
    void inspectImageWritesTheFiveBlocks(@TempDir Path dir) throws Exception {
        Run run = runMain(dir, InspectImage.class, CHELSEA.toString(), "--random");
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("block 1: Image dimensions: 224x224 px, Number of output images at this step: 64",
                "block 5: Image dimensions: 14x14 px, Number of output images at this step: 512");
        Path report = dir.resolve("reports/inspect-image/report.html");
        assertPicturesExist(report);
        assertThat(Files.readString(report)).contains("random weights");
    }

    @Test
    void customRankerExampleUsesItsRanker(@TempDir Path dir) throws Exception {
        Run run = runMain(dir, CustomRankerExample.class, CHELSEA.toString(), "--random");
        assertThat(run.exitCode()).as(run.out()).isZero();
        Path report = dir.resolve("reports/custom-ranker/report.html");
        assertPicturesExist(report);
        assertThat(Files.readString(report)).contains("centre");
    }

    @Test
    void compareRankersShowsSixRankingsOfOneBlock(@TempDir Path dir) throws Exception {
        Run run = runMain(dir, CompareRankers.class, CHELSEA.toString(), "block3_conv3", "--random");
        assertThat(run.exitCode()).as(run.out()).isZero();
        Path page = dir.resolve("reports/compare-rankers/compare.html");
        assertPicturesExist(page);
        try (var files = Files.list(page.getParent())) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".png")))
                    .containsExactlyInAnyOrder("block3_conv3-sum.png", "block3_conv3-mean.png", "block3_conv3-max.png",
                            "block3_conv3-l2.png", "block3_conv3-variance.png", "block3_conv3-active.png");
        }
    }

    @Test
    void explainPredictionShowsWhereTheClassIsSeen(@TempDir Path dir) throws Exception {
        Run run = runMain(dir, ExplainPrediction.class, CHELSEA.toString(), "--random");
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).containsPattern("Grad-CAM of '.+' at block5_conv3");
        Path report = dir.resolve("reports/explain-prediction/report.html");
        assertPicturesExist(report);
        assertThat(Files.readString(report)).contains("<h2>Where it sees it</h2>", "channels by grad-cam",
                "What the first layer looks for", "block5_conv3_overlay_3.png");
    }
}
