package io.cnnsee.dl4j.engine.passes;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;

import java.util.ArrayList;
import java.util.List;

/**
 * Asks for Winograd's algorithm where it pays: 3 x 3 kernels, stride 1, no dilation, not grouped
 * (fewer multiplications, at the price of transformed kernels made once). oneDNN may still refuse
 * a layer (its channels, the processor); that layer then runs direct.
 */
public final class ChooseWinograd {

    private ChooseWinograd() {
    }

    public static Graph apply(Graph g, boolean wanted) {
        if (!wanted) {
            return g;
        }
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            out.add(n.op() instanceof Op.Conv c && suits(c) ? n.with(c.withWinograd(true)) : n);
        }
        return new Graph(out);
    }

    static boolean suits(Op.Conv c) {
        int[] k = c.kernel();
        return k[0] == 3 && k[1] == 3 && c.stride()[0] == 1 && c.stride()[1] == 1 && c.dilation()[0] == 1
                && c.dilation()[1] == 1 && c.groups() == 1;
    }
}
