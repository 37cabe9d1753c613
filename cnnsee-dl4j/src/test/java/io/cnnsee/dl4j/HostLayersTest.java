package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.dl4j.engine.frontend.Dl4jGraphReader;
import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.graph.Shape;
import io.cnnsee.dl4j.engine.onednn.CompiledNetwork;
import io.cnnsee.dl4j.engine.onednn.Plan;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static io.cnnsee.dl4j.Dl4jModelTest.assertClose;
import static io.cnnsee.dl4j.ReferenceCnn.doubles;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of vertex run by Deeplearning4j between compiled steps, as a layer the compiler does
 * not translate (or oneDNN refuses) is: the network of every translated layer with each vertex
 * made a host node gives, forward and backward, for a batch of two pictures, what the compiled
 * network gives.
 */
class HostLayersTest {

    static {
        NativeBuild.select();
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void everyKindOfVertexRunsForwardAndBackwardOnDeeplearning4jAsCompiled(CNN2DFormat format) {
        ComputationGraph graph = CompiledGraphTest.everyLayer(format);
        Dl4jModel model = Dl4jModels.of(graph, ImageInput.preset("torch", 11, 13));
        var shape = model.inputShape();
        io.cnnsee.dl4j.engine.graph.Network front = Dl4jGraphReader.read(graph, model.types(), Shape.map(shape.channels(), shape.height(), shape.width()));
        Graph hosted = everyVertexOnItsHost(graph, front);
        assertThat(hosted.nodes()).filteredOn(n -> n.op() instanceof Op.Host).hasSize(graph.getVertices().length - 1);

        Set<Integer> reads = new java.util.HashSet<>();
        for (GraphVertex v : graph.getVertices()) {
            if (!v.isInputVertex()) {
                reads.add(v.getVertexIndex());
            }
        }
        // Seeds below the output layer, which Deeplearning4j differentiates from labels only.
        Set<Integer> seeds = Set.of(index(graph, "both"), index(graph, "c3"));
        Set<Integer> wanted = Set.of(front.graph().input(), index(graph, "dw"), index(graph, "cat"), index(graph, "bn"),
                index(graph, "relu6"));
        SplittableRandom random = new SplittableRandom(3);
        List<float[]> pictures = List.of(values(random, shape.size()), values(random, shape.size()));
        try (CompiledNetwork compiled = CompiledNetwork.of(front.graph(), front.hosts(), "compiled", false, 1).orElseThrow();
             CompiledNetwork host = CompiledNetwork.of(hosted, front.hosts(), "on Deeplearning4j", false, 1).orElseThrow()) {
            assertThat(host.fallbacks()).hasSize(reads.size());
            Plan a = compiled.gradients(2, reads, seeds, wanted);
            Plan b = host.gradients(2, reads, seeds, wanted);
            for (int p = 0; p < 2; p++) {
                a.input(p, pictures.get(p));
                b.input(p, pictures.get(p));
            }
            a.forward();
            b.forward();
            for (int node : reads) {
                for (int p = 0; p < 2; p++) {
                    assertClose(read(b, node, p, hosted), doubles(read(a, node, p, hosted)), name(graph, node) + " picture " + p);
                }
            }
            a.clearSeeds();
            b.clearSeeds();
            for (int node : seeds) {
                for (int p = 0; p < 2; p++) {
                    float[] seed = values(random, (int) hosted.node(node).shape().size());
                    a.seed(node, p, seed);
                    b.seed(node, p, seed);
                }
            }
            a.backward();
            b.backward();
            for (int node : wanted) {
                for (int p = 0; p < 2; p++) {
                    float[] g = new float[(int) hosted.node(node).shape().size()];
                    float[] h = new float[g.length];
                    a.gradient(node, p, g);
                    b.gradient(node, p, h);
                    assertClose(h, doubles(g), "gradient at " + name(graph, node) + " picture " + p);
                }
            }
        }
    }

    /** The graph with each vertex one host node, reading the vertices it reads. */
    private static Graph everyVertexOnItsHost(ComputationGraph graph, io.cnnsee.dl4j.engine.graph.Network front) {
        List<Node> nodes = new ArrayList<>();
        for (Node n : front.graph().nodes()) {
            GraphVertex v = n.id() < graph.getVertices().length ? graph.getVertices()[n.id()] : null;
            if (n.op() instanceof Op.Input) {
                nodes.add(n);
            } else if (v != null) {
                List<Integer> inputs = java.util.Arrays.stream(v.getInputVertices()).map(i -> i.getVertexIndex()).collect(Collectors.toList());
                nodes.add(new Node(n.id(), new Op.Host(front.hosts().get(n.id()), "made a host node by the test"), inputs, n.shape(),
                        List.of(v.getVertexName())));
            }
        }
        return new Graph(nodes);
    }

    private static int index(ComputationGraph graph, String name) {
        return graph.getVertex(name).getVertexIndex();
    }

    private static String name(ComputationGraph graph, int node) {
        return node < graph.getVertices().length ? graph.getVertices()[node].getVertexName() : "node " + node;
    }

    private static float[] read(Plan plan, int node, int picture, Graph graph) {
        float[] v = new float[(int) graph.node(node).shape().size()];
        plan.read(node, picture, v);
        return v;
    }

    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }
}
