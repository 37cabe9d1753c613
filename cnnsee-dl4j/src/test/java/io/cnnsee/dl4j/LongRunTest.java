package io.cnnsee.dl4j;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short version of the soak ({@link SoakTest} is the long one): many inspections and reports
 * with one inspector leave heap, native memory and the file system as they were.
 */
class LongRunTest {

    static final Vgg16Architecture SMALL = new Vgg16Architecture(new int[] {8, 16, 16, 32, 32}, 32, false, 0, 0);

    @Test
    void memoryStaysFlatAndNoFileIsLeftBehind(@TempDir Path out) throws Exception {
        try (Vgg16Model model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.random(3)).build()) {
            FeatureMapInspector inspector = FeatureMapInspector.builder().model(model).build();
            BufferedImage picture = TestImages.noise(120, 90, 9);
            run(inspector, picture, out, 20); // warm up: lazily made buffers, JIT
            MemoryProbe before = MemoryProbe.now();
            run(inspector, picture, out, 150);
            MemoryProbe after = MemoryProbe.now();
            System.out.println("before: " + before.describe() + "\nafter 150 inspections: " + after.describe());

            // One pass of this network holds about 0.3 MB of activations: 150 leaked passes would be 50 MB.
            assertThat(after.nativeBytes() - before.nativeBytes())
                    .as("native memory growth: before %s, after %s", before.describe(), after.describe())
                    .isLessThan(4_000_000L);
            assertThat(after.heapBytes() - before.heapBytes())
                    .as("heap growth: before %s, after %s", before.describe(), after.describe())
                    .isLessThan(16_000_000L);
            assertThat(after.tempFiles()).as("temporary files").isEqualTo(before.tempFiles());
            try (Stream<Path> files = Files.list(out)) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .containsExactlyInAnyOrder("original.png", "block1_conv2.png", "block2_conv2.png", "block3_conv3.png",
                                "block4_conv3.png", "block5_conv3.png", "report.md", "report.html");
            }
        }
    }

    static void run(FeatureMapInspector inspector, BufferedImage picture, Path out, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            Inspection result = inspector.run(picture, "noise.png");
            if (i % 10 == 0) {
                result.writeReport(out);
            }
        }
    }
}
