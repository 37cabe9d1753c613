package io.cnnsee.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Partitions run twice count once. An RDD that is not cached is computed again by each action,
 * as a lost executor's finished partitions are: a plain sum counts those pictures twice.
 */
class PicturesDoneTest {

    @TempDir
    Path dir;

    static SparkConf conf() {
        return new SparkConf().setMaster("local[2]").setAppName("cnnsee-progress-test").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
    }

    @Test
    void aPartitionComputedTwiceCountsOnce() {
        try (JavaSparkContext sc = new JavaSparkContext(conf())) {
            PicturesDone done = new PicturesDone();
            sc.sc().register(done, "pictures");
            LongAccumulator sum = sc.sc().longAccumulator("sum");
            JavaRDD<Integer> counted = sc.parallelize(IntStream.range(0, 30).boxed().toList(), 4).map(i -> {
                done.add(1L);
                sum.add(1);
                return i;
            });
            counted.count();
            counted.count();
            assertThat(sum.value()).as("the plain sum overshoots").isEqualTo(60);
            assertThat(done.value()).isEqualTo(30);
            assertThat(done.partitions()).hasSize(4);
        }
    }

    /** A factory whose model needs {@code file}: the check must stop the job before any model is made. */
    static SparkAtlas.ModelFactory needing(String file) {
        return new SparkAtlas.ModelFactory() {
            private static final long serialVersionUID = 1L;

            @Override
            public io.cnnsee.InspectableModel create() {
                throw new AssertionError("no model is made before the check");
            }

            @Override
            public List<String> files() {
                return List.of(file);
            }
        };
    }

    @Test
    void aFileAnExecutorCannotReadStopsTheJobBeforeItStarts() {
        String missing = dir.resolve("red.h5").toString();
        SparkAtlas.ModelFactory factory = needing(missing);
        try (JavaSparkContext sc = new JavaSparkContext(conf())) {
            assertThatThrownBy(() -> SparkAtlas.builder(factory, "unreadable").build().run(sc, List.of("a.png")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("An executor cannot read what the model is made from: " + missing + " on ")
                    .hasMessageEndingWith(". Every executor reads the same path: put the file on storage every machine mounts "
                            + "at that path, or copy it to each machine");
        }
    }
}
