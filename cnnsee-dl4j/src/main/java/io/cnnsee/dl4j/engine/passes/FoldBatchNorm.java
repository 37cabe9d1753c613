package io.cnnsee.dl4j.engine.passes;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.graph.Tensor;

import java.util.Optional;
import java.util.Set;

/**
 * A batch normalisation after a convolution folded into its kernel and bias: {@code s (W x + b) + t}
 * is the convolution with kernel {@code s W} and bias {@code s b + t}, per output channel. Exact
 * forward and backward, since both are affine.
 */
final class FoldBatchNorm {

    private FoldBatchNorm() {
    }

    public static Graph apply(Graph g, Set<Integer> kept) {
        return Fusion.apply(g, kept, (n, next, graph) -> {
            if (!Fusion.plainConv(n) || !(next.op() instanceof Op.ChannelAffine bn)) {
                return Optional.empty();
            }
            Op.Conv c = (Op.Conv) n.op();
            long out = c.weights().dims()[0];
            Tensor bias = c.bias() != null ? c.bias() : Tensor.of(new long[] {out}, new float[(int) out]);
            Op.Conv folded = c.withWeights(c.weights().scaledAlongFirst(bn.scale()), bias.affine(bn.scale(), bn.shift()));
            return Optional.of(n.fusedWith(next, folded, n.inputs()));
        });
    }
}
