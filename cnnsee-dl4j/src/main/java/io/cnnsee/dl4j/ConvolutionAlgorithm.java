package io.cnnsee.dl4j;

/**
 * How oneDNN computes VGG16's 3 x 3 convolutions (docs/performance.md measures both). Either way
 * the values agree with a plain double-precision computation of the network to a few millionths
 * of each layer's largest value (FullSizeVgg16Test measures both on the full-width network).
 */
public enum ConvolutionAlgorithm {
    /**
     * Direct convolution: every multiply-add of the definition, at the machine's matrix-multiply
     * speed (about 80 ms for the 13 convolutions of one 224 x 224 picture on 2 cores). Largest
     * error measured: 2.3e-6 of the layer's largest value.
     */
    DIRECT,
    /**
     * Winograd's minimal filtering, F(4x4, 3x3) or F(2x2, 3x3) as oneDNN chooses per layer: fewer
     * multiplications, about half the time of {@link #DIRECT} (about 40 ms for the 13
     * convolutions). It rounds differently, not worse: largest error measured 1.4e-6. The default.
     * Its price: the transformed kernels take about 0.6 s to make at the first inspection and
     * 100 to 250 MB more memory. Where oneDNN has no Winograd kernel for a layer or processor,
     * that layer runs direct.
     */
    WINOGRAD
}
