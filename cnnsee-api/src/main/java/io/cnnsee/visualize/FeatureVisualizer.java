package io.cnnsee.visualize;

import io.cnnsee.ImageInput;
import io.cnnsee.InputGradient;
import io.cnnsee.InputGradients;
import io.cnnsee.InspectableModel;
import io.cnnsee.Objective;
import io.cnnsee.Tap;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The picture a channel wants to see: activation maximisation as Lucid does it (Olah et al.,
 * "Feature Visualization", Distill 2017). The picture is parameterised in a decorrelated colour,
 * 1/f-scaled Fourier space ({@link FourierImage}); at every step the network sees a random
 * shifted, scaled and rotated view of it ({@link RandomTransform}), and Adam climbs the gradient
 * of the channel's mean (or centre unit), less optional total-variation and L2 penalties. Any model
 * that gives {@link io.cnnsee.InputGradients} works.
 * <pre>{@code
 * List<Visualization> v = FeatureVisualizer.builder(model).layer("block4_conv3").channels(0, 1, 2).steps(256).seed(1)
 *         .build().run();
 * }</pre>
 * The same seed gives the same pictures, bit for bit, on one machine. With random weights the
 * pictures look like coloured noise: there is nothing learned to see.
 */
public final class FeatureVisualizer {

    private final InputGradients model;
    private final Tap tap;
    private final List<Integer> channels;
    private final int steps;
    private final int size;
    private final long seed;
    private final double learningRate;
    private final double totalVariation;
    private final double l2;
    private final boolean transforms;
    private final boolean centre;
    private final ImageInput input;
    private final int batch;

    private FeatureVisualizer(Builder b) {
        this.model = b.model.require(InputGradients.class, "Feature visualisation");
        this.tap = b.model.tap(b.layer);
        this.channels = List.copyOf(b.channels);
        this.steps = b.steps;
        this.size = b.size;
        this.seed = b.seed;
        this.learningRate = b.learningRate;
        this.totalVariation = b.totalVariation;
        this.l2 = b.l2;
        this.transforms = b.transforms;
        this.centre = b.centre;
        this.batch = b.batch;
        this.input = model.imageInput();
    }

    public static Builder builder(InspectableModel model) {
        return new Builder(Objects.requireNonNull(model, "model"));
    }

    /**
     * One picture per channel, in the order asked. The channels are optimised together, up to
     * {@link Builder#batch} at a time: each step sends all their views through the network as one
     * batch ({@link InputGradients#inputGradients}), which costs less per channel on models that
     * batch. Each channel keeps its own random views and optimiser, so its picture is the one
     * {@link #run(int)} makes, up to the rounding of a batched pass.
     */
    public List<Visualization> run() {
        List<Visualization> out = new ArrayList<>(channels.size());
        for (int from = 0; from < channels.size(); from += batch) {
            out.addAll(together(channels.subList(from, Math.min(channels.size(), from + batch))));
        }
        return out;
    }

    /** The picture of one channel, alone. */
    public Visualization run(int channel) {
        return together(List.of(channel)).get(0);
    }

    private List<Visualization> together(List<Integer> chosen) {
        int n = chosen.size();
        List<Objective> objectives = new ArrayList<>(n);
        SplittableRandom[] randoms = new SplittableRandom[n];
        FourierImage[] pictures = new FourierImage[n];
        Adam[] adams = new Adam[n];
        double[][] history = new double[n][steps];
        for (int k = 0; k < n; k++) {
            int channel = chosen.get(k);
            objectives.add(centre ? Objective.centreUnit(tap.layerName(), channel) : Objective.channelMean(tap.layerName(), channel));
            randoms[k] = new SplittableRandom(seed * 1_000_003L + channel);
            pictures[k] = new FourierImage(size, size, randoms[k]);
            adams[k] = new Adam(pictures[k].params().length, learningRate);
        }
        double[][] rgb = new double[n][];
        RandomTransform[] views = new RandomTransform[n];
        float[][] inputs = new float[n][];
        for (int step = 0; step < steps; step++) {
            // Each channel's picture work is its own (its own random stream): a batch's channels
            // share the cores while the network waits, with the same result as one after another.
            IntStream.range(0, n).parallel().forEach(k -> {
                rgb[k] = pictures[k].rgb();
                views[k] = new RandomTransform(size, size, input.height(), input.width(), randoms[k],
                        transforms ? size / 28.0 : 0, transforms ? 0.95 : 1, transforms ? 1.05 : 1, transforms ? 5 : 0);
                inputs[k] = toNetwork(views[k].apply(rgb[k]));
            });
            List<InputGradient> gradients = model.inputGradients(List.of(inputs), objectives);
            int at = step;
            IntStream.range(0, n).parallel().forEach(k -> {
                InputGradient g = gradients.get(k);
                history[k][at] = g.value();
                double[] dRgb = views[k].backward(fromNetwork(g.gradient()));
                penalise(rgb[k], dRgb);
                adams[k].ascend(pictures[k].params(), pictures[k].backward(rgb[k], dRgb));
            });
        }
        List<Visualization> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            out.add(new Visualization(tap, chosen.get(k), objectives.get(k), toImage(pictures[k].rgb()), history[k], seed));
        }
        return out;
    }

    /**
     * A total-variation weight that smooths a picture of {@code side} x {@code side} without
     * flattening it, for a channel whose objective reaches about {@code objective} without the
     * penalty: the penalty then takes a tenth to a third of it, since an unpenalised picture's
     * total variation is 0.2 to 1 per pixel (measured on VGG16 and the edge network of the tests).
     * Ten times more flattens the picture (docs/visualize.md).
     */
    public static double gentleTotalVariation(double objective, int side) {
        return Math.abs(objective) / (3.0 * side * side);
    }

    /** Total variation (squared differences of neighbours) and L2 about grey, subtracted from the objective. */
    private void penalise(double[] rgb, double[] dRgb) {
        int plane = size * size;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int i = c * plane + y * size + x;
                    if (l2 > 0) {
                        dRgb[i] -= l2 * 2 * (rgb[i] - 0.5);
                    }
                    if (totalVariation > 0) {
                        if (x + 1 < size) {
                            double d = rgb[i + 1] - rgb[i];
                            dRgb[i] += totalVariation * 2 * d;
                            dRgb[i + 1] -= totalVariation * 2 * d;
                        }
                        if (y + 1 < size) {
                            double d = rgb[i + size] - rgb[i];
                            dRgb[i] += totalVariation * 2 * d;
                            dRgb[i + size] -= totalVariation * 2 * d;
                        }
                    }
                }
            }
        }
    }

    /** An RGB view (0..1) as the network's input, as the model's {@link ImageInput} scales pictures. */
    private float[] toNetwork(double[] rgb) {
        double[] pixels = new double[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            pixels[i] = 255 * rgb[i];
        }
        return input.toChannelsFirst(pixels);
    }

    /** The transpose of {@link #toNetwork}: a gradient with respect to the network input as one with respect to the RGB view. */
    private double[] fromNetwork(float[] gradient) {
        double[] d = input.rgbGradient(gradient);
        for (int i = 0; i < d.length; i++) {
            d[i] *= 255;
        }
        return d;
    }

    private BufferedImage toImage(double[] rgb) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int p = y * size + x;
                int r = (int) Math.round(255 * rgb[p]);
                int g = (int) Math.round(255 * rgb[plane + p]);
                int b = (int) Math.round(255 * rgb[2 * plane + p]);
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    /** Adam (Kingma and Ba), climbing. */
    private static final class Adam {
        private final double[] m;
        private final double[] v;
        private final double rate;
        private int t;

        Adam(int n, double rate) {
            this.m = new double[n];
            this.v = new double[n];
            this.rate = rate;
        }

        void ascend(double[] params, double[] gradient) {
            t++;
            double b1 = 0.9;
            double b2 = 0.999;
            double c1 = 1 - Math.pow(b1, t);
            double c2 = 1 - Math.pow(b2, t);
            for (int i = 0; i < params.length; i++) {
                m[i] = b1 * m[i] + (1 - b1) * gradient[i];
                v[i] = b2 * v[i] + (1 - b2) * gradient[i] * gradient[i];
                params[i] += rate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
            }
        }
    }

    /** Options of a visualisation; {@link #layer} and {@link #channels} are required. */
    public static final class Builder {
        private final InspectableModel model;
        private String layer;
        private List<Integer> channels = List.of();
        private int steps = 256;
        private int size = -1;
        private long seed = 1;
        private double learningRate = 0.05;
        private double totalVariation;
        private double l2;
        private boolean transforms = true;
        private boolean centre;
        private int batch = 16;

        private Builder(InspectableModel model) {
            this.model = model;
        }

        /** The tap whose channels are visualised, by its layer name. */
        public Builder layer(String layer) {
            this.layer = Objects.requireNonNull(layer, "layer");
            return this;
        }

        public Builder channels(int... channels) {
            List<Integer> list = new ArrayList<>();
            for (int c : channels) {
                list.add(c);
            }
            return channels(list);
        }

        public Builder channels(List<Integer> channels) {
            this.channels = List.copyOf(channels);
            return this;
        }

        /** Gradient steps; 256 by default. */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * Channels optimised together as one batch; 16 by default. More cost less per channel
         * where the model batches, and more memory (VGG16 at block4_conv3: about 60 MB a channel).
         */
        public Builder batch(int channels) {
            if (channels < 1) {
                throw new IllegalArgumentException("A batch holds at least 1 channel, was " + channels);
            }
            this.batch = channels;
            return this;
        }

        /** Side of the square picture optimised; the network's input height by default. */
        public Builder size(int size) {
            this.size = size;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Adam's step; 0.05 by default, as Lucid. */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /**
         * Weight of the total-variation penalty (sum of squared neighbour differences over the
         * picture); 0 by default. The penalty grows with the picture, the objective (a channel's
         * mean) with the layer: {@link FeatureVisualizer#gentleTotalVariation} suggests a weight.
         */
        public Builder totalVariation(double weight) {
            this.totalVariation = weight;
            return this;
        }

        /** Weight of the L2 penalty about grey; 0 by default. */
        public Builder l2(double weight) {
            this.l2 = weight;
            return this;
        }

        /** Whether each step sees a random shifted, scaled, rotated view; true by default. */
        public Builder transforms(boolean transforms) {
            this.transforms = transforms;
            return this;
        }

        /** Maximise the channel's centre unit instead of its mean. */
        public Builder centreUnit(boolean centre) {
            this.centre = centre;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the layers, channels or settings allowed
         */
        public FeatureVisualizer build() {
            if (layer == null) {
                throw new IllegalArgumentException("Name the layer whose channels to visualise");
            }
            Tap tap = model.tap(layer);
            if (channels.isEmpty()) {
                throw new IllegalArgumentException("Name at least one channel of " + layer + " (0 to "
                        + (tap.shape().channels() - 1) + ")");
            }
            for (int c : channels) {
                if (c < 0 || c >= tap.shape().channels()) {
                    throw new IllegalArgumentException(layer + " has channels 0 to " + (tap.shape().channels() - 1)
                            + ", not " + c);
                }
            }
            if (steps < 1) {
                throw new IllegalArgumentException("Feature visualisation needs at least 1 step, was " + steps);
            }
            if (size == -1) {
                size = model.inputShape().height();
            }
            if (size < 8) {
                throw new IllegalArgumentException("The picture must be at least 8 pixels wide, was " + size);
            }
            if (!(learningRate > 0) || totalVariation < 0 || l2 < 0) {
                throw new IllegalArgumentException("The learning rate must be positive and the penalties 0 or more");
            }
            return new FeatureVisualizer(this);
        }
    }
}
