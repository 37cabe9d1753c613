package io.cnnsee.dl4j;

import org.bytedeco.dnnl.memory;

import java.util.List;
import java.util.Map;

/**
 * A graph compiled for one set of vertices to read ({@link GraphCompiler}): runs of oneDNN steps
 * and, between them, any vertex that runs on Deeplearning4j ({@link Dl4jStage}); each vertex read
 * is copied out channel-major as soon as it is made. Not thread-safe.
 */
final class GraphPlan implements AutoCloseable {

    private final List<Runnable> stages;
    private final List<OnednnSteps> segments;
    private final memory input;
    private final long inputSize;
    private final Map<Integer, memory> readable;
    private final Map<Integer, Long> readSizes;

    GraphPlan(List<Runnable> stages, List<OnednnSteps> segments, memory input, long inputSize,
              Map<Integer, memory> readable, Map<Integer, Long> readSizes) {
        this.stages = List.copyOf(stages);
        this.segments = List.copyOf(segments);
        this.input = input;
        this.inputSize = inputSize;
        this.readable = Map.copyOf(readable);
        this.readSizes = Map.copyOf(readSizes);
    }

    /** Runs one picture, given channel after channel, row after row. */
    void run(float[] values) {
        if (values.length != inputSize) {
            throw new IllegalArgumentException(values.length + " input values for " + inputSize);
        }
        OnednnPass.floats(input).put(values);
        for (Runnable stage : stages) {
            stage.run();
        }
    }

    /** Copies vertex {@code vertex}'s output from the last {@link #run} into {@code target}: channel-major, or a flat vector. */
    void read(int vertex, float[] target) {
        memory m = readable.get(vertex);
        if (m == null || target.length != readSizes.get(vertex)) {
            throw new IllegalStateException("vertex " + vertex + " is not read by this plan, or not as " + target.length + " values");
        }
        OnednnPass.floats(m).get(target);
    }

    /** What oneDNN runs for each step, e.g. "res2a_branch2a: brgconv_1x1:avx512_core". */
    List<String> implementations() {
        return segments.stream().flatMap(s -> s.implementations().stream()).toList();
    }

    @Override
    public void close() {
        segments.forEach(OnednnSteps::close);
    }
}
