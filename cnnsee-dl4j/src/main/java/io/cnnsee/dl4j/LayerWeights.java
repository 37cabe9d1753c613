package io.cnnsee.dl4j;

import java.util.Arrays;

/**
 * The kernel and bias of one layer as Keras stores them: the kernel in Keras order, flat
 * (conv: kh, kw, in, out; dense: in, out), row-major.
 *
 * @param layer       the Keras layer name
 * @param kernelShape the kernel's Keras shape
 * @param kernel      the kernel values, row-major in {@code kernelShape}
 * @param bias        one value per output
 */
record LayerWeights(String layer, int[] kernelShape, float[] kernel, float[] bias) {

    public LayerWeights {
        kernelShape = kernelShape.clone();
        long size = 1;
        for (int d : kernelShape) {
            size *= d;
        }
        if (size != kernel.length) {
            throw new IllegalArgumentException("Layer " + layer + ": kernel shape " + Arrays.toString(kernelShape)
                    + " needs " + size + " values, " + kernel.length + " given");
        }
    }

    @Override
    public int[] kernelShape() {
        return kernelShape.clone();
    }
}
