package io.cnnsee.dl4j.engine.onednn;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * One direction of a plan as it is lowered: runs of oneDNN steps and, between them, work on the
 * host (a layer its framework runs); every run of steps it opens is added to {@code owners}, which
 * frees them.
 */
final class Stages {

    private final engine cpu;
    private final List<OnednnSteps> owners;
    private final List<Runnable> stages = new ArrayList<>();
    private OnednnSteps steps;

    Stages(engine cpu, List<OnednnSteps> owners) {
        this.cpu = cpu;
        this.owners = owners;
        open();
    }

    /** The run of steps being written. */
    OnednnSteps steps() {
        return steps;
    }

    /** Ends the run of steps, adds {@code host} after it, and opens the next run. */
    void host(Runnable host) {
        close();
        stages.add(host);
        open();
    }

    /** Ends the last run; the stages, in order. */
    List<Runnable> finish() {
        close();
        return List.copyOf(stages);
    }

    private void open() {
        steps = new OnednnSteps(cpu);
        owners.add(steps);
    }

    private void close() {
        steps.seal();
        OnednnSteps s = steps;
        stages.add(() -> {
            s.run();
            s.await();
        });
    }

    static memory.desc tagged(long[] dims, memory.format_tag tag) {
        return new memory.desc(dims, memory.data_type.f32, tag);
    }

    /** Channel-major {@code [n, c, h, w]} or {@code [n, c]}: how values enter and leave a plan. */
    static memory.desc plain(long[] dims) {
        return tagged(dims, dims.length == 2 ? memory.format_tag.nc : memory.format_tag.nchw);
    }

    static long size(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }
}
