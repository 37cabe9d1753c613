package io.cnnsee.dl4j;

import io.cnnsee.MapShape;
import io.cnnsee.Tap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The VGG16 layer stack of Simonyan and Zisserman (configuration D), with the Keras layer names:
 * five blocks of 3x3 convolutions (2, 2, 3, 3, 3 layers) each followed by a 2x2 max pool, then
 * {@code fc1}, {@code fc2} and {@code predictions} when the top is included.
 *
 * <p>The standard network has block widths 64, 128, 256, 512, 512, 224 x 224 inputs and dense
 * layers of 4096, 4096 and 1000. Narrower variants with the same structure exist for tests.
 *
 * @param widths      output channels of the convolutions of blocks 1 to 5
 * @param inputSize   height and width of the input picture; a multiple of 32
 * @param includeTop  whether the dense layers are part of the network
 * @param denseWidth  features of {@code fc1} and {@code fc2}
 * @param classes     number of classes of {@code predictions}
 */
public record Vgg16Architecture(int[] widths, int inputSize, boolean includeTop, int denseWidth, int classes) {

    /** Convolutions per block, as in VGG16. */
    static final int[] CONVS_PER_BLOCK = {2, 2, 3, 3, 3};

    public Vgg16Architecture {
        widths = widths.clone();
        if (widths.length != 5) {
            throw new IllegalArgumentException("VGG16 has 5 blocks, " + widths.length + " widths were given");
        }
        for (int w : widths) {
            if (w < 1) {
                throw new IllegalArgumentException("Block widths must be at least 1: " + Arrays.toString(widths));
            }
        }
        if (inputSize < 32 || inputSize % 32 != 0) {
            throw new IllegalArgumentException("The input size must be a multiple of 32 (five 2x2 pools), at least 32, was "
                    + inputSize);
        }
        if (includeTop && (denseWidth < 1 || classes < 1)) {
            throw new IllegalArgumentException("A network with top needs dense layers and classes, was "
                    + denseWidth + " and " + classes);
        }
    }

    /** The standard VGG16 for 224 x 224 pictures, with or without its dense top. */
    public static Vgg16Architecture standard(boolean includeTop) {
        return new Vgg16Architecture(new int[] {64, 128, 256, 512, 512}, 224, includeTop, 4096, 1000);
    }

    /** This architecture for pictures of {@code size} x {@code size} (without top, any multiple of 32). */
    public Vgg16Architecture withInputSize(int size) {
        return new Vgg16Architecture(widths, size, includeTop, denseWidth, classes);
    }

    /** Whether this is the published VGG16 shape, whose ImageNet weights exist. */
    public boolean isStandard() {
        Vgg16Architecture s = standard(includeTop);
        return Arrays.equals(widths, s.widths) && (!includeTop || (denseWidth == s.denseWidth && classes == s.classes));
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }

    /** Every layer in order, with Keras names. */
    List<LayerSpec> layers() {
        List<LayerSpec> layers = new ArrayList<>();
        int in = 3;
        for (int b = 0; b < 5; b++) {
            for (int c = 1; c <= CONVS_PER_BLOCK[b]; c++) {
                layers.add(new LayerSpec("block" + (b + 1) + "_conv" + c, LayerSpec.Kind.CONV, b + 1, in, widths[b]));
                in = widths[b];
            }
            layers.add(new LayerSpec("block" + (b + 1) + "_pool", LayerSpec.Kind.POOL, b + 1, 0, 0));
        }
        if (includeTop) {
            int flat = finalSpatialSize() * finalSpatialSize() * widths[4];
            layers.add(new LayerSpec("fc1", LayerSpec.Kind.DENSE, 0, flat, denseWidth));
            layers.add(new LayerSpec("fc2", LayerSpec.Kind.DENSE, 0, denseWidth, denseWidth));
            layers.add(new LayerSpec("predictions", LayerSpec.Kind.SOFTMAX, 0, denseWidth, classes));
        }
        return layers;
    }

    /** The layers that have weights, in order. */
    List<LayerSpec> weightedLayers() {
        return layers().stream().filter(LayerSpec::hasWeights).toList();
    }

    /** The index of the first dense layer ({@code fc1}); the number of layers when there is no top. */
    public int firstDenseIndex() {
        List<LayerSpec> layers = layers();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).kind() == LayerSpec.Kind.DENSE || layers.get(i).kind() == LayerSpec.Kind.SOFTMAX) {
                return i;
            }
        }
        return layers.size();
    }

    /** Side of the last pool's output: input size / 32. */
    public int finalSpatialSize() {
        return inputSize / 32;
    }

    /** The index of layer {@code name} in {@link #layers()}, or -1. */
    public int indexOf(String name) {
        List<LayerSpec> layers = layers();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The output shape of layer {@code index}; dense outputs are {@code features x 1 x 1}. */
    public MapShape outputShape(int index) {
        LayerSpec spec = layers().get(index);
        int side = inputSize >> (spec.kind() == LayerSpec.Kind.POOL ? spec.block() : spec.block() - 1);
        return switch (spec.kind()) {
            case CONV -> new MapShape(spec.outputs(), side, side);
            case POOL -> new MapShape(widths[spec.block() - 1], side, side);
            case DENSE, SOFTMAX -> new MapShape(spec.outputs(), 1, 1);
        };
    }

    /** The five default taps: the last convolution of each block, before pooling. */
    public List<Tap> defaultTaps() {
        List<Tap> taps = new ArrayList<>();
        for (int b = 1; b <= 5; b++) {
            String name = "block" + b + "_conv" + CONVS_PER_BLOCK[b - 1];
            taps.add(new Tap("block " + b, name, outputShape(indexOf(name))));
        }
        return taps;
    }

    /** Weights of all layers: 14,714,688 for the standard network without top. */
    public long parameterCount() {
        return weightedLayers().stream().mapToLong(LayerSpec::parameterCount).sum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vgg16Architecture a && Arrays.equals(widths, a.widths) && inputSize == a.inputSize
                && includeTop == a.includeTop && denseWidth == a.denseWidth && classes == a.classes;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(widths) * 31 + inputSize * 7 + (includeTop ? 1 : 0) + denseWidth * 3 + classes;
    }

    @Override
    public String toString() {
        return "VGG16" + (isStandard() ? "" : " " + Arrays.toString(widths)) + " " + inputSize + "x" + inputSize
                + (includeTop ? " with top" : " without top");
    }
}
