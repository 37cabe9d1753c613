package io.cnnsee.dl4j.engine.graph;

import java.util.List;
import java.util.Objects;

/**
 * One step of a {@link Graph}: its op, the ids of its inputs, the shape it puts out per picture,
 * and the names of the network's layers it computes (several once passes fuse them; the last is
 * the one whose output it is).
 */
public record Node(int id, Op op, List<Integer> inputs, Shape shape, List<String> layers) {

    public Node {
        Objects.requireNonNull(op, "op");
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(shape, "shape");
        layers = List.copyOf(layers);
    }

    public static Node of(int id, String layer, Op op, List<Integer> inputs, Shape shape) {
        return new Node(id, op, inputs, shape, List.of(layer));
    }

    /** The name of the layer whose output this is. */
    public String name() {
        return layers.get(layers.size() - 1);
    }

    /** Every layer it computes, joined by "+". */
    public String description() {
        return String.join("+", layers);
    }

    public Node with(Op newOp) {
        return new Node(id, newOp, inputs, shape, layers);
    }

    /** This node taking in {@code next}, which consumes it: {@code next}'s id, shape and output. */
    public Node fusedWith(Node next, Op newOp, List<Integer> newInputs) {
        List<String> all = new java.util.ArrayList<>(layers);
        for (String l : next.layers()) {
            if (!l.equals(all.get(all.size() - 1))) {
                all.add(l);
            }
        }
        return new Node(next.id(), newOp, newInputs, next.shape(), all);
    }
}
