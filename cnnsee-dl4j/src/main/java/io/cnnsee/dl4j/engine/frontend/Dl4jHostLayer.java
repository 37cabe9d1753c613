package io.cnnsee.dl4j.engine.frontend;

import io.cnnsee.dl4j.engine.graph.HostLayer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * A vertex the compiler does not translate, run by Deeplearning4j forward and backward: values
 * turned between the compiler's channel-major order and the vertex's own layout (channels last
 * for an NHWC map). Keeps the inputs of its last forward pass for its backward pass.
 */
final class Dl4jHostLayer implements HostLayer {

    private final ComputationGraph graph;
    private final GraphVertex vertex;
    private final List<InputType> inputs;
    private final InputType output;
    private final LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
    private INDArray[] lastInputs;

    Dl4jHostLayer(ComputationGraph graph, GraphVertex vertex, List<InputType> inputs, InputType output) {
        this.graph = graph;
        this.vertex = vertex;
        this.inputs = List.copyOf(inputs);
        this.output = output;
    }

    @Override
    public float[] forward(List<float[]> values, int pictures) {
        vertex.clear();
        lastInputs = new INDArray[values.size()];
        for (int i = 0; i < values.size(); i++) {
            lastInputs[i] = toLayout(values.get(i), inputs.get(i), pictures);
            // A copy: some layers (activation layers among them) work in place on their input at inference.
            vertex.setInput(i, lastInputs[i].dup(), workspaces);
        }
        float[] out = fromLayout(vertex.doForward(false, workspaces), output);
        for (int i = 0; i < lastInputs.length; i++) {
            // What its backward pass reads, which an in-place forward pass wrote over.
            vertex.setInput(i, lastInputs[i].dup(), workspaces);
        }
        return out;
    }

    @Override
    public List<float[]> backward(float[] gradient, int pictures) {
        if (lastInputs == null) {
            throw new IllegalStateException(vertex.getVertexName() + ": a backward pass needs a forward pass first");
        }
        if (graph.getFlattenedGradients() == null) {
            graph.initGradientsView(); // layers write their parameters' gradients into views of one array
        }
        IDropout dropout = null;
        org.deeplearning4j.nn.conf.layers.Layer conf = vertex.hasLayer() ? vertex.getLayer().conf().getLayer() : null;
        if (conf != null) {
            // Dropout is not applied at inference, so it is not undone either.
            dropout = conf.getIDropout();
            conf.setIDropout(null);
        }
        try {
            vertex.setEpsilon(toLayout(gradient, output, pictures));
            INDArray[] intoInputs = vertex.doBackward(false, workspaces).getSecond();
            List<float[]> out = new ArrayList<>(intoInputs.length);
            for (int i = 0; i < intoInputs.length; i++) {
                out.add(intoInputs[i] == null ? new float[Math.toIntExact(lastInputs[i].length())] : fromLayout(intoInputs[i], inputs.get(i)));
            }
            return out;
        } finally {
            if (conf != null) {
                conf.setIDropout(dropout);
            }
        }
    }

    /** Channel-major values as Deeplearning4j holds {@code type}. */
    private static INDArray toLayout(float[] values, InputType type, int pictures) {
        INDArray a;
        if (type instanceof InputType.InputTypeConvolutional c) {
            a = Nd4j.create(values, new long[] {pictures, c.getChannels(), c.getHeight(), c.getWidth()}, 'c');
            if (c.getFormat() == CNN2DFormat.NHWC) {
                a = a.permute(0, 2, 3, 1).dup('c');
            }
        } else {
            a = Nd4j.create(values, new long[] {pictures, values.length / pictures}, 'c');
        }
        return a;
    }

    private static float[] fromLayout(INDArray a, InputType type) {
        INDArray x = a;
        if (type instanceof InputType.InputTypeConvolutional c && c.getFormat() == CNN2DFormat.NHWC && x.rank() == 4) {
            x = x.permute(0, 3, 1, 2);
        }
        return x.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
