package io.cnnsee.dl4j;

import org.bytedeco.javacpp.Pointer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a long run must keep flat: heap after a collection, the process's resident memory (which
 * holds ND4J's native memory: neither JavaCPP's nor ND4J's own counters see the arrays its
 * operations allocate), temporary files.
 */
record MemoryProbe(long heapBytes, long residentBytes, List<String> tempFiles) {

    static MemoryProbe now() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Runtime rt = Runtime.getRuntime();
        return new MemoryProbe(rt.totalMemory() - rt.freeMemory(), Pointer.physicalBytes(), listTempFiles());
    }

    /** Temporary files of the kinds this library's work could leave: ImageIO caches and partial writes. */
    static List<String> listTempFiles() {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("imageio") || n.endsWith(".part"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String describe() {
        return String.format("heap %.1f MB, resident %.1f MB", heapBytes / 1e6, residentBytes / 1e6);
    }
}
