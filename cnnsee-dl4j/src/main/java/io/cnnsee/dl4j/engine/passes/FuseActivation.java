package io.cnnsee.dl4j.engine.passes;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Op;

import java.util.Optional;
import java.util.Set;

/**
 * An activation taken into the convolution, dense layer or element-wise combination before it
 * (oneDNN's eltwise post-op). In a pass that is differentiated, only an activation whose
 * derivative follows from its output: the fused step keeps no value before the activation.
 */
final class FuseActivation {

    private FuseActivation() {
    }

    public static Graph apply(Graph g, Set<Integer> kept, boolean differentiated) {
        return Fusion.apply(g, kept, (n, next, graph) -> {
            if (!(next.op() instanceof Op.Eltwise e) || differentiated && !e.activation().differentiableFromOutput()) {
                return Optional.empty();
            }
            Op fused = null;
            if (n.op() instanceof Op.Conv c && c.activation().identity()) {
                fused = c.withActivation(e.activation());
            } else if (n.op() instanceof Op.Dense d && d.activation().identity()) {
                fused = d.withActivation(e.activation());
            } else if (n.op() instanceof Op.Combine c && c.activation().identity() && c.kind() != Op.Combine.Kind.AVERAGE) {
                fused = new Op.Combine(c.kind(), e.activation());
            }
            return Optional.ofNullable(fused).map(f -> n.fusedWith(next, f, n.inputs()));
        });
    }
}
