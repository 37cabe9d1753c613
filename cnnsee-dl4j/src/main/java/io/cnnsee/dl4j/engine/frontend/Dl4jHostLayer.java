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
 * A vertex the compiler does not translate, run by Deeplearning4j forward and backward, picture by
 * picture: values turned between the compiler's channel-major order and the vertex's own layout
 * (channels last for an NHWC map). Keeps the inputs of its last forward pass for its backward pass.
 */
final class Dl4jHostLayer implements HostLayer {

    private final ComputationGraph graph;
    private final GraphVertex vertex;
    private final List<InputType> inputs;
    private final InputType output;
    private final LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
    /** Per picture of the last forward pass, its inputs in the vertex's layout. */
    private List<INDArray[]> lastInputs;

    Dl4jHostLayer(ComputationGraph graph, GraphVertex vertex, List<InputType> inputs, InputType output) {
        this.graph = graph;
        this.vertex = vertex;
        this.inputs = List.copyOf(inputs);
        this.output = output;
    }

    /**
     * Picture by picture: Deeplearning4j's backward pass of some vertices gave a batch's second
     * picture a wrong gradient (a test of every kind of vertex found it), and one at a time is
     * right for each.
     */
    @Override
    public float[] forward(List<float[]> values, int pictures) {
        lastInputs = new ArrayList<>(pictures);
        float[][] outputs = new float[pictures][];
        for (int p = 0; p < pictures; p++) {
            INDArray[] x = new INDArray[values.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = toLayout(slice(values.get(i), p, pictures), inputs.get(i));
            }
            lastInputs.add(x);
            outputs[p] = fromLayout(run(x), output);
        }
        return join(outputs);
    }

    /** {@code x} through the vertex, its inputs set again afterwards for a backward pass. */
    private INDArray run(INDArray[] x) {
        vertex.clear();
        // A layer's preprocessor asks the graph for the batch size, which its input array says.
        INDArray[] batch = new INDArray[graph.getConfiguration().getNetworkInputs().size()];
        java.util.Arrays.fill(batch, Nd4j.zeros(DataType.FLOAT, 1, 1));
        graph.setInputs(batch);
        for (int i = 0; i < x.length; i++) {
            // A copy: some layers (activation layers among them) work in place on their input at inference.
            vertex.setInput(i, x[i].dup(), workspaces);
        }
        INDArray out = vertex.doForward(false, workspaces);
        for (int i = 0; i < x.length; i++) {
            // What its backward pass reads, which an in-place forward pass wrote over.
            vertex.setInput(i, x[i].dup(), workspaces);
        }
        return out;
    }

    @Override
    public List<float[]> backward(float[] gradient, int pictures) {
        if (lastInputs == null || lastInputs.size() != pictures) {
            throw new IllegalStateException(vertex.getVertexName() + ": a backward pass needs a forward pass of its pictures first");
        }
        if (vertex.hasLayer()) {
            // Deeplearning4j differentiates these as they train; at inference they are simpler.
            if (vertex.getLayer() instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization bn) {
                return List.of(timesScale(gradient, BatchNormAffine.of(bn).scale(), output));
            }
            if (vertex.getLayer() instanceof org.deeplearning4j.nn.layers.DropoutLayer) {
                return List.of(gradient.clone());
            }
            if (vertex.getLayer() instanceof org.deeplearning4j.nn.api.layers.IOutputLayer) {
                throw new UnsupportedOperationException(vertex.getVertexName() + " is an output layer, which Deeplearning4j "
                        + "differentiates from training labels only: differentiate at the layer before it");
            }
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
            float[][][] intoInputs = new float[inputs.size()][pictures][];
            for (int p = 0; p < pictures; p++) {
                INDArray[] x = lastInputs.get(p);
                run(x); // the vertex keeps what its backward pass reads of this picture
                vertex.setEpsilon(toLayout(slice(gradient, p, pictures), output));
                INDArray[] g = vertex.doBackward(false, workspaces).getSecond();
                for (int i = 0; i < x.length; i++) {
                    intoInputs[i][p] = g[i] == null ? new float[Math.toIntExact(x[i].length())] : fromLayout(g[i], inputs.get(i));
                }
            }
            List<float[]> out = new ArrayList<>(inputs.size());
            for (float[][] perPicture : intoInputs) {
                out.add(join(perPicture));
            }
            return out;
        } finally {
            if (conf != null) {
                conf.setIDropout(dropout);
            }
        }
    }

    /** Picture {@code p}'s values of {@code pictures} held one after another. */
    private static float[] slice(float[] values, int p, int pictures) {
        int per = values.length / pictures;
        return java.util.Arrays.copyOfRange(values, p * per, (p + 1) * per);
    }

    private static float[] join(float[][] parts) {
        int per = parts[0].length;
        float[] all = new float[per * parts.length];
        for (int p = 0; p < parts.length; p++) {
            System.arraycopy(parts[p], 0, all, p * per, per);
        }
        return all;
    }

    /** {@code gradient} times a per-channel factor: a batch norm's way back at inference. */
    private static float[] timesScale(float[] gradient, float[] scale, InputType type) {
        float[] out = new float[gradient.length];
        int plane = type instanceof InputType.InputTypeConvolutional c ? (int) (c.getHeight() * c.getWidth()) : 1;
        for (int i = 0; i < out.length; i++) {
            out[i] = gradient[i] * scale[i / plane % scale.length];
        }
        return out;
    }

    /** Channel-major values as Deeplearning4j holds {@code type}. */
    private static INDArray toLayout(float[] values, InputType type) {
        INDArray a;
        if (type instanceof InputType.InputTypeConvolutional c) {
            a = Nd4j.create(values, new long[] {1, c.getChannels(), c.getHeight(), c.getWidth()}, 'c');
            if (c.getFormat() == CNN2DFormat.NHWC) {
                a = a.permute(0, 2, 3, 1).dup('c');
            }
        } else {
            a = Nd4j.create(values, new long[] {1, values.length}, 'c');
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

    @Override
    public String runsOn() {
        return "Deeplearning4j's own";
    }
}
