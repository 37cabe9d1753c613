package io.cnnsee.dl4j;

import org.bytedeco.dnnl.memory;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * One vertex of a compiled graph that oneDNN does not run, run on Deeplearning4j's own
 * implementation between two runs of oneDNN steps: its inputs read from memory in
 * Deeplearning4j's plain layout (which the steps before it reorder into), its output written to
 * memory in that layout, for the steps after it.
 */
final class Dl4jStage implements Runnable {

    /** Memory in plain layout and the shape Deeplearning4j sees it as. */
    record Plain(memory memory, long[] shape) {
        int size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return Math.toIntExact(n);
        }
    }

    private final GraphVertex vertex;
    private final List<Plain> inputs;
    private final Plain output;
    private final LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();

    Dl4jStage(GraphVertex vertex, List<Plain> inputs, Plain output) {
        this.vertex = vertex;
        this.inputs = List.copyOf(inputs);
        this.output = output;
    }

    @Override
    public void run() {
        try {
            for (int i = 0; i < inputs.size(); i++) {
                Plain in = inputs.get(i);
                float[] values = new float[in.size()];
                OnednnPass.floats(in.memory()).get(values);
                vertex.setInput(i, Nd4j.create(values, in.shape(), 'c'), workspaces);
            }
            INDArray out = vertex.doForward(false, workspaces);
            if (out.length() != output.size()) {
                throw new IllegalStateException("Deeplearning4j's " + vertex.getVertexName() + " put out "
                        + java.util.Arrays.toString(out.shape()) + ", not " + java.util.Arrays.toString(output.shape()));
            }
            OnednnPass.floats(output.memory()).put(out.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat());
        } finally {
            vertex.clear();
        }
    }
}
