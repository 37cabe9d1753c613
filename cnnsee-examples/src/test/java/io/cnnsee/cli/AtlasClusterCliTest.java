package io.cnnsee.cli;

import io.cnnsee.spark.StandaloneCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.cnnsee.cli.CnnseeCliTest.cnnsee;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cnnsee atlas --master spark://...} as a user runs it, on a standalone cluster of separate
 * JVMs on 127.0.0.1: the model and the pictures named by paths relative to the driver's working
 * folder, which the executors (working elsewhere) must find too; the progress never counting past the pictures; the
 * faithfulness survey on the executors.
 */
class AtlasClusterCliTest {

    @TempDir
    Path dir;

    @Test
    void relativePathsAreFoundByTheExecutors() throws Exception {
        Path cwd = Path.of("").toAbsolutePath();
        Path mine = Files.createDirectories(cwd.resolve("target").resolve("cluster-cli-test"));
        Path model = Files.copy(ModelChoiceCliTest.saveModelTo(dir), mine.resolve("mine.zip"), StandardCopyOption.REPLACE_EXISTING);
        String relative = cwd.relativize(model).toString();
        Path photos = Files.createDirectories(mine.resolve("photos"));
        try (var old = Files.list(photos)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        AtlasCliTest.catsAndABrokenFile(photos, 6);
        String opens = System.getProperty("cnnsee.spark.opens", "");
        Map<String, String> settings = Map.of("spark.executor.extraClassPath", System.getProperty("java.class.path"),
                "spark.executor.extraJavaOptions", opens, "spark.cores.max", "2", "spark.executor.cores", "1",
                "spark.executor.memory", "2g", "spark.driver.host", "127.0.0.1", "spark.driver.bindAddress", "127.0.0.1");
        try (StandaloneCluster cluster = StandaloneCluster.start(dir, 2, opens)) {
            settings.forEach(System::setProperty);
            CnnseeCliTest.Run run;
            try {
                run = cnnsee("atlas", cwd.relativize(photos).toString(), "--model", relative, "--input", "unit", "--input-size", "32",
                        "--labels", ModelChoiceCliTest.labelsIn(dir).toString(), "--top", "1", "--no-reports",
                        "--out", dir.resolve("atlas").toString(), "--master", cluster.url(), "--faithfulness", "2",
                        "--cam", "gradcam");
            } finally {
                settings.keySet().forEach(System::clearProperty);
            }
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).contains("7/7 pictures", "Atlas of 6 pictures (1 skipped)", "  Grad-CAM ",
                    "best on 6 of 6");
            Matcher progress = Pattern.compile("(\\d+)/(\\d+) pictures").matcher(run.err());
            while (progress.find()) {
                assertThat(Long.parseLong(progress.group(1))).as(progress.group()).isLessThanOrEqualTo(Long.parseLong(progress.group(2)));
            }
            assertThat(Files.readString(dir.resolve("atlas").resolve("index.html"))).contains("<td>Grad-CAM</td>");
        }
    }

    /** Spark's message of a job that failed: what it was, without the 90 lines of stack traces. */
    @Test
    void aFailedJobIsSaidInOneLine() {
        String spark = String.join("\n", List.of(
                "Job aborted due to stage failure: Task 1 in stage 0.0 failed 4 times, most recent failure: Lost task 1.3 in "
                        + "stage 0.0 (TID 7) (127.0.0.1 executor 1): io.cnnsee.ModelFileException: No model file at /w/red.h5",
                "\tat io.cnnsee.cli.ModelChoice.load(ModelChoice.java:101)",
                "\tat io.cnnsee.cli.CliModelFactory.create(CliModelFactory.java:17)",
                "",
                "Driver stacktrace:",
                "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2856)"));
        assertThat(Failures.spark(new IllegalStateException(spark))).isEqualTo("Task 1 in stage 0.0 failed 4 times, most "
                + "recent failure: Lost task 1.3 in stage 0.0 (TID 7) (127.0.0.1 executor 1): No model file at /w/red.h5");
    }
}
