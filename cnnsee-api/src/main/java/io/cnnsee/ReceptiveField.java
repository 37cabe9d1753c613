package io.cnnsee;

/**
 * Which input pixels a unit of a tap sees, from the network's strides and kernels: the unit at
 * row y sees input rows {@code offset + y * stride} to {@code offset + y * stride + size - 1}
 * (columns alike); parts outside the input are padding.
 *
 * @param size   the side of the square of input pixels one unit sees
 * @param stride how far apart neighbouring units look, in input pixels
 * @param offset where unit 0 starts looking (negative where padding comes first)
 */
public record ReceptiveField(int size, int stride, int offset) {

    public ReceptiveField {
        if (size < 1 || stride < 1) {
            throw new IllegalArgumentException("A receptive field is at least 1 pixel, with a stride of 1 or more, was size "
                    + size + ", stride " + stride);
        }
    }

    /** The input seen directly: one pixel. */
    public static final ReceptiveField PIXEL = new ReceptiveField(1, 1, 0);

    /** This field seen through a layer of kernel {@code k}, stride {@code s}, padding before {@code pad}, dilation {@code d}. */
    public ReceptiveField then(int k, int s, int pad, int d) {
        return new ReceptiveField(size + (k - 1) * d * stride, stride * s, offset - pad * stride);
    }

    /** The first input row (or column) unit {@code position} sees. */
    public int start(int position) {
        return offset + position * stride;
    }
}
