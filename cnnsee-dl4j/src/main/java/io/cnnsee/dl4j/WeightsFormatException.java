package io.cnnsee.dl4j;

/**
 * A weights file that cannot be used: not HDF5, truncated, of another model, or with a layer of
 * the wrong shape. The message names the file, the layer and the shapes.
 */
public class WeightsFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public WeightsFormatException(String message) {
        super(message);
    }

    public WeightsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
