package io.cnnsee.dl4j;

/**
 * How oneDNN computes a network's 3 x 3, stride-1 convolutions (docs/engine.md measures both).
 * Either way the values agree with a plain double-precision computation of VGG16 to a few
 * millionths of each layer's largest value (FullSizeVgg16Test measures both on the full-width
 * network).
 */
public enum ConvolutionAlgorithm {
    /** Direct convolution: every multiply-add of the definition, at the machine's matrix-multiply speed. */
    DIRECT,
    /**
     * Winograd's minimal filtering, F(4x4, 3x3) or F(2x2, 3x3) as oneDNN chooses per layer, where
     * it pays: convolutions of at least 10^8 multiply-adds a picture (all of VGG16's but its first
     * at 224 x 224 pixels, none of the zoo ResNet50's), the others direct. Fewer multiplications,
     * about half the time of {@link #DIRECT} on VGG16; it rounds differently, not worse (largest
     * error measured 1.4e-6). The default. Its price: the transformed kernels take about 0.6 s to
     * make at VGG16's first inspection and 100 to 250 MB more memory. Where oneDNN has no Winograd
     * kernel for a layer or processor, that layer runs direct.
     */
    WINOGRAD
}
