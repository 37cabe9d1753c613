package io.cnnsee.serve;

import java.time.Duration;

/**
 * What an upload's body must keep to: at most {@code maxBytes}; never {@code stall} without a
 * byte; and, once {@code grace} has passed, on average at least {@code minBytesPerSecond}. The
 * last rule cuts a client that sends a byte every few seconds, which the stall alone never would.
 */
record UploadLimits(long maxBytes, Duration stall, Duration grace, long minBytesPerSecond) {

    /** No byte for 10 s: a stalled upload, answered 408 (Jetty's own idle timeout, 30 s, would come later). */
    static final Duration DEFAULT_STALL = Duration.ofSeconds(10);
    /** The first 10 s of a body are free of the rate rule: a connection starting slowly is not cut. */
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    /** 1 KB/s: a 32 MB picture may take 9 hours; a byte every 5 s is cut after 10 s. */
    static final long DEFAULT_MIN_BYTES_PER_SECOND = 1_000;

    UploadLimits {
        if (maxBytes < 1 || stall.isNegative() || stall.isZero() || grace.isNegative() || minBytesPerSecond < 0) {
            throw new IllegalArgumentException("Upload limits must be positive: " + maxBytes + " bytes, stall " + stall
                    + ", grace " + grace + ", " + minBytesPerSecond + " bytes/s");
        }
    }

    static UploadLimits defaults(long maxBytes) {
        return new UploadLimits(maxBytes, DEFAULT_STALL, DEFAULT_GRACE, DEFAULT_MIN_BYTES_PER_SECOND);
    }
}
