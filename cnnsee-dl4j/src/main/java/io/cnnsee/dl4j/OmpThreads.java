package io.cnnsee.dl4j;

import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.function.Supplier;

/**
 * OpenMP's thread count, a setting of each calling thread (set through ND4J), which oneDNN's
 * primitives follow: both when they run and when they are made.
 */
final class OmpThreads {

    private OmpThreads() {
    }

    /** The calling thread's OpenMP thread count. */
    static int current() {
        return ops().ompGetMaxThreads();
    }

    /** Runs {@code work} with {@code threads} OpenMP threads for the calling thread, then sets back what it had. */
    static <T> T with(int threads, Supplier<T> work) {
        NativeOps ops = ops();
        int before = ops.ompGetMaxThreads();
        ops.setOmpNumThreads(threads);
        try {
            return work.get();
        } finally {
            ops.setOmpNumThreads(before);
        }
    }

    static void with(int threads, Runnable work) {
        with(threads, () -> {
            work.run();
            return null;
        });
    }

    private static NativeOps ops() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }
}
