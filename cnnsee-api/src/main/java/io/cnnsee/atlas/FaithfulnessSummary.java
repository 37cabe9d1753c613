package io.cnnsee.atlas;

import io.cnnsee.Faithfulness;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How faithful each explanation method is over a collection of pictures: the sums of every
 * picture's {@link Faithfulness.Scores}, per method, from which {@link #means()} are taken. Small
 * and serialisable, so that workers (threads or Spark's executors) collect their shares apart and
 * merge them. Not thread-safe.
 */
public final class FaithfulnessSummary implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * One method's means over the pictures.
     *
     * @param pictures        pictures scored
     * @param deletion        mean area under the deletion curve (lower is better)
     * @param insertion       mean area under the insertion curve (higher is better)
     * @param difference      mean of insertion - deletion, how methods are ranked (higher is better)
     * @param differenceError the standard error of that mean (0 for one picture): differences within
     *                        about twice it are not to be trusted
     * @param averageDrop     mean average drop (lower is better)
     * @param increase        the share of pictures whose confidence rose when masked by the map
     * @param road            mean ROAD score, NaN when ROAD was not asked for
     * @param best            pictures on which this method's difference was the highest of all methods
     */
    public record MethodMean(String method, long pictures, double deletion, double insertion, double difference,
                             double differenceError, double averageDrop, double increase, double road, long best) {
    }

    private static final class Totals implements Serializable {
        private static final long serialVersionUID = 1L;
        long n;
        double deletion;
        double insertion;
        double difference;
        double differenceSquares;
        double averageDrop;
        long increases;
        long roadN;
        double road;
        long best;

        void merge(Totals o) {
            n += o.n;
            deletion += o.deletion;
            insertion += o.insertion;
            difference += o.difference;
            differenceSquares += o.differenceSquares;
            averageDrop += o.averageDrop;
            increases += o.increases;
            roadN += o.roadN;
            road += o.road;
            best += o.best;
        }
    }

    private final int steps;
    private final String layer;
    private final LinkedHashMap<String, Totals> methods = new LinkedHashMap<>();
    private long pictures;
    private final SkippedPictures skipped = new SkippedPictures();

    /**
     * @param layer the layer the class activation maps read, for the pages
     * @param steps the steps of each curve, for the pages
     */
    public FaithfulnessSummary(String layer, int steps) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.steps = steps;
    }

    /** Counts one picture's scores, one per method; the method with the highest difference (the first of equals) is its best. */
    public void add(List<Faithfulness.Scores> scores) {
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("A picture needs at least one method's scores");
        }
        int top = 0;
        for (int i = 1; i < scores.size(); i++) {
            if (scores.get(i).difference() > scores.get(top).difference()) {
                top = i;
            }
        }
        for (int i = 0; i < scores.size(); i++) {
            Faithfulness.Scores s = scores.get(i);
            Totals t = methods.computeIfAbsent(s.method(), m -> new Totals());
            t.n++;
            t.deletion += s.deletion().area();
            t.insertion += s.insertion().area();
            t.difference += s.difference();
            t.differenceSquares += s.difference() * s.difference();
            t.averageDrop += s.averageDrop();
            t.increases += s.increase() ? 1 : 0;
            if (s.road() != null) {
                t.roadN++;
                t.road += s.road().score();
            }
            t.best += i == top ? 1 : 0;
        }
        pictures++;
    }

    /** Counts a picture that could not be used, with the reason. */
    public void skip(String picture, String reason) {
        skipped.add(picture, reason);
    }

    /** The pictures skipped, for the survey to count a picture it cannot read. */
    SkippedPictures skippedPictures() {
        return skipped;
    }

    /** Adds what {@code other} (of other pictures, the same layer and steps) collected. */
    public void merge(FaithfulnessSummary other) {
        if (!other.layer.equals(layer) || other.steps != steps) {
            throw new IllegalArgumentException("Faithfulness summaries of another layer or number of steps do not merge");
        }
        other.methods.forEach((m, t) -> methods.computeIfAbsent(m, k -> new Totals()).merge(t));
        pictures += other.pictures;
        skipped.merge(other.skipped);
    }

    /** Each method's means, the most faithful first (highest mean insertion - deletion). */
    public List<MethodMean> means() {
        List<MethodMean> out = new ArrayList<>();
        for (Map.Entry<String, Totals> e : methods.entrySet()) {
            Totals t = e.getValue();
            double mean = t.difference / t.n;
            double variance = t.n < 2 ? 0 : Math.max(0, (t.differenceSquares - t.n * mean * mean) / (t.n - 1));
            out.add(new MethodMean(e.getKey(), t.n, t.deletion / t.n, t.insertion / t.n, mean, Math.sqrt(variance / t.n),
                    t.averageDrop / t.n, (double) t.increases / t.n, t.roadN == 0 ? Double.NaN : t.road / t.roadN, t.best));
        }
        out.sort(Comparator.comparingDouble(MethodMean::difference).reversed());
        return out;
    }

    public String layer() {
        return layer;
    }

    public int steps() {
        return steps;
    }

    /** Pictures scored. */
    public long pictures() {
        return pictures;
    }

    public long skipped() {
        return skipped.count();
    }

    /** Skipped pictures and why, the first {@link AtlasSummary#SKIPPED_KEPT}. */
    public Map<String, String> skippedReasons() {
        return skipped.reasons();
    }
}
