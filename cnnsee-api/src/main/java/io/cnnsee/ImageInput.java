package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a network takes as input and how a picture becomes it: height and width, 1 or 3 channels
 * in RGB or BGR order, and per channel {@code value = (pixel * scale - mean) / std} with pixels
 * from 0 to 255. Immutable and thread-safe; made from a preset ({@link #caffe}, {@link #torch},
 * {@link #tensorflow}, {@link #unit}, or {@link #preset(String, int, int)} by name) or with
 * {@link #of}.
 *
 * <p>A picture of any size and colour model is made 8-bit RGB ({@link ImageLoader#toRgb}),
 * optionally cropped to its central square, then resized to height x width by bilinear
 * interpolation with pixel centres aligned (Pillow's and OpenCV's convention for
 * {@code align_corners=False}), without anti-aliasing. One channel is the BT.601 luma
 * {@code 0.299 R + 0.587 G + 0.114 B}.
 */
public final class ImageInput {

    /** The order of the colour channels the network was trained on. */
    public enum ChannelOrder { RGB, BGR }

    /** The presets {@link #preset(String, int, int)} knows, as the command line names them. */
    public static final List<String> PRESETS = List.of("caffe", "torch", "tensorflow", "unit", "raw");

    /** ImageNet's channel means in B, G, R order, which Keras' "caffe" mode subtracts. */
    private static final float[] CAFFE_BGR_MEANS = {103.939f, 116.779f, 123.68f};

    private final String name;
    private final int height;
    private final int width;
    private final int channels;
    private final ChannelOrder order;
    private final float scale;
    private final float[] mean;
    private final float[] std;
    private final boolean centerCrop;

    private ImageInput(String name, int height, int width, int channels, ChannelOrder order, float scale,
                       float[] mean, float[] std, boolean centerCrop) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("An input needs at least 1 x 1 pixels, was " + height + " x " + width);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("A picture becomes 1 (grey) or 3 (colour) channels, not " + channels);
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("Give one mean and one std per channel: " + channels + " channels, "
                    + mean.length + " means, " + std.length + " stds");
        }
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("The pixel scale must be a positive number, was " + scale);
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("Each std must be a positive number, was " + Arrays.toString(std));
            }
        }
        this.name = Objects.requireNonNull(name, "name");
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.order = Objects.requireNonNull(order, "order");
        this.scale = scale;
        this.mean = mean.clone();
        this.std = std.clone();
        this.centerCrop = centerCrop;
    }

    /** Keras' "caffe" mode (VGG, ResNet50 of Keras): BGR, 0..255, ImageNet means subtracted. */
    public static ImageInput caffe(int size) {
        return new ImageInput("caffe", size, size, 3, ChannelOrder.BGR, 1f, CAFFE_BGR_MEANS, new float[] {1, 1, 1}, false);
    }

    /** torchvision's ImageNet convention: RGB, 0..1, then mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225). */
    public static ImageInput torch(int size) {
        return new ImageInput("torch", size, size, 3, ChannelOrder.RGB, 1f / 255,
                new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, false);
    }

    /** Keras' "tf" mode (MobileNet, Inception, Xception): RGB scaled to -1..1. */
    public static ImageInput tensorflow(int size) {
        return new ImageInput("tensorflow", size, size, 3, ChannelOrder.RGB, 1f / 127.5f,
                new float[] {1, 1, 1}, new float[] {1, 1, 1}, false);
    }

    /** RGB scaled to 0..1, nothing subtracted: what many networks trained from scratch expect. */
    public static ImageInput unit(int size) {
        return new ImageInput("unit", size, size, 3, ChannelOrder.RGB, 1f / 255, new float[3],
                new float[] {1, 1, 1}, false);
    }

    /**
     * RGB 0..255 as the pixels are: networks that scale their input themselves (Keras's
     * EfficientNet and ConvNeXt, whose first layers are Rescaling and Normalization).
     */
    public static ImageInput raw(int size) {
        return new ImageInput("raw", size, size, 3, ChannelOrder.RGB, 1f, new float[3], new float[] {1, 1, 1}, false);
    }

    /**
     * A preset by name: {@code caffe} (also {@code vgg}), {@code torch}, {@code tensorflow} (also
     * {@code tf}), {@code unit} (also {@code 0..1}), {@code raw} (also {@code 0..255}), for height x width pixels.
     *
     * @throws IllegalArgumentException naming the presets when {@code name} is none of them
     */
    public static ImageInput preset(String name, int height, int width) {
        Objects.requireNonNull(name, "name");
        ImageInput square = switch (name.toLowerCase(Locale.ROOT)) {
            case "caffe", "vgg" -> caffe(1);
            case "torch", "pytorch" -> torch(1);
            case "tensorflow", "tf" -> tensorflow(1);
            case "unit", "0..1" -> unit(1);
            case "raw", "0..255" -> raw(1);
            default -> throw new IllegalArgumentException("Unknown input preset '" + name + "': choose one of " + PRESETS);
        };
        return square.withSize(height, width);
    }

    /**
     * An input of one's own: {@code value = (pixel * scale - mean[c]) / std[c]} for each channel
     * c in the network's order, pixels 0 to 255.
     */
    public static ImageInput of(int height, int width, int channels, ChannelOrder order, float scale, float[] mean,
                                float[] std) {
        return new ImageInput("custom", height, width, channels, order, scale, mean, std, false);
    }

    /** The same conventions for another size. */
    public ImageInput withSize(int height, int width) {
        return new ImageInput(name, height, width, channels, order, scale, mean, std, centerCrop);
    }

    /**
     * The same conventions for a one-channel (grey) network: the mean and std become those of
     * the channels averaged, so a grey picture gets the value its colour version would have had.
     */
    public ImageInput grey() {
        if (channels == 1) {
            return this;
        }
        float m = (mean[0] + mean[1] + mean[2]) / 3;
        float s = (std[0] + std[1] + std[2]) / 3;
        return new ImageInput(name, height, width, 1, order, scale, new float[] {m}, new float[] {s}, centerCrop);
    }

    /** Whether pictures are cropped to their central square first, keeping proportions. */
    public ImageInput withCenterCrop(boolean crop) {
        return new ImageInput(name, height, width, channels, order, scale, mean, std, crop);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    public ChannelOrder order() {
        return order;
    }

    public float scale() {
        return scale;
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    public boolean centerCrop() {
        return centerCrop;
    }

    /** The shape the network reads: channels x height x width. */
    public MapShape shape() {
        return new MapShape(channels, height, width);
    }

    /** The part of {@code image} that is resized: its central square with {@link #centerCrop()}, else all of it. */
    public BufferedImage view(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        if (!centerCrop || image.getWidth() == image.getHeight()) {
            return image;
        }
        int side = Math.min(image.getWidth(), image.getHeight());
        return image.getSubimage((image.getWidth() - side) / 2, (image.getHeight() - side) / 2, side, side);
    }

    /** The network input for {@code image}: channels x height x width floats, channel after channel. */
    public float[] toChannelsFirst(BufferedImage image) {
        BufferedImage source = view(image);
        int w = source.getWidth();
        int h = source.getHeight();
        // Only the rows the interpolation reads are made RGB, each once: 224 output rows read at
        // most 448 of a photograph's 3024, where converting the whole 12-megapixel picture took 45 ms.
        int[][] rows = new int[h][];
        float[] out = new float[channels * height * width];
        int plane = height * width;
        double sx = (double) w / width;
        double sy = (double) h / height;
        // Where each network channel's byte sits in 0xRRGGBB.
        int[] shifts = order == ChannelOrder.BGR ? new int[] {0, 8, 16} : new int[] {16, 8, 0};
        double[] value = new double[3];
        if (w == width && h == height) {
            // Already the input's size: each pixel as it is (what the interpolation gives, without its arithmetic).
            for (int y = 0; y < height; y++) {
                int[] pixels = row(rows, source, w, y);
                for (int x = 0; x < width; x++) {
                    for (int c = 0; c < 3; c++) {
                        value[c] = pixels[x] >> shifts[c] & 0xFF;
                    }
                    store(value, out, y * width + x, plane);
                }
            }
            return out;
        }
        for (int oy = 0; oy < height; oy++) {
            double fy = Math.max(0, (oy + 0.5) * sy - 0.5);
            int y1 = Math.min((int) fy, h - 1);
            int y2 = Math.min(y1 + 1, h - 1);
            double dy = fy - y1;
            int[] upper = row(rows, source, w, y1);
            int[] lower = row(rows, source, w, y2);
            for (int ox = 0; ox < width; ox++) {
                double fx = Math.max(0, (ox + 0.5) * sx - 0.5);
                int x1 = Math.min((int) fx, w - 1);
                int x2 = Math.min(x1 + 1, w - 1);
                double dx = fx - x1;
                int p11 = upper[x1];
                int p12 = upper[x2];
                int p21 = lower[x1];
                int p22 = lower[x2];
                for (int c = 0; c < 3; c++) {
                    int shift = shifts[c];
                    double top = (p11 >> shift & 0xFF) * (1 - dx) + (p12 >> shift & 0xFF) * dx;
                    double bottom = (p21 >> shift & 0xFF) * (1 - dx) + (p22 >> shift & 0xFF) * dx;
                    value[c] = top * (1 - dy) + bottom * dy;
                }
                store(value, out, oy * width + ox, plane);
            }
        }
        return out;
    }

    /**
     * A picture already of the input's size, given as R, G, B planes of height x width values
     * from 0 to 255 (fractions allowed), as the network's input: what a picture being optimised
     * (feature visualisation) becomes.
     */
    public float[] toChannelsFirst(double[] rgb) {
        int plane = height * width;
        if (rgb.length != 3 * plane) {
            throw new IllegalArgumentException("An RGB picture of " + height + " x " + width + " has " + 3 * plane
                    + " values, not " + rgb.length);
        }
        float[] out = new float[channels * plane];
        double[] value = new double[3];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                value[c] = rgb[(order == ChannelOrder.BGR ? 2 - c : c) * plane + p];
            }
            store(value, out, p, plane);
        }
        return out;
    }

    /**
     * The transpose of {@link #toChannelsFirst(double[])}: a gradient with respect to the
     * network's input as one with respect to the R, G, B planes of 0..255 values.
     */
    public double[] rgbGradient(float[] gradient) {
        int plane = height * width;
        if (gradient.length != channels * plane) {
            throw new IllegalArgumentException("An input of " + shape() + " has " + shape().size() + " gradient values, not "
                    + gradient.length);
        }
        double[] d = new double[3 * plane];
        for (int p = 0; p < plane; p++) {
            if (channels == 1) {
                double g = gradient[p] * (double) scale / std[0];
                d[p] = 0.299 * g;
                d[plane + p] = 0.587 * g;
                d[2 * plane + p] = 0.114 * g;
                continue;
            }
            for (int c = 0; c < 3; c++) {
                d[(order == ChannelOrder.BGR ? 2 - c : c) * plane + p] = gradient[c * plane + p] * (double) scale / std[c];
            }
        }
        return d;
    }

    /** One pixel, its values in the network's channel order, into {@code out} at {@code o}: grey's luma, or each channel. */
    private void store(double[] value, float[] out, int o, int plane) {
        if (channels == 1) {
            double luma = order == ChannelOrder.BGR
                    ? 0.114 * value[0] + 0.587 * value[1] + 0.299 * value[2]
                    : 0.299 * value[0] + 0.587 * value[1] + 0.114 * value[2];
            out[o] = normalise(luma, 0);
        } else {
            for (int c = 0; c < 3; c++) {
                out[c * plane + o] = normalise(value[c], c);
            }
        }
    }

    /** In float, as Keras computes it: {@code (float) pixel - mean} exactly when scale and std are 1. */
    private float normalise(double pixel, int c) {
        float v = scale == 1f ? (float) pixel : (float) (pixel * scale);
        return std[c] == 1f ? v - mean[c] : (v - mean[c]) / std[c];
    }

    /**
     * Row {@code y} of the picture as 0xRRGGBB, made on first use: read in place from an int RGB
     * picture, converted by {@link ImageLoader#toRgb} otherwise (which works pixel by pixel, so a
     * row of it is the row of the whole picture converted).
     */
    private static int[] row(int[][] rows, BufferedImage image, int w, int y) {
        int[] row = rows[y];
        if (row == null) {
            row = image.getType() == BufferedImage.TYPE_INT_RGB
                    ? (int[]) image.getRaster().getDataElements(0, y, w, 1, null)
                    : (int[]) ImageLoader.toRgb(image.getSubimage(0, y, w, 1)).getRaster().getDataElements(0, 0, w, 1, null);
            rows[y] = row;
        }
        return row;
    }

    /** E.g. {@code 224 x 224 x 3 BGR, caffe: (pixel - mean) with mean [103.939, 116.779, 123.68]}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(height).append(" x ").append(width).append(" x ").append(channels)
                .append(channels == 1 ? " grey" : " " + order).append(", ").append(name).append(": ");
        s.append(scale == 1f ? "pixel" : "pixel * " + trim(scale));
        s.append(" - ").append(channels == 1 ? trim(mean[0]) : "mean " + Arrays.toString(mean));
        if (!allOnes(std)) {
            s.insert(s.indexOf(": ") + 2, "(").append(") / ").append(channels == 1 ? trim(std[0]) : "std " + Arrays.toString(std));
        }
        if (centerCrop) {
            s.append(", central square");
        }
        return s.toString();
    }

    private static boolean allOnes(float[] values) {
        for (float v : values) {
            if (v != 1f) {
                return false;
            }
        }
        return true;
    }

    private static String trim(float v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.6g", v).replaceAll("0+$", "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageInput other && height == other.height && width == other.width && channels == other.channels
                && order == other.order && scale == other.scale && Arrays.equals(mean, other.mean)
                && Arrays.equals(std, other.std) && centerCrop == other.centerCrop;
    }

    @Override
    public int hashCode() {
        return Objects.hash(height, width, channels, order, scale, Arrays.hashCode(mean), Arrays.hashCode(std), centerCrop);
    }
}
