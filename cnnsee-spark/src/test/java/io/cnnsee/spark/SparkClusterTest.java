package io.cnnsee.spark;

import io.cnnsee.FeatureMap;
import io.cnnsee.InspectableModel;
import io.cnnsee.MapShape;
import io.cnnsee.Tap;
import io.cnnsee.WeightsInfo;
import io.cnnsee.atlas.Atlas;
import io.cnnsee.atlas.AtlasSummary;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The atlas on a real standalone cluster: a master and two workers, separate JVMs on 127.0.0.1
 * started from the project's own jars, each worker's executor its own JVM. The same atlas as on one
 * machine; and with one executor killed in the middle of the run, still the same.
 */
class SparkClusterTest {

    @TempDir
    Path dir;

    /** The test's network, each picture taking 150 ms more, so that an executor can be killed mid-run. */
    static InspectableModel slow() {
        InspectableModel inner = SparkAtlasTest.colours();
        return new InspectableModel() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public WeightsInfo weights() {
                return inner.weights();
            }

            @Override
            public MapShape inputShape() {
                return inner.inputShape();
            }

            @Override
            public List<Tap> taps() {
                return inner.taps();
            }

            @Override
            public Tap tap(String layerName) {
                return inner.tap(layerName);
            }

            @Override
            public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return inner.forward(image, taps);
            }
        };
    }

    private SparkConf conf(StandaloneCluster cluster) {
        String opens = System.getProperty("cnnsee.spark.opens", "");
        return new SparkConf().setMaster(cluster.url()).setAppName("cnnsee-atlas-cluster-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.executor.cores", "1").set("spark.cores.max", "2").set("spark.executor.memory", "2g")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.extraJavaOptions", opens)
                .set("spark.task.maxFailures", "4");
    }

    @Test
    void aClusterOfSeparateJvmsGivesTheSameAtlasAndSurvivesALostExecutor() throws Exception {
        SparkAtlasTest pictures = new SparkAtlasTest();
        pictures.dir = dir;
        List<String> files = pictures.pictures(60);
        AtlasSummary local = Atlas.builder(SparkAtlasTest.colours()).taps(List.of("colour", "pooled")).top(5).build()
                .run(files.stream().map(Path::of).toList(), null);
        try (StandaloneCluster cluster = StandaloneCluster.start(dir, 2, System.getProperty("cnnsee.spark.opens", ""));
             JavaSparkContext sc = new JavaSparkContext(conf(cluster))) {
            AtlasSummary spread = SparkAtlas.builder(SparkAtlasTest::colours, "colours").taps(List.of("colour", "pooled"))
                    .top(5).partitions(6).build().run(sc, files);
            assertSame(local, spread);
            assertThat(cluster.executors()).as("executors in JVMs of their own").hasSizeGreaterThanOrEqualTo(2);

            PicturesDone done = new PicturesDone();
            sc.sc().register(done, "pictures");
            CompletableFuture<AtlasSummary> run = CompletableFuture.supplyAsync(() ->
                    SparkAtlas.builder(SparkClusterTest::slow, "slow").taps(List.of("colour", "pooled")).top(5)
                            .partitions(12).build().run(sc, files, done));
            Thread.sleep(3000);
            ProcessHandle victim = cluster.executors().get(0);
            victim.destroyForcibly();
            AtlasSummary survived = run.get(5, TimeUnit.MINUTES);
            assertThat(victim.isAlive()).isFalse();
            assertSame(local, survived);
            assertThat(done.value()).as("pictures done, each counted once though tasks ran again").isEqualTo(files.size());
        }
    }

    private static void assertSame(AtlasSummary expected, AtlasSummary actual) {
        assertThat(actual.pictures()).isEqualTo(expected.pictures());
        assertThat(actual.skipped()).isEqualTo(expected.skipped());
        for (String layer : expected.layers()) {
            for (int c = 0; c < expected.channels(layer).size(); c++) {
                assertThat(actual.channels(layer).get(c).examples()).as("%s %d", layer, c)
                        .isEqualTo(expected.channels(layer).get(c).examples());
                assertThat(actual.channels(layer).get(c).count()).isEqualTo(expected.channels(layer).get(c).count());
            }
        }
    }
}
