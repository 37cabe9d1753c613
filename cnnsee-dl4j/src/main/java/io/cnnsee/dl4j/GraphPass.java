package io.cnnsee.dl4j;

import io.cnnsee.dl4j.engine.frontend.BatchNormAffine;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One forward pass through a Deeplearning4j {@link ComputationGraph}, vertex by vertex in
 * topological order, keeping every output; then, on request, the backward pass of gradients
 * seeded at some vertices' outputs (a class score's, a channel's) down to a given vertex. Not thread-safe: the caller
 * holds the graph's lock from {@link #forward} to the last {@link #backward}.
 *
 * <p>Runs without workspaces, so that each vertex keeps its input for the backward pass.
 * Deeplearning4j's layers differentiate the training-time computation; two differ at inference
 * and are differentiated here instead: batch normalisation (constant statistics, so the gradient
 * is {@code gamma / sqrt(var + eps)} per channel) and dropout (the identity).
 */
final class GraphPass {

    private final ComputationGraph graph;
    private final int[] order;
    /** Position of each vertex (by index) in {@link #order}. */
    private final int[] position;
    private final Map<Integer, INDArray> outputs = new HashMap<>();
    private final LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
    private int ranUpTo = -1;

    GraphPass(ComputationGraph graph) {
        this.graph = graph;
        this.order = graph.topologicalSortOrder();
        this.position = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            position[order[i]] = i;
        }
    }

    /** Position of {@code vertexIndex} in topological order. */
    int positionOf(int vertexIndex) {
        return position[vertexIndex];
    }

    /** Runs {@code input} (the network's single input) through the graph up to position {@code last}. */
    void forward(INDArray input, int last) {
        graph.setInputs(input);
        GraphVertex[] vertices = graph.getVertices();
        for (int p = 0; p <= last; p++) {
            GraphVertex v = vertices[order[p]];
            INDArray out;
            if (v.isInputVertex()) {
                out = input;
            } else {
                VertexIndices[] from = v.getInputVertices();
                for (int i = 0; i < from.length; i++) {
                    // A copy: at inference some layers (activation layers among them) work in place on their input.
                    v.setInput(i, outputs.get(from[i].getVertexIndex()).dup(), workspaces);
                }
                out = v.doForward(false, workspaces);
                if (v.hasLayer() && v.getLayer() instanceof org.deeplearning4j.nn.layers.ActivationLayer) {
                    // It wrote its output over its input; the backward pass and the class score need the input.
                    v.setInput(0, outputs.get(from[0].getVertexIndex()).dup(), workspaces);
                }
            }
            outputs.put(v.getVertexIndex(), out);
        }
        ranUpTo = last;
    }

    /** The output of vertex {@code vertexIndex} from the last {@link #forward}. */
    INDArray output(int vertexIndex) {
        INDArray out = outputs.get(vertexIndex);
        if (out == null) {
            throw new IllegalStateException("Vertex " + graph.getVertices()[vertexIndex].getVertexName() + " was not run");
        }
        return out;
    }

    /**
     * The gradient of the classifier's score for {@code classIndex} (before softmax) with respect
     * to the output of the classifier's input vertex: the seed of a class's backward pass.
     *
     * @param classifier the vertex whose activation is the softmax (a dense, output, activation or loss layer)
     */
    INDArray logitSeed(LayerVertex classifier, int classIndex) {
        INDArray in = classifier.getInputs()[0];
        Layer layer = classifier.getLayer();
        INDArray start;
        INDArray weights = layer.numParams() > 0 ? layer.getParam("W") : null;
        if (weights != null) {
            // logits = input . W + b: the derivative of logit c is column c of W, [nIn] as a row.
            start = weights.getColumn(classIndex).reshape(1, weights.size(0)).castTo(in.dataType());
        } else {
            // An activation or loss layer: its input is the logits.
            start = Nd4j.zeros(in.dataType(), 1, in.length());
            start.putScalar(0, classIndex, 1.0);
        }
        if (classifier.getLayerPreProcessor() != null) {
            start = classifier.getLayerPreProcessor().backprop(start, 1, workspaces);
        }
        return start;
    }

    /**
     * Backpropagates {@code seeds} (gradients with respect to vertices' outputs, by vertex index)
     * down to position {@code downTo}, and returns the gradients with respect to the outputs of
     * the {@code wanted} vertices.
     */
    Map<Integer, INDArray> backward(Map<Integer, INDArray> seeds, int downTo, Set<Integer> wanted) {
        if (graph.getFlattenedGradients() == null) {
            // Layers write their parameters' gradients into views of one array, made on first use (training makes it too).
            graph.initGradientsView();
        }
        Map<Integer, INDArray> epsilons = new HashMap<>();
        int from = downTo;
        for (var seed : seeds.entrySet()) {
            if (positionOf(seed.getKey()) > ranUpTo) {
                throw new IllegalStateException("The forward pass stopped before vertex " + seed.getKey());
            }
            add(epsilons, seed.getKey(), seed.getValue());
            from = Math.max(from, positionOf(seed.getKey()));
        }
        Map<Integer, INDArray> kept = new HashMap<>();
        GraphVertex[] vertices = graph.getVertices();
        for (int p = from; p >= downTo; p--) {
            GraphVertex v = vertices[order[p]];
            INDArray eps = epsilons.remove(v.getVertexIndex());
            if (eps == null) {
                continue; // the objective does not depend on this vertex
            }
            if (wanted.contains(v.getVertexIndex())) {
                kept.put(v.getVertexIndex(), eps);
            }
            if (v.isInputVertex() || p == downTo) {
                continue;
            }
            INDArray[] intoInputs = backwardThrough(v, eps);
            VertexIndices[] inputs = v.getInputVertices();
            for (int i = 0; i < inputs.length; i++) {
                if (intoInputs[i] != null) {
                    add(epsilons, inputs[i].getVertexIndex(), intoInputs[i]);
                }
            }
        }
        return kept;
    }

    private static void add(Map<Integer, INDArray> epsilons, int vertex, INDArray eps) {
        epsilons.merge(vertex, eps, (a, b) -> a.add(b));
    }

    /** The gradient with respect to each input of {@code v}, given that with respect to its output. */
    private INDArray[] backwardThrough(GraphVertex v, INDArray eps) {
        if (v instanceof LayerVertex lv) {
            Layer layer = lv.getLayer();
            if (layer instanceof BatchNormalization bn) {
                return new INDArray[] {preprocessorBackprop(lv, batchNormBackward(bn, eps))};
            }
            if (layer instanceof org.deeplearning4j.nn.layers.DropoutLayer) {
                return new INDArray[] {preprocessorBackprop(lv, eps)};
            }
            // Dropout on a layer's input is not applied at inference, so it is not undone either.
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            IDropout dropout = conf.getIDropout();
            conf.setIDropout(null);
            try {
                v.setEpsilon(eps);
                return v.doBackward(false, workspaces).getSecond();
            } finally {
                conf.setIDropout(dropout);
            }
        }
        if (v instanceof org.deeplearning4j.nn.graph.vertex.impl.MergeVertex) {
            // Deeplearning4j's own splits along the merge axis as given, which fails for Keras' axis -1.
            return split(eps, v.getInputs(), outputs.get(v.getVertexIndex()));
        }
        v.setEpsilon(eps);
        Pair<Gradient, INDArray[]> result = v.doBackward(false, workspaces);
        return result.getSecond();
    }

    /** The gradient of a concatenation, cut back into its inputs along the axis they were joined on. */
    private static INDArray[] split(INDArray eps, INDArray[] inputs, INDArray output) {
        int axis = -1;
        for (int a = 0; a < output.rank() && axis < 0; a++) {
            long sum = 0;
            for (INDArray in : inputs) {
                sum += in.size(a);
            }
            if (sum == output.size(a) && (inputs.length == 1 || inputs[0].size(a) != output.size(a))) {
                axis = a;
            }
        }
        if (axis < 0) {
            throw new IllegalStateException("Cannot tell the axis of a concatenation of " + inputs.length + " inputs into "
                    + java.util.Arrays.toString(output.shape()));
        }
        INDArray[] out = new INDArray[inputs.length];
        long from = 0;
        for (int i = 0; i < inputs.length; i++) {
            org.nd4j.linalg.indexing.INDArrayIndex[] index = new org.nd4j.linalg.indexing.INDArrayIndex[eps.rank()];
            for (int a = 0; a < index.length; a++) {
                index[a] = a == axis ? org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + inputs[i].size(axis))
                        : org.nd4j.linalg.indexing.NDArrayIndex.all();
            }
            out[i] = eps.get(index).dup('c');
            from += inputs[i].size(axis);
        }
        return out;
    }

    private INDArray preprocessorBackprop(LayerVertex v, INDArray eps) {
        return v.getLayerPreProcessor() == null ? eps : v.getLayerPreProcessor().backprop(eps, 1, workspaces);
    }

    /** At inference BN is {@code scale x + shift} per channel ({@link BatchNormAffine}). */
    private static INDArray batchNormBackward(BatchNormalization bn, INDArray eps) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization conf =
                (org.deeplearning4j.nn.conf.layers.BatchNormalization) bn.conf().getLayer();
        INDArray scale = Nd4j.createFromArray(BatchNormAffine.of(bn).scale()).castTo(eps.dataType());
        if (eps.rank() == 2) {
            return eps.mulRowVector(scale);
        }
        int channelAxis = conf.getCnn2DFormat() == CNN2DFormat.NHWC ? 3 : 1;
        INDArray out = Nd4j.createUninitialized(eps.dataType(), eps.shape());
        return Nd4j.getExecutioner().exec(new BroadcastMulOp(eps.dup('c'), scale, out, channelAxis));
    }

    /** Drops what the pass keeps, so the arrays can be freed. */
    void clear() {
        outputs.clear();
        for (GraphVertex v : graph.getVertices()) {
            v.clear();
        }
        ranUpTo = -1;
    }
}
