package io.cnnsee.dl4j.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Where a Keras layer's weights come from: the model's file, checked against the shapes its
 * configuration gives; or drawn at random, for an untrained twin of the same network.
 */
public interface KerasWeights {

    /** A weight a layer needs: its role ("kernel", "bias", "gamma" ...) and Keras dimensions. */
    record Expected(String role, long... dims) {
        long size() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    /** The layer's weights, in Keras's order, each read when asked. */
    List<Supplier<float[]>> of(String layer, String kerasClass, List<Expected> expected);

    /**
     * The file's weights.
     *
     * @throws IllegalArgumentException naming the file, the layer and both shapes, where a weight is missing or misshapen
     */
    static KerasWeights of(KerasFile file) {
        return (layer, cls, expected) -> {
            List<KerasFile.Weight> found = file.weights(layer);
            if (found.size() != expected.size()) {
                throw new IllegalArgumentException(file.path().getFileName() + ": layer '" + layer + "' (Keras " + cls + ") should hold "
                        + expected.size() + " weights " + expected.stream().map(Expected::role).toList() + " but holds "
                        + found.size() + (found.isEmpty() ? " (was the model saved with its weights?)"
                        : " " + found.stream().map(KerasFile.Weight::name).toList()));
            }
            List<Supplier<float[]>> out = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                KerasFile.Weight w = found.get(i);
                Expected e = expected.get(i);
                if (!Arrays.equals(w.dims(), e.dims()) && !(e.dims().length == 0 && w.dims().length <= 1)) {
                    throw new IllegalArgumentException(file.path().getFileName() + ": layer '" + layer + "' (Keras " + cls + "): its "
                            + e.role() + " is " + Arrays.toString(w.dims()) + " where the configuration and the input give "
                            + Arrays.toString(e.dims()) + " (is the input size the one the network was built for?)");
                }
                out.add(w.values());
            }
            return out;
        };
    }

    /**
     * Untrained weights drawn from {@code seed}, as an initialiser would: kernels He-normal, biases
     * and shifts 0, scales 1; a normalisation's statistics of the picture (Normalization's mean and
     * variance), which are preprocessing rather than learning, from {@code preprocessing} (drawn
     * too where it is {@code null}: an architecture without its file).
     */
    static KerasWeights random(long seed, KerasWeights preprocessing) {
        return (layer, cls, expected) -> {
            if (cls.equals("Normalization") && preprocessing != null) {
                return preprocessing.of(layer, cls, expected);
            }
            List<Supplier<float[]>> out = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                Expected e = expected.get(i);
                long stream = seed * 31 + layer.hashCode() * 17L + i;
                out.add(() -> draw(e, stream));
            }
            return out;
        };
    }

    private static float[] draw(Expected e, long stream) {
        float[] v = new float[Math.toIntExact(e.size())];
        switch (e.role()) {
            case "kernel", "depthwise_kernel", "pointwise_kernel" -> {
                long[] d = e.dims();
                long fanIn = e.role().equals("depthwise_kernel") ? d[0] * d[1] : e.size() / d[d.length - 1];
                double sd = Math.sqrt(2.0 / Math.max(1, fanIn));
                SplittableRandom r = new SplittableRandom(stream);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (gaussian(r) * sd);
                }
            }
            case "gamma", "moving_variance", "variance", "count" -> Arrays.fill(v, 1f);
            default -> {
                // biases, shifts and means start at 0
            }
        }
        return v;
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double w = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }
}
