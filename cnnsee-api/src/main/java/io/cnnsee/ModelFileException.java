package io.cnnsee;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A model file could not be used: missing, not the format its name says, or holding a layer or
 * shape no engine runs. The message names the file and, where one is at fault, the layer.
 */
public class ModelFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public ModelFileException(Path file, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.file = Objects.requireNonNull(file, "file");
    }

    public ModelFileException(Path file, String message) {
        this(file, message, null);
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
