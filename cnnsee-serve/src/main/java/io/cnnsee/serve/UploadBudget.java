package io.cnnsee.serve;

/**
 * The bytes held by uploads in flight (arriving, or waiting to be decoded) against one budget:
 * the memory that uploads take is bounded by it, not by how many clients send at once. Sixty
 * clients sending 31 MB each would otherwise hold 1.9 GB of arrays (the issue measured 4.1 GB of
 * resident memory).
 */
final class UploadBudget {

    private final long limit;
    private long held;
    private long peak;

    UploadBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("The upload budget must be at least 1 byte, was " + limit);
        }
        this.limit = limit;
    }

    /** Takes {@code bytes} from the budget, or nothing and false when they would pass it. */
    synchronized boolean tryTake(long bytes) {
        if (held + bytes > limit) {
            return false;
        }
        held += bytes;
        peak = Math.max(peak, held);
        return true;
    }

    synchronized void giveBack(long bytes) {
        held -= bytes;
    }

    synchronized long held() {
        return held;
    }

    /** The most ever held at once. */
    synchronized long peak() {
        return peak;
    }

    long limit() {
        return limit;
    }
}
