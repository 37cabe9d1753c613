package io.cnnsee.dl4j.engine.graph;

import java.util.Map;

/**
 * What a front-end makes of a network: the compiler's graph; per node, its framework's own
 * implementation where there is one (run where oneDNN refuses the node); per softmax node read as
 * a classifier, the node of its logits (the class scores before softmax).
 */
public record Network(Graph graph, Map<Integer, HostLayer> hosts, Map<Integer, Integer> logits) {

    public Network {
        hosts = Map.copyOf(hosts);
        logits = Map.copyOf(logits);
    }
}
