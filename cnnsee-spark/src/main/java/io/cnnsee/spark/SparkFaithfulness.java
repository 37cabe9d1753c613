package io.cnnsee.spark;

import io.cnnsee.CamMethod;
import io.cnnsee.ImageLoader;
import io.cnnsee.SaliencyMethod;
import io.cnnsee.atlas.FaithfulnessSummary;
import io.cnnsee.atlas.FaithfulnessSurvey;
import org.apache.spark.api.java.JavaSparkContext;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Which explanation method to trust, over a collection on Apache Spark ({@link FaithfulnessSurvey}
 * per executor): each picture's class activation maps scored where it is read, only the
 * per-method sums travelling back. Methods travel by name and are made again on each executor.
 * <pre>{@code
 * FaithfulnessSummary s = SparkFaithfulness.builder(factory, "resnet50 imagenet")
 *         .cams(List.of("gradcam", "layercam")).build().run(sc, pictures, null);
 * }</pre>
 */
public final class SparkFaithfulness implements Serializable {

    private static final long serialVersionUID = 1L;

    private final SparkAtlas.ModelFactory factory;
    private final String key;
    private final List<String> cams;
    private final String saliency;
    private final int steps;
    private final boolean road;
    private final String layer;
    private final int partitions;

    private SparkFaithfulness(Builder b) {
        this.factory = b.factory;
        this.key = b.key;
        this.cams = b.cams;
        this.saliency = b.saliency;
        this.steps = b.steps;
        this.road = b.road;
        this.layer = b.layer;
        this.partitions = b.partitions;
    }

    /**
     * @param factory makes the model where it runs
     * @param key     names the model, so that one JVM makes it once (shared with {@link SparkAtlas})
     */
    public static Builder builder(SparkAtlas.ModelFactory factory, String key) {
        return new Builder(Objects.requireNonNull(factory, "factory"), Objects.requireNonNull(key, "key"));
    }

    /** The survey as this JVM runs it, in each task. */
    FaithfulnessSurvey survey() {
        return surveyOf(JvmModels.get(key, factory));
    }

    /**
     * Checks these options against {@code model}, the driver's own, before a job: a layer it does
     * not have, a method it cannot run.
     *
     * @throws IllegalArgumentException            naming what there is instead
     * @throws io.cnnsee.UnsupportedCapabilityException naming what the model lacks
     */
    public void checkOn(io.cnnsee.InspectableModel model) {
        surveyOf(model);
    }

    private FaithfulnessSurvey surveyOf(io.cnnsee.InspectableModel model) {
        FaithfulnessSurvey.Builder b = FaithfulnessSurvey.builder(model).steps(steps).road(road);
        if (cams != null) {
            b.cams(cams.stream().map(CamMethod::builtIn).toList());
        }
        if (saliency != null) {
            b.saliency(SaliencyMethod.named(saliency));
        }
        if (layer != null) {
            b.layer(layer);
        }
        return b.build();
    }

    /**
     * The methods' scores over {@code pictures} (paths every executor can read, or URIs Hadoop
     * reads); {@code done}, if not null, counts the pictures of finished tasks.
     */
    public FaithfulnessSummary run(JavaSparkContext sc, List<String> pictures, PicturesDone done) {
        Objects.requireNonNull(sc, "sc");
        Objects.requireNonNull(pictures, "pictures");
        ExecutorCheck.run(sc, factory);
        return PartitionedRun.run(sc, pictures, partitions, done, new Work(this));
    }

    private static final class Work implements PartitionedRun.Work<FaithfulnessSummary> {
        private static final long serialVersionUID = 1L;
        private final SparkFaithfulness job;
        private transient FaithfulnessSurvey survey;

        Work(SparkFaithfulness job) {
            this.job = job;
        }

        private FaithfulnessSurvey survey() {
            if (survey == null) {
                survey = job.survey();
            }
            return survey;
        }

        @Override
        public FaithfulnessSummary empty() {
            return survey().emptySummary();
        }

        @Override
        public ImageLoader loader() {
            return survey().loader();
        }

        @Override
        public void add(FaithfulnessSummary summary, String name, Supplier<BufferedImage> picture) {
            survey().add(summary, name, picture);
        }

        @Override
        public void merge(FaithfulnessSummary into, FaithfulnessSummary from) {
            into.merge(from);
        }
    }

    /** Options of a Spark survey. */
    public static final class Builder {
        private final SparkAtlas.ModelFactory factory;
        private final String key;
        private List<String> cams;
        private String saliency;
        private int steps = io.cnnsee.Faithfulness.DEFAULT_STEPS;
        private boolean road;
        private String layer;
        private int partitions;

        private Builder(SparkAtlas.ModelFactory factory, String key) {
            this.factory = factory;
            this.key = key;
        }

        /** Built-in CAM methods by their command-line names; {@link FaithfulnessSurvey#DEFAULT_METHODS} by default. */
        public Builder cams(List<String> names) {
            names.forEach(CamMethod::builtIn);
            this.cams = List.copyOf(names);
            return this;
        }

        /** A saliency method by its command-line name, scored beside them (e.g. {@code fullgrad}). */
        public Builder saliency(String name) {
            SaliencyMethod.named(name);
            this.saliency = name;
            return this;
        }

        public Builder steps(int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("Faithfulness curves take 1 or more steps, was " + steps);
            }
            this.steps = steps;
            return this;
        }

        public Builder road(boolean road) {
            this.road = road;
            return this;
        }

        /** The layer the maps read; the model's last default tap by default. */
        public Builder layer(String layerName) {
            this.layer = Objects.requireNonNull(layerName, "layerName");
            return this;
        }

        /** Tasks the pictures are shared out in; 4 per core of the context by default. */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public SparkFaithfulness build() {
            return new SparkFaithfulness(this);
        }
    }
}
