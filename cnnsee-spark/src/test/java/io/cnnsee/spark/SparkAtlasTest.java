package io.cnnsee.spark;

import io.cnnsee.InspectableModel;
import io.cnnsee.atlas.Atlas;
import io.cnnsee.atlas.AtlasSummary;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The atlas on Spark's local[*] equals the atlas on one machine: same pictures, scores and positions. */
class SparkAtlasTest {

    @TempDir
    Path dir;

    /** Redness and blueness: cnnsee-dl4j's AtlasTest network, a 1 x 1 convolution, then a 2 x 2 max pool. */
    static InspectableModel colours() {
        return io.cnnsee.dl4j.AtlasTest.colours();
    }

    List<String> pictures(int n) throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        List<String> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    image.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            Path file = dir.resolve(String.format("p%03d.png", i));
            ImageIO.write(image, "png", file.toFile());
            files.add(file.toString());
        }
        Files.writeString(dir.resolve("broken.png"), "not a picture");
        files.add(dir.resolve("broken.png").toString());
        return files;
    }

    @Test
    void localSparkGivesTheSameAtlasAsOneMachine() throws Exception {
        List<String> files = pictures(40);
        AtlasSummary local = Atlas.builder(colours()).taps(List.of("colour", "pooled")).top(5).build()
                .run(files.stream().map(Path::of).toList(), null);
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("cnnsee-atlas-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        AtlasSummary spark;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            spark = SparkAtlas.builder(SparkAtlasTest::colours, "colours").taps(List.of("colour", "pooled")).top(5)
                    .partitions(7).build().run(sc, files);
            // The same pictures named as URIs, read through Hadoop's file systems (here its local one).
            List<String> uris = files.stream().map(f -> "file://" + f).toList();
            AtlasSummary hadoop = SparkAtlas.builder(SparkAtlasTest::colours, "colours").taps(List.of("colour", "pooled"))
                    .top(5).build().run(sc, uris.stream().map(u -> u.replace("file://", "localfs://")).toList());
            assertThat(hadoop.skipped()).as("an unknown scheme is skipped, said").isEqualTo(41);
            assertThat(hadoop.skippedReasons().values().iterator().next()).contains("through Hadoop's file systems");
            AtlasSummary viaFileUris = SparkAtlas.builder(SparkAtlasTest::colours, "colours").taps(List.of("colour", "pooled"))
                    .top(5).build().run(sc, uris);
            assertThat(viaFileUris.channels("colour").get(0).examples()).extracting(e -> Path.of(e.picture().substring(7)))
                    .containsExactlyElementsOf(local.channels("colour").get(0).examples().stream().map(e -> Path.of(e.picture())).toList());
        }
        assertThat(spark.pictures()).isEqualTo(40);
        assertThat(spark.skipped()).isEqualTo(1);
        assertThat(spark.skippedReasons()).containsKey(dir.resolve("broken.png").toString());
        for (String layer : List.of("colour", "pooled")) {
            for (int c = 0; c < 2; c++) {
                assertThat(spark.channels(layer).get(c).examples()).as("%s %d", layer, c)
                        .isEqualTo(local.channels(layer).get(c).examples());
                assertThat(spark.channels(layer).get(c).histogram()).isEqualTo(local.channels(layer).get(c).histogram());
                assertThat(spark.channels(layer).get(c).count()).isEqualTo(40);
            }
        }
    }
}
