package io.cnnsee.dl4j.engine.passes;

import io.cnnsee.dl4j.engine.graph.Activation;
import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.graph.Shape;
import io.cnnsee.dl4j.engine.graph.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Each pass alone, on graphs built by hand so that the right result is plain. */
class PassesTest {

    private static final Shape MAP = Shape.map(2, 4, 4);
    private static final int[] ONE = {1, 1};
    private static final int[] ZERO = {0, 0};

    private static Node input() {
        return Node.of(0, "in", new Op.Input(), List.of(), MAP);
    }

    /** A 1 x 1 convolution from 2 channels to 2: kernel [[1, 2], [3, 4]], bias [0.5, -1]. */
    private static Op.Conv conv() {
        return Op.Conv.of(Tensor.of(new long[] {2, 2, 1, 1}, new float[] {1, 2, 3, 4}), Tensor.of(new long[] {2}, new float[] {0.5f, -1}),
                1, ONE, ONE, ZERO, ZERO);
    }

    @Test
    void aBatchNormAfterAConvolutionIsFoldedIntoItsKernelAndBias() {
        Graph g = new Graph(List.of(input(), Node.of(1, "c", conv(), List.of(0), MAP),
                Node.of(2, "bn", new Op.ChannelAffine(new float[] {3, -1}, new float[] {1, 2}), List.of(1), MAP)));
        Graph folded = FoldBatchNorm.apply(g, Set.of(2));
        assertThat(folded.nodes()).extracting(Node::id).containsExactly(0, 2);
        Node n = folded.node(2);
        assertThat(n.description()).isEqualTo("c+bn");
        Op.Conv c = (Op.Conv) n.op();
        assertThat(c.weights().values()).containsExactly(3, 6, -3, -4);
        assertThat(c.bias().values()).containsExactly(2.5f, 3f);
        // The same fold twice is one kernel to the plans that keep kernels.
        assertThat(((Op.Conv) FoldBatchNorm.apply(g, Set.of(2)).node(2).op()).weights().key()).isEqualTo(c.weights().key());

        assertThat(FoldBatchNorm.apply(g, Set.of(1, 2)).nodes()).as("the convolution is read: nothing folds").hasSize(3);
        Graph activated = new Graph(List.of(input(), Node.of(1, "c", conv().withActivation(Activation.RELU), List.of(0), MAP),
                Node.of(2, "bn", new Op.ChannelAffine(new float[] {3, -1}, new float[] {1, 2}), List.of(1), MAP)));
        assertThat(FoldBatchNorm.apply(activated, Set.of()).nodes()).as("a ReLU between: nothing folds").hasSize(3);
    }

    @Test
    void aConvolutionAddedToAnotherNodeTakesTheSumIn() {
        Graph g = new Graph(List.of(input(), Node.of(1, "c", conv(), List.of(0), MAP),
                Node.of(2, "add", new Op.Combine(Op.Combine.Kind.ADD, Activation.IDENTITY), List.of(1, 0), MAP)));
        Graph fused = FuseResidualAdd.apply(g, Set.of(2));
        Node n = fused.node(2);
        assertThat(n.inputs()).containsExactly(0, 0);
        assertThat(((Op.Conv) n.op()).addsSecondInput()).isTrue();
        assertThat(n.description()).isEqualTo("c+add");

        Graph twice = new Graph(List.of(input(), Node.of(1, "c", conv(), List.of(0), MAP),
                Node.of(2, "add", new Op.Combine(Op.Combine.Kind.ADD, Activation.IDENTITY), List.of(1, 1), MAP)));
        assertThat(FuseResidualAdd.apply(twice, Set.of()).nodes()).as("a node added to itself").hasSize(3);
        Graph product = new Graph(List.of(input(), Node.of(1, "c", conv(), List.of(0), MAP),
                Node.of(2, "mul", new Op.Combine(Op.Combine.Kind.PRODUCT, Activation.IDENTITY), List.of(1, 0), MAP)));
        assertThat(FuseResidualAdd.apply(product, Set.of()).nodes()).as("a product").hasSize(3);
    }

    @Test
    void anActivationIsFusedUnlessItsGradientNeedsItsInput() {
        for (Activation a : List.of(Activation.RELU, new Activation(Activation.Kind.SWISH, 1f, 0f))) {
            Graph g = new Graph(List.of(input(), Node.of(1, "c", conv(), List.of(0), MAP), Node.of(2, "act", new Op.Eltwise(a), List.of(1), MAP)));
            Graph forward = FuseActivation.apply(g, Set.of(2), false);
            assertThat(forward.nodes()).extracting(Node::id).containsExactly(0, 2);
            assertThat(((Op.Conv) forward.node(2).op()).activation()).isEqualTo(a);
            Graph differentiated = FuseActivation.apply(g, Set.of(2), true);
            assertThat(differentiated.nodes()).as(a.kind() + " in a pass that is differentiated").hasSize(a.equals(Activation.RELU) ? 2 : 3);
        }
    }

    @Test
    void aSumOverwritesItsAddendOnlyWhenNothingReadsItLater() {
        Node in = input();
        Node a = Node.of(1, "a", conv(), List.of(0), MAP);
        Node sum = Node.of(3, "sum", conv().withAdd(false), List.of(0, 1), MAP);
        Node later = Node.of(4, "later", new Op.Combine(Op.Combine.Kind.ADD, Activation.IDENTITY), List.of(3, 1), MAP);
        Graph free = new Graph(List.of(in, a, sum));
        assertThat(((Op.Conv) InPlaceSums.apply(free, false).node(3).op()).overwritesAddend()).isTrue();
        assertThat(((Op.Conv) InPlaceSums.apply(free, true).node(3).op()).overwritesAddend()).as("differentiated").isFalse();
        assertThat(((Op.Conv) InPlaceSums.apply(new Graph(List.of(in, a, sum, later)), false).node(3).op()).overwritesAddend())
                .as("the addend is read after the sum").isFalse();
        Node onInput = Node.of(3, "sum", conv().withAdd(false), List.of(1, 0), MAP);
        assertThat(((Op.Conv) InPlaceSums.apply(new Graph(List.of(in, a, onInput)), false).node(3).op()).overwritesAddend())
                .as("the addend is the picture").isFalse();
        Node passed = Node.of(2, "drop", new Op.Identity(), List.of(1), MAP);
        Node viaIdentity = Node.of(3, "sum", conv().withAdd(false), List.of(0, 2), MAP);
        Node readsA = Node.of(4, "later", new Op.Eltwise(Activation.RELU), List.of(1), MAP);
        assertThat(((Op.Conv) InPlaceSums.apply(new Graph(List.of(in, a, passed, viaIdentity, readsA)), false).node(3).op())
                .overwritesAddend()).as("the memory passed on by an identity is read after the sum").isFalse();
    }

    @Test
    void winogradIsAskedForLargeThreeByThreeStrideOneUngroupedConvolutionsOnly() {
        // 64 x 64 x 64 outputs, each 64 x 3 x 3 multiply-adds: 151 M, over the threshold; the rest under it or not 3 x 3, stride 1.
        Shape big = Shape.map(64, 64, 64);
        Graph g = new Graph(List.of(Node.of(0, "in", new Op.Input(), List.of(), big),
                Node.of(1, "k3", square(3, 1, 1, 64), List.of(0), big),
                Node.of(2, "small", square(3, 1, 1, 64), List.of(1), Shape.map(64, 8, 8)),
                Node.of(3, "k3s2", square(3, 2, 1, 64), List.of(1), Shape.map(64, 32, 32)),
                Node.of(4, "k1", square(1, 1, 1, 64), List.of(1), big),
                Node.of(5, "grouped", square(3, 1, 2, 64), List.of(1), big)));
        Graph chosen = ChooseWinograd.apply(g, true);
        assertThat(chosen.nodes()).filteredOn(n -> n.op() instanceof Op.Conv c && c.winograd()).extracting(Node::name).containsExactly("k3");
        assertThat(ChooseWinograd.apply(g, false).nodes()).noneMatch(n -> n.op() instanceof Op.Conv c && c.winograd());
    }

    private static Op.Conv square(int kernel, int stride, int groups, int channels) {
        return Op.Conv.of(Tensor.of(new long[] {channels, channels / groups, kernel, kernel}, () -> new float[0]), null, groups,
                new int[] {stride, stride}, ONE, ZERO, ZERO);
    }

    @Test
    void thePipelineKeepsWhatTheOutputsNeedAndFusesTheRest() {
        Graph g = new Graph(List.of(input(), Node.of(1, "c", conv(), List.of(0), MAP),
                Node.of(2, "bn", new Op.ChannelAffine(new float[] {1, 1}, new float[] {0, 0}), List.of(1), MAP),
                Node.of(3, "relu", new Op.Eltwise(Activation.RELU), List.of(2), MAP),
                Node.of(4, "unread", new Op.Eltwise(Activation.RELU), List.of(0), MAP)));
        Graph out = Passes.run(g, Set.of(3), Set.of(3), false, false);
        assertThat(out.nodes()).extracting(Node::description).containsExactly("in", "c+bn+relu");
    }
}
