package io.cnnsee.serve;

/**
 * A request refused with a status of its own and a message that says what to do; for 503, how many
 * seconds to wait before trying again ({@code Retry-After}).
 */
final class Refused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final int retryAfterSeconds;

    Refused(int status, String message) {
        this(status, message, 0);
    }

    Refused(int status, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    /** Seconds for {@code Retry-After}, 0 for none. */
    int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
