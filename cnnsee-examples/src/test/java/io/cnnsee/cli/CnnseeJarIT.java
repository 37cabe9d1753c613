package io.cnnsee.cli;

import io.cnnsee.dl4j.KerasWeightsWriter;
import io.cnnsee.dl4j.Vgg16Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code java -jar cnnsee.jar} as a user runs it: the shaded jar, in a JVM of its own. */
class CnnseeJarIT {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private Run cnnsee(String... args) throws Exception {
        Path jar = Path.of("target", "cnnsee.jar");
        assertThat(jar).as("the shaded jar, made in the package phase").exists();
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void loadingWeightsFromTheJarWarnsOfNoDevelopmentVersionOfJhdf() throws Exception {
        Path weights = dir.resolve("stand-in.h5");
        Vgg16Architecture vgg16 = Vgg16Architecture.standard(false);
        KerasWeightsWriter.write(weights, vgg16, KerasWeightsWriter.randomWeights(vgg16, 3));
        Run run = cnnsee("inspect", CnnseeCliTest.CHELSEA.toString(), "--weights", weights.toString(),
                "--taps", "block1_conv2", "--out", dir.resolve("reports").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("Loaded VGG16").doesNotContain("development version of jHDF");
        assertThat(run.out().strip()).endsWith("report.html");
    }

    @Test
    void theJarReadsWebpThroughItsPlugins() throws Exception {
        Path webp = dir.resolve("cat.webp");
        try (var in = CnnseeJarIT.class.getResourceAsStream("/io/cnnsee/pictures/chelsea-lossless.webp")) {
            if (in == null) {
                Files.copy(Path.of("..", "cnnsee-api", "src", "test", "resources", "io", "cnnsee", "pictures",
                        "chelsea-lossless.webp"), webp);
            } else {
                Files.copy(in, webp);
            }
        }
        Run run = cnnsee("inspect", webp.toString(), "--weights", "random", "--taps", "block1_conv2",
                "--out", dir.resolve("webp").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(dir.resolve("webp").resolve("cat").resolve("report.html")).exists();
    }
}
