package io.cnnsee.cli;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The pictures the command line's arguments name: files as given, folders as the pictures in
 * them (by the file endings Java's decoders know), sorted by name, their sub-folders' too with
 * {@code recursive}. Checked before any model loads, so a typo costs no download.
 */
final class PictureFiles {

    private PictureFiles() {
    }

    /** The endings of the pictures a folder is searched for, e.g. {@code jpg, png, webp}. */
    static Set<String> endings() {
        Set<String> endings = new TreeSet<>();
        for (String suffix : ImageIO.getReaderFileSuffixes()) {
            if (!suffix.isBlank()) {
                endings.add(suffix.toLowerCase(Locale.ROOT));
            }
        }
        return endings;
    }

    /**
     * The pictures of {@code paths}, in order: a file as it is (it is read, and judged, later), a
     * folder as its pictures.
     *
     * @throws IllegalArgumentException naming every path that does not exist and every folder without pictures
     */
    static List<Path> expand(List<Path> paths, boolean recursive) {
        Set<String> endings = endings();
        List<Path> pictures = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                List<Path> found = picturesIn(path, recursive, endings);
                if (found.isEmpty()) {
                    problems.add(path + " is a folder with no pictures (" + String.join(", ", endings) + ")"
                            + (!recursive && hasSubfolders(path) ? "; add --recursive to look in its sub-folders" : ""));
                }
                pictures.addAll(found);
            } else if (!Files.exists(path)) {
                problems.add("no such file or folder: " + path);
            } else {
                pictures.add(path);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return pictures;
    }

    private static List<Path> picturesIn(Path folder, boolean recursive, Set<String> endings) {
        try (Stream<Path> files = recursive ? Files.walk(folder) : Files.list(folder)) {
            return files.filter(Files::isRegularFile).filter(f -> endings.contains(ending(f)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the folder " + folder + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasSubfolders(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.anyMatch(Files::isDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    private static String ending(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** For messages: {@code [bmp, gif, jpeg, jpg, png, wbmp]}. */
    static String describeEndings() {
        return Arrays.toString(endings().toArray());
    }
}
