package io.cnnsee.dl4j.engine.passes;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Buffer reuse: a fused residual sum is written over its other addend's memory when nothing will
 * read that memory again, saving a copy of the addend per block. Memory is shared by a node and
 * the identities that pass it on, and by a sum written over it. Values read out of a forward
 * pass are copied as soon as they are made, so reading does not count; a pass that is
 * differentiated keeps every value for the way back and reuses nothing.
 */
final class InPlaceSums {

    private InPlaceSums() {
    }

    public static Graph apply(Graph g, boolean differentiated) {
        if (differentiated) {
            return g;
        }
        Map<Integer, Integer> position = new HashMap<>();
        Map<Integer, Integer> memoryOf = new HashMap<>(); // node -> the node whose memory holds its output
        int p = 0;
        for (Node n : g.nodes()) {
            position.put(n.id(), p++);
        }
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            Node result = n;
            if (n.op() instanceof Op.Identity) {
                memoryOf.put(n.id(), memoryOf.getOrDefault(n.inputs().get(0), n.inputs().get(0)));
            } else if (n.op() instanceof Op.Conv c && c.addsSecondInput()) {
                int addend = n.inputs().get(1);
                int memory = memoryOf.getOrDefault(addend, addend);
                if (free(g, memory, memoryOf, position, n)) {
                    result = n.with(c.withAdd(true));
                    memoryOf.put(n.id(), memory);
                }
            }
            out.add(result);
        }
        return new Graph(out);
    }

    /** Whether no holder of {@code memory} is the input or is read after {@code sum}. */
    private static boolean free(Graph g, int memory, Map<Integer, Integer> memoryOf, Map<Integer, Integer> position, Node sum) {
        int at = position.get(sum.id());
        for (Node holder : g.nodes()) {
            if (position.get(holder.id()) >= at || memoryOf.getOrDefault(holder.id(), holder.id()) != memory) {
                continue;
            }
            if (holder.op() instanceof Op.Input) {
                return false;
            }
            for (int c : g.consumers(holder.id())) {
                if (c != sum.id() && position.get(c) > at) {
                    return false;
                }
            }
        }
        return true;
    }
}
