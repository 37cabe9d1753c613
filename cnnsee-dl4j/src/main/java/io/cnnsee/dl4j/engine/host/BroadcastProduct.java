package io.cnnsee.dl4j.engine.host;

import java.util.List;

/**
 * A map times a vector of one value per channel, broadcast over the map's positions: the
 * squeeze-and-excitation product ({@code Multiply} of an {@code h x w x c} map and a
 * {@code 1 x 1 x c} one). Either input may be the vector.
 */
public final class BroadcastProduct extends JavaHostLayer {

    private final int channels;
    private final int positions;
    private final int mapInput;

    /** @param mapInput which input (0 or 1) is the map; the other is {@code channels x 1 x 1} */
    public BroadcastProduct(int channels, int positions, int mapInput) {
        this.channels = channels;
        this.positions = positions;
        this.mapInput = mapInput;
    }

    @Override
    protected float[] compute(List<float[]> inputs, int pictures) {
        float[] map = inputs.get(mapInput);
        float[] scale = inputs.get(1 - mapInput);
        float[] y = new float[map.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = map[i] * scale[i / positions];
        }
        return y;
    }

    @Override
    public List<float[]> backward(float[] g, int pictures) {
        float[] map = lastInputs.get(mapInput);
        float[] scale = lastInputs.get(1 - mapInput);
        float[] dMap = new float[map.length];
        float[] dScale = new float[scale.length];
        for (int i = 0; i < map.length; i++) {
            dMap[i] = g[i] * scale[i / positions];
            dScale[i / positions] += g[i] * map[i];
        }
        return mapInput == 0 ? List.of(dMap, dScale) : List.of(dScale, dMap);
    }
}
