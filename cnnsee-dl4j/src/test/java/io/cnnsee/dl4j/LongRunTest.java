package io.cnnsee.dl4j;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.report.ReportWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short version of the soak ({@link SoakTest} is the long one): many inspections and reports
 * with one inspector leave heap, native memory and the file system as they were.
 */
class LongRunTest {

    static final Vgg16Architecture SMALL = new Vgg16Architecture(new int[] {8, 16, 16, 32, 32}, 96, false, 0, 0);

    /**
     * Runs in a JVM of its own (see {@link #main}), so the resident memory measured is this run's,
     * not that of the tests before it, with glibc's per-thread arenas held to two and the heap
     * resident in full, so that neither's growth passes for a leak.
     */
    @Test
    void memoryStaysFlatAndNoFileIsLeftBehind(@TempDir Path out) throws Exception {
        // The heap made resident at its full size from the start, so that the collector growing it
        // (which the faster pass made it do within the run) does not pass for a new high.
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m",
                "-Xmx512m", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"), LongRunTest.class.getName(), out.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        System.out.println(output);
        assertThat(process.exitValue()).as(output).isZero();
        Matcher m = Pattern.compile("RESULT heap (\\d+) (\\d+) resident ([\\d,]+) tempfiles (\\w+)").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        long heapGrowth = Long.parseLong(m.group(2)) - Long.parseLong(m.group(1));
        long[] resident = java.util.Arrays.stream(m.group(3).split(",")).mapToLong(Long::parseLong).toArray();
        long earlyPeak = java.util.Arrays.stream(resident, 0, resident.length / 2).max().orElseThrow();
        long latePeak = java.util.Arrays.stream(resident, resident.length / 2, resident.length).max().orElseThrow();

        // Resident memory wanders by tens of MB as the allocators reuse memory; a leak makes new highs.
        // One pass of this network makes about 1.4 MB of activations: 150 leaked passes would be 210 MB.
        assertThat(latePeak - earlyPeak).as("new high of resident memory in the second half").isLessThan(64_000_000L);
        assertThat(heapGrowth).as("heap growth over 300 inspections").isLessThan(16_000_000L);
        assertThat(m.group(4)).as("temporary files as before").isEqualTo("same");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("original.png", "block1_conv2.png", "block2_conv2.png", "block3_conv3.png",
                            "block4_conv3.png", "block5_conv3.png", "report.md", "report.html", "explore.html", "explore-data.js");
        }
    }

    /**
     * The run itself: 200 inspections to warm up (resident memory climbs for the first 200 or so as
     * the allocators and caches settle), then 300 more, measuring resident memory every 50.
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        try (Vgg16Model model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.random(3)).build()) {
            FeatureMapInspector inspector = FeatureMapInspector.builder().model(model).build();
            BufferedImage picture = TestImages.noise(120, 90, 9);
            run(inspector, picture, out, 200); // warm up: lazily made buffers, allocator arenas, JIT
            MemoryProbe before = MemoryProbe.now();
            List<String> resident = new java.util.ArrayList<>();
            MemoryProbe after = before;
            for (int i = 0; i < 6; i++) {
                run(inspector, picture, out, 50);
                after = MemoryProbe.now();
                resident.add(Long.toString(after.residentBytes()));
                System.out.println("after " + (250 + 50 * i) + " inspections: " + after.describe());
            }
            System.out.printf("RESULT heap %d %d resident %s tempfiles %s%n", before.heapBytes(), after.heapBytes(),
                    String.join(",", resident), before.tempFiles().equals(after.tempFiles()) ? "same" : "changed");
        }
    }

    static void run(FeatureMapInspector inspector, BufferedImage picture, Path out, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            Inspection result = inspector.run(picture, "noise.png");
            if (i % 10 == 0) {
                ReportWriter.write(result, out);
            }
        }
    }
}
