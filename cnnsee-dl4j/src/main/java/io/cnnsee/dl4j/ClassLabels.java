package io.cnnsee.dl4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The names of a classifier's classes: from a label file (one name per line, class 0 first), the
 * ImageNet names for a network of 1000 classes, or "class i". Immutable.
 */
final class ClassLabels {

    private final List<String> names;

    private ClassLabels(List<String> names) {
        this.names = names;
    }

    /** "class i" for every class. */
    static ClassLabels none() {
        return new ClassLabels(List.of());
    }

    /** ImageNet's names when there are 1000 classes, otherwise "class i". */
    static ClassLabels forClasses(int classes) {
        return new ClassLabels(classes == ImageNetClasses.COUNT ? ImageNetClasses.labels() : List.of());
    }

    /**
     * The names in {@code file}, one per line (blank lines at the end ignored), checked against
     * the number of classes.
     *
     * @throws IllegalArgumentException when the file cannot be read or its length does not match
     */
    static ClassLabels read(Path file, int classes) {
        Objects.requireNonNull(file, "file");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the label file " + file + ": " + e.getMessage(), e);
        }
        int n = lines.size();
        while (n > 0 && lines.get(n - 1).isBlank()) {
            n--;
        }
        lines = lines.subList(0, n).stream().map(String::strip).toList();
        if (classes < 0) {
            throw new IllegalArgumentException("Labels were given (" + file + "), but the network does not end in a "
                    + "softmax over classes, so there is nothing to name");
        }
        if (lines.size() != classes) {
            throw new IllegalArgumentException("The label file " + file + " has " + lines.size() + " names, but the network has "
                    + classes + " classes: give one name per line, class 0 first");
        }
        return new ClassLabels(List.copyOf(lines));
    }

    String label(int index) {
        return index >= 0 && index < names.size() ? names.get(index) : "class " + index;
    }
}
