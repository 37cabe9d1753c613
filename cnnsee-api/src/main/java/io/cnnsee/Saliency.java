package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Saliency on the input picture, from any model that gives {@link InputGradients#inputGradient}:
 * <ul>
 * <li>{@link #vanilla}: the gradient of the objective (Simonyan et al. 2014);
 * <li>{@link #smoothGrad}: the gradient averaged over copies of the input with Gaussian noise
 *     (Smilkov et al. 2017), reproducible from its seed;
 * <li>{@link #integratedGradients}: the gradient averaged along the straight path from a baseline
 *     to the input, times their difference (Sundararajan et al. 2017); its attributions add up to
 *     the objective's change, which {@link SaliencyMap#completenessError()} reports.
 * </ul>
 * All work in the network input's units (after scaling), as the gradient is taken there.
 */
public final class Saliency {

    private Saliency() {
    }

    /** The gradient of {@code objective} at {@code image}. */
    public static SaliencyMap vanilla(InspectableModel network, BufferedImage image, Objective objective) {
        InputGradients model = network.require(InputGradients.class, "Saliency");
        InputGradient g = model.inputGradient(model.networkInput(image), objective);
        return gradientMap("vanilla gradient", objective, g.shape(), g.gradient(), Double.NaN);
    }

    /**
     * The gradient averaged over {@code samples} copies of the input, each with Gaussian noise of
     * standard deviation {@code noise} times the input's range (0.1 to 0.2 in the paper).
     */
    public static SaliencyMap smoothGrad(InspectableModel network, BufferedImage image, Objective objective, int samples,
                                         double noise, long seed) {
        InputGradients model = network.require(InputGradients.class, "SmoothGrad");
        if (samples < 1) {
            throw new IllegalArgumentException("SmoothGrad needs at least 1 sample, was " + samples);
        }
        if (!(noise >= 0) || !Double.isFinite(noise)) {
            throw new IllegalArgumentException("SmoothGrad's noise is a fraction of the input's range, 0 or more, was " + noise);
        }
        float[] x = model.networkInput(image);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double sigma = noise * (max - min);
        SplittableRandom random = new SplittableRandom(seed);
        List<float[]> copies = new ArrayList<>(samples);
        for (int s = 0; s < samples; s++) {
            float[] noisy = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                noisy[i] = (float) (x[i] + sigma * gaussian(random));
            }
            copies.add(noisy);
        }
        double[] sum = new double[x.length];
        MapShape shape = null;
        // One call: an engine runs the noisy copies as batches.
        for (InputGradient g : model.inputGradients(copies, java.util.Collections.nCopies(samples, objective))) {
            shape = g.shape();
            float[] d = g.gradient();
            for (int i = 0; i < d.length; i++) {
                sum[i] += d[i];
            }
        }
        float[] mean = new float[x.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (sum[i] / samples);
        }
        return gradientMap("SmoothGrad", objective, shape, mean, Double.NaN);
    }

    /**
     * Integrated Gradients from {@code baseline} (network input values; null for all zeros) to the
     * picture, the path's integral by the midpoint rule in {@code steps} steps.
     */
    public static SaliencyMap integratedGradients(InspectableModel network, BufferedImage image, Objective objective,
                                                  float[] baseline, int steps) {
        InputGradients model = network.require(InputGradients.class, "Integrated Gradients");
        if (steps < 1) {
            throw new IllegalArgumentException("Integrated Gradients needs at least 1 step, was " + steps);
        }
        float[] x = model.networkInput(image);
        float[] base = baseline == null ? new float[x.length] : baseline.clone();
        if (base.length != x.length) {
            throw new IllegalArgumentException("The baseline has " + base.length + " values, the input " + x.length);
        }
        List<float[]> points = new ArrayList<>(steps);
        for (int k = 0; k < steps; k++) {
            double alpha = (k + 0.5) / steps;
            float[] point = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                point[i] = (float) (base[i] + alpha * (x[i] - base[i]));
            }
            points.add(point);
        }
        double[] sum = new double[x.length];
        MapShape shape = null;
        for (InputGradient g : model.inputGradients(points, java.util.Collections.nCopies(steps, objective))) {
            shape = g.shape();
            float[] d = g.gradient();
            for (int i = 0; i < d.length; i++) {
                sum[i] += d[i];
            }
        }
        float[] attributions = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            attributions[i] = (float) ((x[i] - base[i]) * sum[i] / steps);
        }
        double difference = model.inputGradient(x, objective).value() - model.inputGradient(base, objective).value();
        int plane = shape.channelSize();
        float[] map = new float[plane];
        for (int p = 0; p < plane; p++) {
            double s = 0;
            for (int c = 0; c < shape.channels(); c++) {
                s += attributions[c * plane + p];
            }
            map[p] = (float) Math.abs(s);
        }
        return new SaliencyMap("Integrated Gradients", objective, shape, attributions, map, difference);
    }

    /**
     * Guided Backpropagation (Springenberg et al. 2015): the gradient of {@code objective} with
     * each ReLU's way back guided, only positive gradients passing where the ReLU's input was
     * positive. Sharper than the plain gradient, and by construction less about the class.
     */
    public static SaliencyMap guidedBackprop(InspectableModel network, BufferedImage image, Objective objective) {
        GuidedGradients model = network.require(GuidedGradients.class, "Guided Backpropagation");
        InputGradient g = model.guidedInputGradients(List.of(model.networkInput(image)), List.of(objective)).get(0);
        return gradientMap("Guided Backpropagation", objective, g.shape(), g.gradient(), Double.NaN);
    }

    /**
     * Guided Grad-CAM (Selvaraju et al. 2017): Guided Backpropagation of class {@code classIndex}'s
     * logit times Grad-CAM at {@code tap}, upsampled to the input and divided by its maximum, as
     * pytorch-grad-cam multiplies them: fine detail where the class's evidence lies.
     */
    public static SaliencyMap guidedGradCam(InspectableModel network, BufferedImage image, int classIndex, Tap tap) {
        GuidedGradients guided = network.require(GuidedGradients.class, "Guided Grad-CAM");
        ClassGradients classes = network.require(ClassGradients.class, "Guided Grad-CAM");
        ClassGradient gradient = classes.classGradient(image, classIndex, List.of(tap));
        ClassActivationMap cam = CamMethod.GRAD_CAM.compute(CamInput.of(gradient, tap, classes.classLabel(gradient.classIndex())));
        Objective objective = Objective.classLogit(gradient.classIndex());
        InputGradient g = guided.guidedInputGradients(List.of(guided.networkInput(image)), List.of(objective)).get(0);
        MapShape shape = g.shape();
        float[] mask = cam.upsampled(shape.width(), shape.height());
        float[] grad = g.gradient();
        float[] product = new float[grad.length];
        for (int i = 0; i < grad.length; i++) {
            product[i] = grad[i] * mask[i % shape.channelSize()];
        }
        return gradientMap("Guided Grad-CAM", objective, shape, product, Double.NaN);
    }

    /**
     * FullGrad (Srinivas and Fleuret 2019) of class {@code classIndex}'s logit, as pytorch-grad-cam
     * computes it ({@link FullGrad#of}): the input times its gradient and every bias times its
     * gradient, each made absolute and scaled, summed over the picture.
     */
    public static SaliencyMap fullGrad(InspectableModel network, BufferedImage image, int classIndex) {
        BiasGradients model = network.require(BiasGradients.class, "FullGrad");
        return FullGrad.of(model.fullGradient(Objects.requireNonNull(image, "image"), classIndex));
    }

    /** Per pixel the largest magnitude of the gradient over the channels. */
    private static SaliencyMap gradientMap(String method, Objective objective, MapShape shape, float[] gradient,
                                           double difference) {
        Objects.requireNonNull(shape, "shape");
        int plane = shape.channelSize();
        float[] map = new float[plane];
        for (int c = 0; c < shape.channels(); c++) {
            for (int p = 0; p < plane; p++) {
                map[p] = Math.max(map[p], Math.abs(gradient[c * plane + p]));
            }
        }
        return new SaliencyMap(method, objective, shape, gradient, map, difference);
    }

    /** A standard normal value (Box-Muller), from {@code random} alone, so a seed gives the same noise everywhere. */
    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
