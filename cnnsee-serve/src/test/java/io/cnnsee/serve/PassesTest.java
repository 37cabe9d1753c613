package io.cnnsee.serve;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Requests waiting for the model are bounded: past the queue, they are refused at once instead of taking a thread each. */
class PassesTest {

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void pastTheQueueAPassIsRefusedAtOnceWithRetryAfter() throws Exception {
        Passes passes = new Passes(1, 1);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<String> first = threads.submit(() -> passes.run(() -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "first";
            }));
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
            Future<String> second = threads.submit(() -> passes.run(() -> "second"));
            long waited = System.nanoTime();
            while (!passes.anyWaiting()) { // the second is waiting its turn
                assertThat((System.nanoTime() - waited) / 1e9).as("the second pass queued").isLessThan(5);
                Thread.sleep(5);
            }
            long start = System.nanoTime();
            Refused third = catchThrowableOfType(Refused.class, () -> passes.run(() -> "third"));
            assertThat((System.nanoTime() - start) / 1e6).isLessThan(100);
            assertThat(third.status()).isEqualTo(503);
            assertThat(third.retryAfterSeconds()).isEqualTo(2);
            assertThat(third).hasMessage("The server is busy: 1 requests are already waiting for the model; try again in a few seconds");
            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("second");
            assertThat(passes.run(() -> "after")).isEqualTo("after");
        } finally {
            threads.shutdownNow();
        }
    }
}
