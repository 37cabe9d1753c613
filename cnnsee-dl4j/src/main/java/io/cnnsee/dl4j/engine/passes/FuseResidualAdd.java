package io.cnnsee.dl4j.engine.passes;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Op;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A convolution whose one reader adds it to another node takes the sum in (oneDNN's sum post-op):
 * ResNet's shortcut. The fused node reads the convolution's input and the other addend.
 */
final class FuseResidualAdd {

    private FuseResidualAdd() {
    }

    public static Graph apply(Graph g, Set<Integer> kept) {
        return Fusion.apply(g, kept, (n, next, graph) -> {
            if (!Fusion.plainConv(n) || !(next.op() instanceof Op.Combine add) || add.kind() != Op.Combine.Kind.ADD
                    || !add.activation().identity() || next.inputs().size() != 2
                    || next.inputs().get(0).equals(next.inputs().get(1))) {
                return Optional.empty();
            }
            int other = next.inputs().get(0) == n.id() ? next.inputs().get(1) : next.inputs().get(0);
            Op.Conv fused = ((Op.Conv) n.op()).withAdd(false);
            return Optional.of(n.fusedWith(next, fused, List.of(n.inputs().get(0), other)));
        });
    }
}
