package io.cnnsee.spark;

import io.cnnsee.ChannelRanker;
import io.cnnsee.ImageLoader;
import io.cnnsee.InspectableModel;
import io.cnnsee.atlas.Atlas;
import io.cnnsee.atlas.AtlasSummary;
import org.apache.spark.api.java.JavaSparkContext;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The atlas ({@link Atlas}) on Apache Spark: the pictures' paths are shared out in partitions;
 * each task passes its pictures through the model of its executor JVM (made once per JVM, by the
 * {@link ModelFactory}, and reused by its tasks) into an {@link AtlasSummary}, and only those
 * summaries (bounded by taps, channels and k) travel, merged by a tree reduction, so that the
 * driver's memory does not grow with the number of pictures. A lost executor costs its tasks,
 * which Spark runs again.
 * <pre>{@code
 * try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[*]").setAppName("atlas"))) {
 *     AtlasSummary atlas = SparkAtlas.builder(() -> Dl4jZoo.model("resnet50", ZooWeights.imagenet()), "resnet50")
 *             .top(9).build().run(sc, pictures);
 * }
 * }</pre>
 */
public final class SparkAtlas implements Serializable {

    /** Makes the model on an executor: serialisable, as it travels to them; called once per JVM and key. */
    @FunctionalInterface
    public interface ModelFactory extends Serializable {
        InspectableModel create();

        /**
         * The files (absolute paths) the model is made from, which every executor must read: checked
         * on the executors before a job starts. None by default.
         */
        default List<String> files() {
            return List.of();
        }
    }

    private final ModelFactory factory;
    private final String key;
    private final List<String> taps;
    private final int k;
    private final String by;
    private final int partitions;

    private SparkAtlas(Builder b) {
        this.factory = b.factory;
        this.key = b.key;
        this.taps = b.taps == null ? null : List.copyOf(b.taps);
        this.k = b.k;
        this.by = b.by;
        this.partitions = b.partitions;
    }

    /**
     * @param factory makes the model where it runs
     * @param key     names the model, so that one JVM makes it once (e.g. {@code "resnet50 imagenet"})
     */
    public static Builder builder(ModelFactory factory, String key) {
        return new Builder(Objects.requireNonNull(factory, "factory"), Objects.requireNonNull(key, "key"));
    }

    /**
     * Lets tasks in this JVM (of this job and of {@link SparkFaithfulness}) use {@code model} for
     * {@code key} instead of making their own: for local mode, where the driver has the model already.
     */
    public static void useInThisJvm(String key, InspectableModel model) {
        JvmModels.use(Objects.requireNonNull(key, "key"), Objects.requireNonNull(model, "model"));
    }

    /** The model of this JVM for this atlas, made on first use. */
    InspectableModel model() {
        return JvmModels.get(key, factory);
    }

    /** The atlas as this JVM collects it: for the driver, for the taps' shapes, and for each task. */
    Atlas atlas() {
        Atlas.Builder b = Atlas.builder(model()).top(k).by(ChannelRanker.builtIn(by)).workers(1);
        if (taps != null) {
            b.taps(taps);
        }
        return b.build();
    }

    /**
     * The atlas of {@code pictures}, collected on {@code sc}: paths every executor can read, or
     * URIs of any file system Hadoop's client reads (hdfs://, s3a:// with their connectors added).
     */
    public AtlasSummary run(JavaSparkContext sc, List<String> pictures) {
        return run(sc, pictures, null);
    }

    /**
     * As {@link #run(JavaSparkContext, List)}, {@code done} counting the pictures of finished
     * tasks as they finish (Spark adds a task's count to the driver's when the task ends).
     */
    public AtlasSummary run(JavaSparkContext sc, List<String> pictures, PicturesDone done) {
        Objects.requireNonNull(sc, "sc");
        Objects.requireNonNull(pictures, "pictures");
        ExecutorCheck.run(sc, factory);
        return PartitionedRun.run(sc, pictures, partitions, done, new Work(this));
    }

    /** The atlas's work in a task: each picture through the executor's model into the task's summary. */
    private static final class Work implements PartitionedRun.Work<AtlasSummary> {
        private static final long serialVersionUID = 1L;
        private final SparkAtlas job;
        private transient Atlas atlas;

        Work(SparkAtlas job) {
            this.job = job;
        }

        private Atlas atlas() {
            if (atlas == null) {
                atlas = job.atlas();
            }
            return atlas;
        }

        @Override
        public AtlasSummary empty() {
            return atlas().emptySummary();
        }

        @Override
        public ImageLoader loader() {
            return atlas().loader();
        }

        @Override
        public void add(AtlasSummary summary, String name, Supplier<BufferedImage> picture) {
            atlas().add(summary, name, picture);
        }

        @Override
        public void merge(AtlasSummary into, AtlasSummary from) {
            into.merge(from);
        }
    }

    /** Options of a Spark atlas. */
    public static final class Builder {
        private final ModelFactory factory;
        private final String key;
        private List<String> taps;
        private int k = 9;
        private String by = "max";
        private int partitions;

        private Builder(ModelFactory factory, String key) {
            this.factory = factory;
            this.key = key;
        }

        public Builder taps(List<String> taps) {
            this.taps = List.copyOf(taps);
            return this;
        }

        public Builder top(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("Keep at least 1 picture per channel, was " + k);
            }
            this.k = k;
            return this;
        }

        /** A built-in ranker by name (max, mean, sum, l2, variance, active): it is made again on each executor. */
        public Builder by(String ranker) {
            ChannelRanker.builtIn(ranker);
            this.by = ranker;
            return this;
        }

        /** Tasks the pictures are shared out in; 4 per core of the context by default. */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public SparkAtlas build() {
            return new SparkAtlas(this);
        }
    }
}
