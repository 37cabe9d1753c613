package io.cnnsee;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * How faithful a map is to the model: what happens to the class's probability when the pixels the
 * map ranks highest are taken away, or given first. Every score runs the model forward on
 * perturbed copies of the picture, as batches ({@link InputScores}).
 *
 * <ul>
 *   <li><b>Deletion</b> (Petsiuk et al. 2018): the most salient pixels removed first, in
 *   {@code steps} equal steps; the area under the probability curve, lower is better.</li>
 *   <li><b>Insertion</b>: from nothing, the most salient pixels given first; higher is better.</li>
 *   <li><b>Average drop</b> and <b>increase in confidence</b> (Chattopadhyay et al. 2018): the
 *   picture multiplied by the map (0 to 1), its probability O against the picture's Y;
 *   drop = max(0, Y - O) / Y, the paper's relative form (pytorch-grad-cam's is the absolute
 *   max(0, Y - O)), lower is better; increase when O > Y.</li>
 * </ul>
 *
 * <p>A removed pixel takes the value 0 of the network's input: black for inputs of 0..1, the
 * training set's mean colour for inputs that subtract it (caffe, torch). Petsiuk et al. insert
 * into a blurred picture; cnnsee inserts into that same baseline, so deletion and insertion are
 * mirror images. Pixels of equal salience go in reading order.
 */
public final class Faithfulness {

    /** Steps of a curve by default: each costs one forward pass. */
    public static final int DEFAULT_STEPS = 32;

    /** Perturbed pictures scored at once, so that the copies of a large picture need not be held together. */
    private static final int CHUNK = 32;

    private Faithfulness() {
    }

    /**
     * A curve: the class's probability after each step, from step 0 (nothing changed) to the last
     * (every pixel changed), and the area under it over 0..1.
     */
    public record Curve(String kind, double[] probabilities, double area) {
        public Curve {
            Objects.requireNonNull(kind, "kind");
            probabilities = probabilities.clone();
        }

        @Override
        public double[] probabilities() {
            return probabilities.clone();
        }
    }

    /** One map's scores; {@code road} is null when ROAD was not asked for. */
    public record Scores(String method, Curve deletion, Curve insertion, double averageDrop, boolean increase, Road road) {
        public Scores {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(deletion, "deletion");
            Objects.requireNonNull(insertion, "insertion");
        }

        /** ROAD's result, when it was asked for. */
        public java.util.Optional<Road> roadScores() {
            return java.util.Optional.ofNullable(road);
        }

        /** Insertion's area less deletion's: higher is more faithful; how the report ranks methods. */
        public double difference() {
            return insertion.area() - deletion.area();
        }
    }

    /**
     * Every score of {@code map} for its class.
     *
     * @param input the picture as the network's input ({@link InputScores#networkInput})
     * @param steps the steps of each curve, at least 1
     */
    public static Scores of(InputScores model, float[] input, ClassActivationMap map, int steps) {
        return of(model, input, map, steps, false);
    }

    /**
     * Every score of {@code map}, and ROAD over {@link #ROAD_PERCENTAGES} with {@link #ROAD_NOISE}
     * (seed 0) when {@code road}: slower, a linear system per perturbed picture.
     */
    public static Scores of(InputScores model, float[] input, ClassActivationMap map, int steps, boolean road) {
        Objects.requireNonNull(map, "map");
        MapShape shape = model.inputShape();
        return scores(map.method(), model, input, map.upsampled(shape.width(), shape.height()), map.classIndex(), steps, road);
    }

    /**
     * {@link #of(InputScores, float[], ClassActivationMap, int, boolean)} for a saliency map of one
     * class's logit (FullGrad, Guided Grad-CAM, ...), its map divided by its maximum.
     *
     * @throws IllegalArgumentException if the map explains something else than one class's logit
     */
    public static Scores of(InputScores model, float[] input, SaliencyMap map, int steps, boolean road) {
        Objects.requireNonNull(map, "map");
        List<Objective.Term> terms = map.objective().terms();
        if (terms.size() != 1 || terms.get(0).kind() != Objective.Kind.CLASS_LOGIT) {
            throw new IllegalArgumentException("Faithfulness scores a map of one class's logit; " + map.method()
                    + " explains " + map.objective());
        }
        float[] saliency = map.map();
        float max = 0;
        for (float v : saliency) {
            max = Math.max(max, v);
        }
        for (int i = 0; i < saliency.length; i++) {
            saliency[i] = max > 0 ? saliency[i] / max : 0;
        }
        return scores(map.method(), model, input, saliency, terms.get(0).index(), steps, road);
    }

    private static Scores scores(String method, InputScores model, float[] input, float[] saliency, int classIndex, int steps,
                                 boolean road) {
        double[] confidence = confidence(model, input, saliency, classIndex);
        return new Scores(method, deletion(model, input, saliency, classIndex, steps),
                insertion(model, input, saliency, classIndex, steps),
                Math.max(0, confidence[0] - confidence[1]) / confidence[0], confidence[1] > confidence[0],
                road ? road(model, input, saliency, classIndex, ROAD_PERCENTAGES, ROAD_NOISE, 0) : null);
    }

    /** The deletion curve: the most salient of {@code saliency}'s pixels (one per input position) removed first. */
    public static Curve deletion(InputScores model, float[] input, float[] saliency, int classIndex, int steps) {
        return curve("deletion", model, input, saliency, classIndex, steps, true);
    }

    /** The insertion curve: the most salient pixels given first, into the baseline of zeros. */
    public static Curve insertion(InputScores model, float[] input, float[] saliency, int classIndex, int steps) {
        return curve("insertion", model, input, saliency, classIndex, steps, false);
    }

    /** The class's probability for the picture and for the picture multiplied by {@code saliency} (0 to 1). */
    static double[] confidence(InputScores model, float[] input, float[] saliency, int classIndex) {
        int plane = plane(model, input, saliency);
        float[] explained = new float[input.length];
        for (int i = 0; i < input.length; i++) {
            explained[i] = input[i] * saliency[i % plane];
        }
        List<float[]> logits = model.classScores(List.of(input, explained));
        return new double[] {probability(logits.get(0), classIndex), probability(logits.get(1), classIndex)};
    }

    private static Curve curve(String kind, InputScores model, float[] input, float[] saliency, int classIndex, int steps,
                               boolean deleting) {
        Objects.requireNonNull(input, "input");
        if (steps < 1) {
            throw new IllegalArgumentException("A curve needs at least 1 step, was " + steps);
        }
        int plane = plane(model, input, saliency);
        int[] order = IntStream.range(0, plane).boxed()
                .sorted(Comparator.comparingDouble((Integer p) -> -saliency[p]).thenComparingInt(p -> p))
                .mapToInt(Integer::intValue).toArray();
        double[] probabilities = new double[steps + 1];
        for (int from = 0; from <= steps; from += CHUNK) {
            int count = Math.min(CHUNK, steps + 1 - from);
            List<float[]> pictures = new ArrayList<>(count);
            for (int s = from; s < from + count; s++) {
                int changed = (int) Math.round((double) s * plane / steps);
                boolean[] taken = new boolean[plane];
                for (int i = 0; i < changed; i++) {
                    taken[order[i]] = true;
                }
                float[] picture = new float[input.length];
                for (int i = 0; i < input.length; i++) {
                    // Deleting keeps what is not taken; inserting shows only what is.
                    picture[i] = taken[i % plane] != deleting ? input[i] : 0;
                }
                pictures.add(picture);
            }
            List<float[]> logits = model.classScores(pictures);
            for (int s = 0; s < count; s++) {
                probabilities[from + s] = probability(logits.get(s), classIndex);
            }
        }
        return new Curve(kind, probabilities, area(probabilities));
    }

    /**
     * ROAD's percentages of pixels removed, 10 to 90 as Rong et al. At p, exactly p % go, ties in
     * reading order; pytorch-grad-cam removes what is at or above the p-th percentile instead,
     * (100 - p) %, which gives the same combined score over these symmetric percentages.
     */
    public static final List<Integer> ROAD_PERCENTAGES = List.of(10, 20, 30, 40, 50, 60, 70, 80, 90);
    /** The noise ROAD adds to imputed values, in the network input's units, as pytorch-grad-cam's default. */
    public static final double ROAD_NOISE = 0.01;

    /**
     * ROAD (Rong et al. 2022): the class's probability after each percentage of pixels is removed,
     * the most relevant first (MoRF) and the least relevant first (LeRF), the holes filled by noisy
     * linear imputation so that their shape does not tell the network what was removed. The score
     * is the mean over the percentages of (LeRF - MoRF) / 2, as pytorch-grad-cam's ROADCombined:
     * higher is better.
     */
    public record Road(List<Integer> percentages, double[] mostRelevantFirst, double[] leastRelevantFirst, double score) {
        public Road {
            percentages = List.copyOf(percentages);
            mostRelevantFirst = mostRelevantFirst.clone();
            leastRelevantFirst = leastRelevantFirst.clone();
        }

        @Override
        public double[] mostRelevantFirst() {
            return mostRelevantFirst.clone();
        }

        @Override
        public double[] leastRelevantFirst() {
            return leastRelevantFirst.clone();
        }
    }

    /**
     * ROAD of {@code saliency} (one value per input position) for {@code classIndex}; 2 pictures
     * per percentage, scored as batches.
     *
     * @param noise the imputation noise's standard deviation ({@link #ROAD_NOISE}); 0 for none
     */
    public static Road road(InputScores model, float[] input, float[] saliency, int classIndex, List<Integer> percentages,
                            double noise, long seed) {
        int plane = plane(model, input, saliency);
        Objects.requireNonNull(percentages, "percentages");
        MapShape shape = model.inputShape();
        int[] descending = IntStream.range(0, plane).boxed()
                .sorted(Comparator.comparingDouble((Integer p) -> -saliency[p]).thenComparingInt(p -> p))
                .mapToInt(Integer::intValue).toArray();
        int[] ascending = IntStream.range(0, plane).boxed()
                .sorted(Comparator.comparingDouble((Integer p) -> saliency[p]).thenComparingInt(p -> p))
                .mapToInt(Integer::intValue).toArray();
        List<float[]> pictures = new ArrayList<>(2 * percentages.size());
        for (int percent : percentages) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("ROAD removes 0 to 100 % of the pixels, was " + percent);
            }
            int count = (int) Math.round(percent / 100.0 * plane);
            for (int[] order : new int[][] {descending, ascending}) {
                boolean[] removed = new boolean[plane];
                for (int i = 0; i < count; i++) {
                    removed[order[i]] = true;
                }
                pictures.add(NoisyLinearImputer.impute(input, shape.height(), shape.width(), removed, noise, seed + pictures.size()));
            }
        }
        double[] morf = new double[percentages.size()];
        double[] lerf = new double[percentages.size()];
        double score = 0;
        for (int from = 0; from < pictures.size(); from += CHUNK) {
            List<float[]> logits = model.classScores(pictures.subList(from, Math.min(pictures.size(), from + CHUNK)));
            for (int i = 0; i < logits.size(); i++) {
                int index = (from + i) / 2;
                if ((from + i) % 2 == 0) {
                    morf[index] = probability(logits.get(i), classIndex);
                } else {
                    lerf[index] = probability(logits.get(i), classIndex);
                }
            }
        }
        for (int i = 0; i < morf.length; i++) {
            score += (lerf[i] - morf[i]) / 2 / morf.length;
        }
        return new Road(percentages, morf, lerf, score);
    }

    /** The trapezoid rule over 0..1, the steps equally spaced. */
    static double area(double[] values) {
        double sum = 0;
        for (int i = 1; i < values.length; i++) {
            sum += (values[i - 1] + values[i]) / 2;
        }
        return sum / (values.length - 1);
    }

    /** Softmax of {@code logits} at {@code classIndex}. */
    static double probability(float[] logits, int classIndex) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return Math.exp(logits[classIndex] - max) / sum;
    }

    /**
     * Spearman's rank correlation of two maps of the same size (ties given their mean rank): how
     * alike two explanations order the picture, e.g. the trained network's and the randomised one's
     * (Adebayo et al. 2018's sanity check, as a number: near 1, the map does not depend on what was learned).
     */
    public static double rankCorrelation(float[] a, float[] b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (a.length != b.length || a.length < 2) {
            throw new IllegalArgumentException("Two maps of the same size, at least 2 values, were " + a.length + " and "
                    + b.length);
        }
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElseThrow();
        double mb = Arrays.stream(rb).average().orElseThrow();
        double num = 0;
        double da = 0;
        double db = 0;
        for (int i = 0; i < ra.length; i++) {
            num += (ra[i] - ma) * (rb[i] - mb);
            da += (ra[i] - ma) * (ra[i] - ma);
            db += (rb[i] - mb) * (rb[i] - mb);
        }
        return da == 0 || db == 0 ? 0 : num / Math.sqrt(da * db);
    }

    private static double[] ranks(float[] v) {
        Integer[] order = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] ranks = new double[v.length];
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j + 1 < order.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = mean;
            }
            i = j + 1;
        }
        return ranks;
    }

    private static int plane(InputScores model, float[] input, float[] saliency) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(saliency, "saliency");
        MapShape shape = model.inputShape();
        if (input.length != shape.size() || saliency.length != shape.channelSize()) {
            throw new IllegalArgumentException("The input has " + input.length + " values and the map " + saliency.length
                    + "; the model takes " + shape + ": " + shape.size() + " values, maps of " + shape.channelSize());
        }
        return shape.channelSize();
    }
}
