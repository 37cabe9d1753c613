package io.cnnsee.dl4j;

import io.cnnsee.ModelFileException;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/** What goes wrong reading a model file is a {@link ModelFileException} naming the file, whichever reader found it. */
final class ModelFiles {

    private ModelFiles() {
    }

    /** {@code read}'s result; its refusals and read errors as {@link ModelFileException}s of {@code file}. */
    static <T> T reading(Path file, Supplier<T> read) {
        try {
            return read.get();
        } catch (ModelFileException e) {
            throw e;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
    }
}
