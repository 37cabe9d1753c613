package io.cnnsee.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The benchmarks' folders: report folders removed when done, and the folder their results go to. */
final class Folders {

    private Folders() {
    }

    /**
     * Checks that {@code folder} is new or empty, so that results of one run are never mixed with, or
     * written over, those of another.
     *
     * @throws IllegalArgumentException saying which folder, and what to do
     */
    static void requireNewOrEmpty(Path folder) throws IOException {
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new IllegalArgumentException(folder + " is a file, not a folder: name a new folder with --out");
        }
        if (Files.isDirectory(folder)) {
            try (Stream<Path> entries = Files.list(folder)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(folder + " already holds files: name a new or empty folder with --out,"
                            + " so that earlier results are kept as they are");
                }
            }
        }
    }

    /** Deletes {@code folder} and everything in it, deepest first. */
    static void delete(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
