package io.cnnsee.dl4j;

/**
 * One layer of the VGG16 stack, with its Keras name and the shapes of its weights.
 *
 * @param name       the Keras layer name, e.g. {@code block1_conv1}
 * @param kind       what the layer does
 * @param block      the convolutional block (1 to 5), or 0 for the dense layers
 * @param inputs     input channels (conv) or input features (dense); 0 for pools
 * @param outputs    output channels (conv) or output features (dense); 0 for pools
 */
record LayerSpec(String name, Kind kind, int block, int inputs, int outputs) {

    /** What a layer does. */
    public enum Kind {
        /** 3x3 convolution, stride 1, same padding, ReLU. */
        CONV,
        /** 2x2 max pooling, stride 2. */
        POOL,
        /** Fully connected, ReLU. */
        DENSE,
        /** Fully connected, softmax: the class probabilities. */
        SOFTMAX
    }

    /** Whether the layer has a kernel and a bias. */
    public boolean hasWeights() {
        return kind != Kind.POOL;
    }

    /** The Keras shape of the kernel: (3, 3, in, out) for conv, (in, out) for dense. */
    public int[] kernelShape() {
        return switch (kind) {
            case CONV -> new int[] {3, 3, inputs, outputs};
            case DENSE, SOFTMAX -> new int[] {inputs, outputs};
            case POOL -> new int[0];
        };
    }

    /** Number of weights: kernel plus bias. */
    public long parameterCount() {
        if (!hasWeights()) {
            return 0;
        }
        long kernel = 1;
        for (int d : kernelShape()) {
            kernel *= d;
        }
        return kernel + outputs;
    }
}
