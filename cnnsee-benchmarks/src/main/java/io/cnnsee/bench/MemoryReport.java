package io.cnnsee.bench;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.dl4j.NativeBuild;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak memory and its flatness: one model (without or with top), N inspections of the sample
 * picture with one inspector, sampling heap after a collection and the process's resident memory
 * (native memory included: ND4J's counters do not see what its operations allocate) every N/5,
 * then the peaks. Run in a fresh JVM per model:
 *
 * <pre>java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.MemoryReport notop 500</pre>
 */
public final class MemoryReport {

    private MemoryReport() {
    }

    public static void main(String[] args) throws Exception {
        boolean top = args.length > 0 && args[0].equals("top");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        BufferedImage picture = Pictures.sample();
        try (Vgg16Model model = Vgg16.builder().includeTop(top).weights(Vgg16Weights.random(42)).build()) {
            FeatureMapInspector inspector = FeatureMapInspector.builder().model(model).build();
            System.out.printf("VGG16 %s, native build %s (%s)%n", top ? "with top" : "without top",
                    NativeBuild.selected().orElse("?"), NativeBuild.loadedLibrary().orElse("not known"));
            System.out.println("| inspections | heap after GC | resident |");
            System.out.println("| ---: | ---: | ---: |");
            long start = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                inspector.run(picture, "sample.png");
                if (top) {
                    model.predict(picture);
                }
                if (i == 1 || i % Math.max(1, n / 5) == 0) {
                    System.gc();
                    Thread.sleep(50);
                    Runtime rt = Runtime.getRuntime();
                    System.out.printf("| %d | %.1f MB | %.0f MB |%n", i, (rt.totalMemory() - rt.freeMemory()) / 1e6,
                            status("VmRSS") / 1e6);
                }
            }
            System.out.printf("%d inspections in %.1f s%n", n, (System.nanoTime() - start) / 1e9);
        }
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("peak heap (sum of the pools' peaks) %.0f MB, peak resident %.0f MB%n", heapPeak / 1e6,
                status("VmHWM") / 1e6);
    }

    /** A size from /proc/self/status, in bytes; -1 where there is none. */
    private static long status(String key) throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
