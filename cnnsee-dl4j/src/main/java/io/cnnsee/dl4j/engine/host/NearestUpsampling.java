package io.cnnsee.dl4j.engine.host;

import java.util.List;

/** Each value repeated over a block of {@code rows x columns} ({@code UpSampling2D}, nearest). */
public final class NearestUpsampling extends JavaHostLayer {

    private final int channels;
    private final int height;
    private final int width;
    private final int rows;
    private final int columns;

    /** @param channels  the input's channels; {@code height}, {@code width} its size */
    public NearestUpsampling(int channels, int height, int width, int rows, int columns) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.rows = rows;
        this.columns = columns;
    }

    @Override
    protected float[] compute(List<float[]> inputs, int pictures) {
        float[] x = inputs.get(0);
        int outH = height * rows;
        int outW = width * columns;
        float[] y = new float[pictures * channels * outH * outW];
        for (int plane = 0; plane < pictures * channels; plane++) {
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    y[(plane * outH + i) * outW + j] = x[(plane * height + i / rows) * width + j / columns];
                }
            }
        }
        return y;
    }

    @Override
    public List<float[]> backward(float[] g, int pictures) {
        int outH = height * rows;
        int outW = width * columns;
        float[] dx = new float[pictures * channels * height * width];
        for (int plane = 0; plane < pictures * channels; plane++) {
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    dx[(plane * height + i / rows) * width + j / columns] += g[(plane * outH + i) * outW + j];
                }
            }
        }
        return List.of(dx);
    }
}
