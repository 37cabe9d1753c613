package io.cnnsee.dl4j.engine.graph;

import java.util.List;

/**
 * A layer the compiler has no translation for, run by the framework that defined it, forward and
 * backward: values in and out channel-major per picture ({@code [n, c, h, w]} or {@code [n, c]}),
 * as the {@link Shape}s of its node and inputs say. One caller at a time; a {@link #backward}
 * follows the {@link #forward} whose inputs it differentiates at.
 */
public interface HostLayer {

    /** The output for {@code pictures} pictures of {@code inputs}, one array per input. */
    float[] forward(List<float[]> inputs, int pictures);

    /** The gradient with respect to each input, given that with respect to the output of the last {@link #forward}. */
    List<float[]> backward(float[] outputGradient, int pictures);

    /** Where it runs, for the report: "Deeplearning4j's own", "plain Java". */
    String runsOn();
}
