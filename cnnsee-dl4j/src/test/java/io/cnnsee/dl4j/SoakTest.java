package io.cnnsee.dl4j;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The long soak: the full-size VGG16 (random weights, which cost the same) inspected
 * {@code cnnsee.soak.iterations} times (default 1000), a report written every 10th time. Heap
 * after a collection and native memory must stay flat, and no file may be left behind. About
 * 5 minutes on 2 cores, so it is not part of the normal test run; see docs/reliability.md.
 */
@Tag("soak")
class SoakTest {

    @Test
    void aThousandInspectionsStayFlat(@TempDir Path out) throws Exception {
        int iterations = Integer.getInteger("cnnsee.soak.iterations", 1000);
        try (Vgg16Model model = Vgg16.builder().weights(Vgg16Weights.random(42)).build()) {
            FeatureMapInspector inspector = FeatureMapInspector.builder().model(model).build();
            BufferedImage picture = TestImages.noise(451, 300, 1);
            int warmUp = Math.min(20, iterations / 10);
            LongRunTest.run(inspector, picture, out, warmUp);
            MemoryProbe first = MemoryProbe.now();
            List<MemoryProbe> samples = new ArrayList<>();
            long start = System.nanoTime();
            int step = Math.max(1, iterations / 10);
            for (int done = warmUp; done < iterations; done += step) {
                LongRunTest.run(inspector, picture, out, Math.min(step, iterations - done));
                MemoryProbe p = MemoryProbe.now();
                samples.add(p);
                System.out.printf("soak: %d/%d inspections, %.0f s: %s%n", Math.min(done + step, iterations), iterations,
                        (System.nanoTime() - start) / 1e9, p.describe());
            }
            MemoryProbe last = samples.get(samples.size() - 1);
            assertThat(last.heapBytes() - first.heapBytes())
                    .as("heap growth from %s to %s", first.describe(), last.describe())
                    .isLessThan(64_000_000L);
            // The process as a whole, native memory included: it may settle, but must not climb by a pass per pass
            // (one leaked full-size pass would be about 100 MB).
            assertThat(last.residentBytes() - samples.get(0).residentBytes())
                    .as("resident memory growth from %s to %s", samples.get(0).describe(), last.describe())
                    .isLessThan(256_000_000L);
            assertThat(last.tempFiles()).as("temporary files").isEqualTo(first.tempFiles());
            try (Stream<Path> files = Files.list(out)) {
                assertThat(files.filter(f -> f.getFileName().toString().endsWith(".part"))).isEmpty();
            }
        }
    }
}
