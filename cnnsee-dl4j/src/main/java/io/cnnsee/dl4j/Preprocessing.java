package io.cnnsee.dl4j;

import io.cnnsee.ImageLoader;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Turns a picture into VGG16's input, exactly as Keras' {@code vgg16.preprocess_input} ("caffe"
 * mode) does after {@code load_img}: RGB to BGR, the ImageNet channel means subtracted, no
 * scaling. Immutable and thread-safe.
 *
 * <p>Any picture is first made 8-bit RGB ({@link ImageLoader#toRgb}: grey, palette, alpha and
 * 16-bit pictures included), optionally cropped to its central square, then resized to the
 * network's input size by bilinear interpolation with pixel centres aligned (the convention of
 * Pillow and OpenCV for {@code align_corners=False}), without anti-aliasing. Output is
 * channels-first: B, G, R planes of size x size floats.
 */
public final class Preprocessing {

    /** ImageNet means of the B, G and R channels that Keras subtracts. */
    public static final float[] BGR_MEANS = {103.939f, 116.779f, 123.68f};

    private final int size;
    private final boolean centerCrop;

    /**
     * @param size       output height and width
     * @param centerCrop whether to crop the central square before resizing (keeps proportions)
     */
    public Preprocessing(int size, boolean centerCrop) {
        if (size < 1) {
            throw new IllegalArgumentException("Input size must be at least 1, was " + size);
        }
        this.size = size;
        this.centerCrop = centerCrop;
    }

    public int size() {
        return size;
    }

    public boolean centerCrop() {
        return centerCrop;
    }

    /** The network input for {@code image}: 3 x size x size floats, B, G, R planes, means subtracted. */
    public float[] apply(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        int w = image.getWidth();
        int h = image.getHeight();
        int x0 = 0;
        int y0 = 0;
        if (centerCrop && w != h) {
            int side = Math.min(w, h);
            x0 = (w - side) / 2;
            y0 = (h - side) / 2;
            w = side;
            h = side;
        }
        // Only the rows the interpolation reads are made RGB, each once: 224 output rows read at
        // most 448 of a photograph's 3024, where converting and copying the whole 12-megapixel
        // picture twice took 45 ms.
        int[][] rows = new int[h][];
        float[] out = new float[3 * size * size];
        int plane = size * size;
        double sx = (double) w / size;
        double sy = (double) h / size;
        for (int oy = 0; oy < size; oy++) {
            double fy = Math.max(0, (oy + 0.5) * sy - 0.5);
            int y1 = Math.min((int) fy, h - 1);
            int y2 = Math.min(y1 + 1, h - 1);
            double dy = fy - y1;
            int[] upper = row(rows, image, x0, y0, w, y1);
            int[] lower = row(rows, image, x0, y0, w, y2);
            for (int ox = 0; ox < size; ox++) {
                double fx = Math.max(0, (ox + 0.5) * sx - 0.5);
                int x1 = Math.min((int) fx, w - 1);
                int x2 = Math.min(x1 + 1, w - 1);
                double dx = fx - x1;
                int p11 = upper[x1];
                int p12 = upper[x2];
                int p21 = lower[x1];
                int p22 = lower[x2];
                int o = oy * size + ox;
                // shift 0 = blue, 8 = green, 16 = red: BGR order.
                for (int c = 0; c < 3; c++) {
                    int shift = 8 * c;
                    double top = (p11 >> shift & 0xFF) * (1 - dx) + (p12 >> shift & 0xFF) * dx;
                    double bottom = (p21 >> shift & 0xFF) * (1 - dx) + (p22 >> shift & 0xFF) * dx;
                    out[c * plane + o] = (float) (top * (1 - dy) + bottom * dy) - BGR_MEANS[c];
                }
            }
        }
        return out;
    }

    /**
     * Row {@code y} of the (cropped) picture as 0xRRGGBB, made on first use: read in place from an
     * int RGB picture, converted by {@link ImageLoader#toRgb} otherwise (which works pixel by pixel,
     * so a row of it is the row of the whole picture converted).
     */
    private static int[] row(int[][] rows, BufferedImage image, int x0, int y0, int w, int y) {
        int[] row = rows[y];
        if (row == null) {
            row = image.getType() == BufferedImage.TYPE_INT_RGB
                    ? (int[]) image.getRaster().getDataElements(x0, y0 + y, w, 1, null)
                    : (int[]) ImageLoader.toRgb(image.getSubimage(x0, y0 + y, w, 1)).getRaster().getDataElements(0, 0, w, 1, null);
            rows[y] = row;
        }
        return row;
    }
}
