package io.cnnsee.dl4j.engine.graph;

/**
 * What a node puts out for one picture: a spatial map of {@code channels x height x width}, or a
 * flat vector of {@code channels} values ({@link #flat}).
 */
public record Shape(int channels, int height, int width, boolean flat) {

    public Shape {
        if (channels <= 0 || !flat && (height <= 0 || width <= 0)) {
            throw new IllegalArgumentException("A shape has positive sizes, not " + channels + " x " + height + " x " + width);
        }
    }

    public static Shape map(int channels, int height, int width) {
        return new Shape(channels, height, width, false);
    }

    public static Shape flat(int size) {
        return new Shape(size, 1, 1, true);
    }

    /** Values per picture. */
    public long size() {
        return (long) channels * height * width;
    }

    /** oneDNN's logical dimensions for {@code pictures} pictures: {@code [n, c, h, w]} or {@code [n, c]}. */
    public long[] dims(int pictures) {
        return flat ? new long[] {pictures, channels} : new long[] {pictures, channels, height, width};
    }

    @Override
    public String toString() {
        return flat ? channels + " values" : channels + "x" + height + "x" + width;
    }
}
