package io.cnnsee.serve;

import org.eclipse.jetty.http.HttpStatus;

import java.io.IOException;
import java.util.concurrent.Semaphore;

/**
 * Passes through the shared model: a few run at once, the rest wait their turn in order, and
 * past a queue's length they are refused at once (503), so that requests waiting for the model
 * never take every thread of the server and leave none for the page.
 */
final class Passes {

    private final Semaphore running;
    private final Semaphore admitted;
    private final int waiting;

    /**
     * @param atOnce  passes that run at the same time
     * @param waiting passes that may wait for their turn besides
     */
    Passes(int atOnce, int waiting) {
        this.running = new Semaphore(atOnce, true);
        this.admitted = new Semaphore(atOnce + waiting);
        this.waiting = waiting;
    }

    <T> T run(Pass<T> pass) throws IOException, InterruptedException {
        if (!admitted.tryAcquire()) {
            throw new Refused(HttpStatus.SERVICE_UNAVAILABLE_503, "The server is busy: " + waiting
                    + " requests are already waiting for the model; try again in a few seconds", 2);
        }
        try {
            running.acquire();
            try {
                return pass.run();
            } finally {
                running.release();
            }
        } finally {
            admitted.release();
        }
    }

    /** Whether a pass is waiting for its turn: for tests. */
    boolean anyWaiting() {
        return running.hasQueuedThreads();
    }

    /** Work on the model. */
    interface Pass<T> {
        T run() throws IOException;
    }
}
