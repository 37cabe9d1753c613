package io.cnnsee.dl4j;

import org.bytedeco.javacpp.Pointer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a long run must keep flat: heap after a collection, ND4J's native memory (its own count: it
 * does not allocate through JavaCPP's), the process's resident memory, temporary files.
 */
record MemoryProbe(long heapBytes, long nativeBytes, long residentBytes, List<String> tempFiles) {

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
        return new MemoryProbe(rt.totalMemory() - rt.freeMemory(),
                org.nd4j.linalg.factory.Nd4j.getMemoryManager().allocatedMemory(0), Pointer.physicalBytes(), listTempFiles());
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
        return String.format("heap %.1f MB, ND4J native %.1f MB, resident %.1f MB",
                heapBytes / 1e6, nativeBytes / 1e6, residentBytes / 1e6);
    }
}
