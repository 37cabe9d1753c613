package io.cnnsee.dl4j.engine.onednn;

import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.function.Supplier;

/**
 * OpenMP's thread count, a setting of each calling thread (set through ND4J), which oneDNN's
 * primitives follow: both when they run and when they are made.
 */
public final class OmpThreads {

    private OmpThreads() {
    }

    /** The calling thread's OpenMP thread count. */
    public static int current() {
        return ops().ompGetMaxThreads();
    }

    /** Runs {@code work} with {@code threads} OpenMP threads for the calling thread, then sets back what it had. */
    public static <T> T with(int threads, Supplier<T> work) {
        NativeOps ops = ops();
        int before = ops.ompGetMaxThreads();
        ops.setOmpNumThreads(threads);
        try {
            return work.get();
        } finally {
            ops.setOmpNumThreads(before);
        }
    }

    public static void with(int threads, Runnable work) {
        with(threads, () -> {
            work.run();
            return null;
        });
    }

    private static NativeOps ops() {
        org.nd4j.linalg.factory.Nd4j.getBackend(); // ND4J's natives, whose OpenMP oneDNN shares, load with its backend
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }
}
