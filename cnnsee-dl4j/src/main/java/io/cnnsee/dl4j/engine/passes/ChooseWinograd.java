package io.cnnsee.dl4j.engine.passes;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;

import java.util.ArrayList;
import java.util.List;

/**
 * Asks for Winograd's algorithm where it pays: 3 x 3 kernels, stride 1, no dilation, not grouped,
 * and large enough that fewer multiplications outweigh the transforms of every tile, at least
 * {@link #WORTH} multiply-adds a picture. VGG16's 13 convolutions all are (from 0.46 G each), at
 * about half the time of direct ones; the zoo ResNet50's 3 x 3 convolutions are not (0.03 G each),
 * and ran slower with it (docs/engine.md). oneDNN may still refuse a layer (its channels, the
 * processor); that layer then runs direct.
 */
final class ChooseWinograd {

    /** Multiply-adds a picture from which a convolution takes Winograd's algorithm. */
    static final long WORTH = 100_000_000L;

    private ChooseWinograd() {
    }

    public static Graph apply(Graph g, boolean wanted) {
        if (!wanted) {
            return g;
        }
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            out.add(n.op() instanceof Op.Conv c && suits(c) && multiplyAdds(n, c) >= WORTH ? n.with(c.withWinograd(true)) : n);
        }
        return new Graph(out);
    }

    static boolean suits(Op.Conv c) {
        int[] k = c.kernel();
        return k[0] == 3 && k[1] == 3 && c.stride()[0] == 1 && c.stride()[1] == 1 && c.dilation()[0] == 1
                && c.dilation()[1] == 1 && c.groups() == 1;
    }

    private static long multiplyAdds(Node n, Op.Conv c) {
        long[] w = c.weights().dims();
        return n.shape().size() * w[1] * w[2] * w[3];
    }
}
