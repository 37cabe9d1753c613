package io.cnnsee.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private static Set<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return Set.copyOf(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void writesTheBytesReplacesAndLeavesNothingElse() throws IOException {
        Path file = dir.resolve("sub/report.html");

        AtomicFiles.write(file, new byte[] {1, 2, 3});
        AtomicFiles.write(file, new byte[] {4, 5});

        assertThat(Files.readAllBytes(file)).containsExactly(4, 5);
        assertThat(names(dir.resolve("sub"))).containsExactly("report.html");
    }

    @Test
    void aWrittenFileHasThePermissionsOfAnyNewFile() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path reference = Files.write(dir.resolve("made-as-usual"), new byte[] {0});

        Path file = dir.resolve("grid.png");
        AtomicFiles.write(file, new byte[] {1});

        Set<PosixFilePermission> usual = Files.getPosixFilePermissions(reference);
        // Under the usual umask 022 that is rw-r--r--: others can read a report folder that is shared or served.
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(usual);
    }

    @Test
    void partFilesAreNewHiddenEmptyAndBesideTheirTarget() throws IOException {
        Path target = dir.resolve("weights.h5");

        Path first = AtomicFiles.createPartFile(target);
        Path second = AtomicFiles.createPartFile(target);

        assertThat(first).isNotEqualTo(second);
        for (Path part : new Path[] {first, second}) {
            assertThat(part.getParent()).isEqualTo(dir.toAbsolutePath());
            assertThat(part.getFileName().toString()).startsWith(".weights.h5.").endsWith(".part");
            assertThat(Files.size(part)).isZero();
        }
        assertThat(names(dir)).hasSize(2).doesNotContain("weights.h5");
    }

    @Test
    void aFileThatCannotBeMovedIntoPlaceLeavesNoPartBehind() throws IOException {
        Path target = dir.resolve("grid.png");
        Files.createDirectories(target.resolve("in-the-way")); // a folder that is not empty cannot be replaced

        assertThatThrownBy(() -> AtomicFiles.write(target, new byte[] {1, 2}))
                .isInstanceOf(IOException.class);

        assertThat(names(dir)).containsExactly("grid.png");
        assertThat(target).isDirectory();
    }

    @Test
    void largeFilesAreWrittenWhole() throws IOException {
        byte[] bytes = new byte[3_000_001];
        new Random(7).nextBytes(bytes);
        Path file = dir.resolve("original.png");

        AtomicFiles.write(file, bytes);

        assertThat(Files.mismatch(file, Files.write(dir.resolve("plain"), bytes))).isEqualTo(-1L);
    }
}
