package io.cnnsee.dl4j.engine.passes;

import io.cnnsee.dl4j.engine.graph.Graph;

import java.util.Collection;
import java.util.Set;

/**
 * The passes, in their order: keep what the outputs need; fold batch norms; fuse residual sums,
 * then activations; reuse sums' memory; choose Winograd. Each is a class of its own.
 */
public final class Passes {

    private Passes() {
    }

    /**
     * The graph to lower for a pass that must produce the nodes {@code kept} (read, seeded or
     * differentiated), differentiated or not.
     */
    public static Graph run(Graph g, Collection<Integer> ends, Set<Integer> kept, boolean differentiated, boolean winograd) {
        Graph out = g.upTo(ends);
        out = FoldBatchNorm.apply(out, kept);
        out = FuseResidualAdd.apply(out, kept);
        out = FuseActivation.apply(out, kept, differentiated);
        out = InPlaceSums.apply(out, differentiated);
        return ChooseWinograd.apply(out, winograd);
    }
}
