package io.cnnsee.dl4j.engine.passes;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the fusion passes share: a node taken into the one node that reads it, where nothing else
 * needs its output. The fused node stands where the reader stood, with the reader's id.
 */
final class Fusion {

    private Fusion() {
    }

    /** The one node that reads {@code id}, when {@code id} is not kept (read, seeded or differentiated). */
    static Optional<Node> soleConsumer(Graph g, int id, Set<Integer> kept) {
        List<Integer> c = g.consumers(id);
        if (kept.contains(id) || c.size() != 1) {
            return Optional.empty();
        }
        return Optional.of(g.node(c.get(0)));
    }

    /** A rule: for a node and its sole consumer, the fused node, or empty to leave both. */
    interface Rule {
        Optional<Node> fuse(Node node, Node consumer, Graph g);
    }

    /** The graph with every pair {@code rule} fuses fused, one step each (chains take several passes). */
    static Graph apply(Graph g, Set<Integer> kept, Rule rule) {
        Map<Integer, Node> replaced = new HashMap<>();
        Set<Integer> dropped = new HashSet<>();
        for (Node n : g.nodes()) {
            if (dropped.contains(n.id()) || replaced.containsKey(n.id())) {
                continue;
            }
            Optional<Node> consumer = soleConsumer(g, n.id(), kept);
            if (consumer.isEmpty() || replaced.containsKey(consumer.get().id())) {
                continue;
            }
            Optional<Node> fused = rule.fuse(n, consumer.get(), g);
            if (fused.isPresent()) {
                dropped.add(n.id());
                replaced.put(consumer.get().id(), fused.get());
            }
        }
        if (replaced.isEmpty()) {
            return g;
        }
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!dropped.contains(n.id())) {
                out.add(replaced.getOrDefault(n.id(), n));
            }
        }
        return new Graph(out);
    }

    static boolean plainConv(Node n) {
        return n.op() instanceof Op.Conv c && !c.addsSecondInput() && c.activation().identity();
    }
}
