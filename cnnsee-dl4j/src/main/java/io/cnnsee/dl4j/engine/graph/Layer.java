package io.cnnsee.dl4j.engine.graph;

/**
 * A layer of a network as people name it (a Keras layer, an ONNX node): the node of the graph
 * whose output is the layer's, that output's shape, and whether the layer convolves (default taps
 * end runs of maps that hold a convolution).
 */
public record Layer(String name, int node, Shape shape, boolean convolution) {
}
