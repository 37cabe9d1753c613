package io.cnnsee.dl4j.engine.host;

import io.cnnsee.dl4j.engine.graph.HostLayer;

import java.util.List;

/**
 * A layer the compiler does not lower to oneDNN yet, computed in plain Java, forward and
 * backward, on channel-major pictures. Keeps the inputs of its last forward pass for the
 * backward pass that follows it.
 */
abstract class JavaHostLayer implements HostLayer {

    protected List<float[]> lastInputs;

    @Override
    public final float[] forward(List<float[]> inputs, int pictures) {
        lastInputs = List.copyOf(inputs);
        return compute(inputs, pictures);
    }

    protected abstract float[] compute(List<float[]> inputs, int pictures);

    @Override
    public String runsOn() {
        return "plain Java";
    }
}
