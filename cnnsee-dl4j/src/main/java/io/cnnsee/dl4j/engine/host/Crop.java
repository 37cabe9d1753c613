package io.cnnsee.dl4j.engine.host;

import java.util.List;

/** The map with rows and columns cut off its edges ({@code Cropping2D}). */
public final class Crop extends JavaHostLayer {

    private final int channels;
    private final int height;
    private final int width;
    private final int top;
    private final int left;
    private final int outH;
    private final int outW;

    /** @param channels the input's channels; {@code height}, {@code width} its size */
    public Crop(int channels, int height, int width, int top, int bottom, int left, int right) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.top = top;
        this.left = left;
        this.outH = height - top - bottom;
        this.outW = width - left - right;
    }

    @Override
    protected float[] compute(List<float[]> inputs, int pictures) {
        float[] x = inputs.get(0);
        float[] y = new float[pictures * channels * outH * outW];
        for (int plane = 0; plane < pictures * channels; plane++) {
            for (int i = 0; i < outH; i++) {
                System.arraycopy(x, (plane * height + top + i) * width + left, y, (plane * outH + i) * outW, outW);
            }
        }
        return y;
    }

    @Override
    public List<float[]> backward(float[] g, int pictures) {
        float[] dx = new float[pictures * channels * height * width];
        for (int plane = 0; plane < pictures * channels; plane++) {
            for (int i = 0; i < outH; i++) {
                System.arraycopy(g, (plane * outH + i) * outW, dx, (plane * height + top + i) * width + left, outW);
            }
        }
        return List.of(dx);
    }
}
