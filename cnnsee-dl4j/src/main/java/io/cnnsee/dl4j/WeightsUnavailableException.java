package io.cnnsee.dl4j;

/**
 * The weights could not be found or fetched. The message says which file is missing, where to
 * download it and where to put it.
 */
public class WeightsUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public WeightsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
