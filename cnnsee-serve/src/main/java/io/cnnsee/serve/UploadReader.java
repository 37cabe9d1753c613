package io.cnnsee.serve;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads an upload's body as it arrives, without holding a thread while it waits: a client that
 * sends slowly or stops costs a connection and the bytes it sent, not one of the server's threads
 * (70 clients sending a byte every 5 s took all 64 when the body was read with a blocking stream).
 * The bytes are taken from the {@link UploadBudget} as they come; a body that stalls, trickles,
 * outgrows its limit or the budget ends the upload with one call to the {@link Listener}.
 */
final class UploadReader implements Runnable {

    /** How an upload ends: exactly one of these is called. */
    interface Listener {
        /** The whole body, in a thread that may block; closing it gives its bytes back to the budget. */
        void arrived(Body body);

        /** Refused while it came: the client is still there to read why. */
        void refused(Refused why);

        /** The client went away before the end: nobody is there to answer. */
        void gone(String why);
    }

    /** A body that arrived whole: {@code bytes[0..length)}, held against the budget until closed. */
    static final class Body implements AutoCloseable {
        private final byte[] bytes;
        private final int length;
        private final UploadBudget budget;
        private boolean closed;

        Body(byte[] bytes, int length, UploadBudget budget) {
            this.bytes = bytes;
            this.length = length;
            this.budget = budget;
        }

        byte[] bytes() {
            return bytes;
        }

        int length() {
            return length;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                budget.giveBack(bytes.length);
            }
        }
    }

    /** The first array: most pictures from a page are larger, and a trickling client holds no more. */
    private static final int FIRST_CAPACITY = 8 * 1024;

    private final Request request;
    private final UploadBudget budget;
    private final UploadLimits limits;
    private final Listener listener;
    private final Scheduler scheduler;
    private final long declared;
    private final long start = System.nanoTime();
    // Guarded by this: the demand callback and the watchdog may run at once.
    private byte[] bytes = new byte[0];
    private int size;
    private long lastArrival = start;
    private boolean over;
    private Scheduler.Task watchdog;

    UploadReader(Request request, UploadBudget budget, UploadLimits limits, Listener listener) {
        this.request = request;
        this.budget = budget;
        this.limits = limits;
        this.listener = listener;
        this.scheduler = request.getComponents().getScheduler();
        this.declared = request.getLength();
    }

    /** Starts reading; the listener hears the end later, in another thread or this one. */
    void start() {
        synchronized (this) {
            watchdog = scheduler.schedule(this::watch, tick(), TimeUnit.MILLISECONDS);
        }
        run();
    }

    /** Reads what has come, then asks Jetty to call again when more does. */
    @Override
    public void run() {
        Runnable end = null;
        synchronized (this) {
            while (!over && end == null) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                try {
                    end = take(chunk);
                } finally {
                    chunk.release();
                }
            }
        }
        if (end != null) {
            end.run();
        }
    }

    private Runnable take(Content.Chunk chunk) {
        if (Content.Chunk.isFailure(chunk)) {
            Throwable failure = chunk.getFailure();
            if (failure instanceof TimeoutException) {
                return end(() -> listener.refused(stalled(System.nanoTime())));
            }
            String why = "it broke off after " + size + (declared >= 0 ? " of " + declared : "") + " bytes ("
                    + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()) + ")";
            return end(() -> listener.gone(why));
        }
        int n = chunk.remaining();
        if ((long) size + n > limits.maxBytes()) {
            return end(() -> listener.refused(new Refused(HttpStatus.PAYLOAD_TOO_LARGE_413, "The upload is larger than "
                    + megabytes(limits.maxBytes()) + ", the most this server takes (cnnsee serve --max-upload-mb)")));
        }
        if (!makeRoom(size + n)) {
            return end(() -> listener.refused(new Refused(HttpStatus.SERVICE_UNAVAILABLE_503, "The server is busy: uploads"
                    + " in flight hold " + megabytes(budget.limit()) + ", all it gives them; try again in a few seconds", 5)));
        }
        chunk.getByteBuffer().get(bytes, size, n);
        size += n;
        if (n > 0) {
            lastArrival = System.nanoTime();
        }
        if (chunk.isLast()) {
            Body body = new Body(bytes, size, budget);
            over = true;
            watchdog.cancel();
            bytes = null;
            return () -> listener.arrived(body);
        }
        return null;
    }

    /** Grows the array to hold {@code needed} bytes, doubling up to the declared length, taking the growth from the budget. */
    private boolean makeRoom(int needed) {
        if (needed <= bytes.length) {
            return true;
        }
        long most = declared >= 0 ? Math.min(declared, limits.maxBytes()) : limits.maxBytes();
        int capacity = (int) Math.max(needed, Math.min(most, Math.max(FIRST_CAPACITY, 2L * bytes.length)));
        if (!budget.tryTake(capacity - bytes.length)) {
            return false;
        }
        bytes = Arrays.copyOf(bytes, capacity);
        return true;
    }

    /** Ends the upload short of its body: the bytes go back to the budget. */
    private Runnable end(Runnable tell) {
        over = true;
        watchdog.cancel();
        budget.giveBack(bytes.length);
        bytes = null;
        return tell;
    }

    /** Every tick: ends the upload when it has stalled or trickles below the rate. */
    private void watch() {
        Runnable end = null;
        synchronized (this) {
            if (over) {
                return;
            }
            long now = System.nanoTime();
            long elapsed = now - start;
            if (now - lastArrival >= limits.stall().toNanos()) {
                end = end(() -> listener.refused(stalled(now)));
            } else if (elapsed >= limits.grace().toNanos() && size * 1e9 / elapsed < limits.minBytesPerSecond()) {
                String message = String.format(Locale.ROOT, "The upload is too slow: %d bytes in %.0f s; this server needs"
                        + " at least %d bytes a second after the first %d s. Send the picture again over a faster"
                        + " connection", size, elapsed / 1e9, limits.minBytesPerSecond(), limits.grace().toSeconds());
                end = end(() -> listener.refused(new Refused(HttpStatus.REQUEST_TIMEOUT_408, message)));
            } else {
                watchdog = scheduler.schedule(this::watch, tick(), TimeUnit.MILLISECONDS);
            }
        }
        if (end != null) {
            end.run();
        }
    }

    private Refused stalled(long now) {
        return new Refused(HttpStatus.REQUEST_TIMEOUT_408, String.format(Locale.ROOT, "The upload stopped: %d%s bytes"
                + " came, then nothing for %.0f s. Send the picture again", size, declared >= 0 ? " of " + declared : "",
                (now - lastArrival) / 1e9));
    }

    private long tick() {
        return Math.max(10, Math.min(1000, limits.stall().toMillis() / 4));
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
