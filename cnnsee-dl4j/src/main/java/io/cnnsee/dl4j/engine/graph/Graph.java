package io.cnnsee.dl4j.engine.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The compiler's graph: nodes in an order where each comes after its inputs, one input node.
 * Immutable; passes make new graphs.
 */
public final class Graph {

    private final Map<Integer, Node> nodes = new LinkedHashMap<>();
    private final Map<Integer, List<Integer>> consumers = new HashMap<>();
    private final int input;

    public Graph(List<Node> ordered) {
        Integer in = null;
        for (Node n : ordered) {
            for (int i : n.inputs()) {
                if (!nodes.containsKey(i)) {
                    throw new IllegalArgumentException(n.name() + " reads node " + i + ", which does not come before it");
                }
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n.id());
            }
            if (nodes.put(n.id(), n) != null) {
                throw new IllegalArgumentException("Two nodes have id " + n.id());
            }
            if (n.op() instanceof Op.Input) {
                if (in != null) {
                    throw new IllegalArgumentException("A graph has one input; " + n.name() + " is a second");
                }
                in = n.id();
            }
        }
        if (in == null) {
            throw new IllegalArgumentException("A graph needs an input node");
        }
        this.input = in;
    }

    public int input() {
        return input;
    }

    public Node node(int id) {
        Node n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("No node " + id);
        }
        return n;
    }

    public boolean has(int id) {
        return nodes.containsKey(id);
    }

    /** Every node, each after its inputs. */
    public Collection<Node> nodes() {
        return nodes.values();
    }

    /** The nodes that read {@code id}'s output, in order. */
    public List<Integer> consumers(int id) {
        return consumers.getOrDefault(id, List.of());
    }

    /** The ids of {@code ends} and of every node they depend on. */
    public Set<Integer> ancestors(Collection<Integer> ends) {
        Set<Integer> seen = new HashSet<>();
        List<Integer> todo = new ArrayList<>(ends);
        while (!todo.isEmpty()) {
            int id = todo.remove(todo.size() - 1);
            if (seen.add(id)) {
                todo.addAll(node(id).inputs());
            }
        }
        return seen;
    }

    /** The graph of {@code ends} and what they depend on. */
    public Graph upTo(Collection<Integer> ends) {
        Set<Integer> keep = ancestors(ends);
        keep.add(input);
        return new Graph(nodes.values().stream().filter(n -> keep.contains(n.id())).toList());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Node n : nodes.values()) {
            s.append(n.id()).append(' ').append(n.description()).append(": ").append(n.op().getClass().getSimpleName())
                    .append(n.inputs()).append(" -> ").append(n.shape()).append('\n');
        }
        return s.toString();
    }
}
