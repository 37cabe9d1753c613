package io.cnnsee.dl4j.engine.onednn;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.onednn.ForwardLowering.Lowered;
import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.Pointer;

import java.util.List;

/**
 * A network lowered for a number of pictures and a set of nodes to read: a forward pass and, for
 * gradients, the way back from seeded nodes to wanted ones. Values enter and leave channel-major
 * per picture ({@code c, y, x}). Not thread-safe: {@link #input}, {@link #forward}, {@link #read},
 * then {@link #seed}, {@link #backward} and {@link #gradient}, from one thread at a time.
 */
public final class Plan implements AutoCloseable {

    private final Graph graph;
    private final Lowered lowered;

    Plan(Graph graph, Lowered lowered) {
        this.graph = graph;
        this.lowered = lowered;
    }

    public int pictures() {
        return lowered.pictures;
    }

    /** Writes picture {@code picture}'s input. */
    public void input(int picture, float[] values) {
        write(lowered.input, graph.node(graph.input()).shape().size(), picture, values, "input");
    }

    public void forward() {
        lowered.forward.forEach(Runnable::run);
    }

    /** Copies picture {@code picture}'s output of node {@code node} from the last {@link #forward}. */
    public void read(int node, int picture, float[] target) {
        copy(lowered.reads.get(node), node, picture, target, "read by this plan");
    }

    /** Sets every seed of every picture to zero. */
    public void clearSeeds() {
        for (memory m : lowered.seeds.values()) {
            Pointer.memset(new Pointer(m.get_data_handle()), 0, m.get_desc().get_size());
        }
    }

    /** Writes picture {@code picture}'s gradient with respect to node {@code node}'s output, where the way back starts. */
    public void seed(int node, int picture, float[] values) {
        memory m = lowered.seeds.get(node);
        if (m == null) {
            throw new IllegalArgumentException("node " + node + " is not a seed of this plan; its seeds: " + lowered.seeds.keySet());
        }
        write(m, graph.node(node).shape().size(), picture, values, graph.node(node).name() + "'s seed");
    }

    /** Runs the way back from the seeds, after a {@link #forward}. */
    public void backward() {
        if (lowered.backward.isEmpty()) {
            throw new IllegalStateException("this plan has no backward pass: it was made for reading alone");
        }
        lowered.backward.forEach(Runnable::run);
    }

    /** Copies picture {@code picture}'s gradient with respect to node {@code node}'s output, from the last {@link #backward}. */
    public void gradient(int node, int picture, float[] target) {
        copy(lowered.gradients.get(node), node, picture, target, "differentiated by this plan");
    }

    /** Bytes of the memory the plan holds for its values and gradients. */
    public long bytes() {
        return lowered.owners.stream().mapToLong(OnednnSteps::bytes).sum();
    }

    /** What oneDNN runs for each step, e.g. "res2a_branch2a+bn2a_branch2a: brgconv_1x1:avx512_core". */
    public List<String> implementations() {
        return lowered.owners.stream().flatMap(s -> s.implementations().stream()).toList();
    }

    private void write(memory m, long per, int picture, float[] values, String what) {
        if (values.length != per || picture < 0 || picture >= lowered.pictures) {
            throw new IllegalArgumentException(values.length + " values for picture " + picture + " of " + what + ", which takes "
                    + per + " per picture for " + lowered.pictures + " pictures");
        }
        OnednnSteps.floats(m).position(picture * per).put(values);
    }

    private void copy(memory m, int node, int picture, float[] target, String what) {
        long per = graph.has(node) ? graph.node(node).shape().size() : -1;
        if (m == null || target.length != per || picture < 0 || picture >= lowered.pictures) {
            throw new IllegalArgumentException("node " + node + " is not " + what + ", or not as " + target.length
                    + " values of picture " + picture);
        }
        OnednnSteps.floats(m).position(picture * per).get(target);
    }

    @Override
    public void close() {
        for (int i = lowered.owners.size() - 1; i >= 0; i--) {
            lowered.owners.get(i).close();
        }
        lowered.owners.clear();
    }
}
