package io.cnnsee.spark;

import io.cnnsee.CamMethod;
import io.cnnsee.InspectableModel;
import io.cnnsee.SaliencyMethod;
import io.cnnsee.atlas.FaithfulnessSummary;
import io.cnnsee.atlas.FaithfulnessSurvey;
import io.cnnsee.dl4j.TwoObjects;
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
import static org.assertj.core.api.Assertions.within;

/**
 * The methods' faithfulness over a collection on Spark's local[2] equals the survey on one
 * machine, picture by picture: the same means (up to the order of the sums), the same best
 * counts, the same skipped picture. The network is the two-object one, whose maps are known.
 */
class SparkFaithfulnessTest {

    @TempDir
    Path dir;

    static InspectableModel twoObjects() {
        return TwoObjects.network(8);
    }

    /** A red and a blue rectangle of random places and intensities on black. */
    List<String> pictures(int n) throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        List<String> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            int red = 0x40 + random.nextInt(0xC0);
            int blue = 0x40 + random.nextInt(0xC0);
            int ry = random.nextInt(5);
            int rx = random.nextInt(5);
            int by = random.nextInt(5);
            int bx = random.nextInt(5);
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 3; x++) {
                    image.setRGB(rx + x, ry + y, image.getRGB(rx + x, ry + y) | red << 16);
                    image.setRGB(bx + x, by + y, image.getRGB(bx + x, by + y) | blue);
                }
            }
            Path file = dir.resolve(String.format("p%02d.png", i));
            ImageIO.write(image, "png", file.toFile());
            files.add(file.toString());
        }
        Files.writeString(dir.resolve("broken.png"), "not a picture");
        files.add(dir.resolve("broken.png").toString());
        return files;
    }

    @Test
    void localSparkScoresTheMethodsAsOneMachineDoes() throws Exception {
        List<String> files = pictures(12);
        FaithfulnessSurvey survey = FaithfulnessSurvey.builder(twoObjects())
                .cams(List.of(CamMethod.GRAD_CAM, CamMethod.LAYER_CAM, CamMethod.EIGEN_CAM, CamMethod.SCORE_CAM))
                .saliency(SaliencyMethod.FULL_GRAD).steps(8).road(true).build();
        FaithfulnessSummary local = survey.emptySummary();
        files.forEach(f -> survey.add(local, Path.of(f)));
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("cnnsee-faithfulness-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        FaithfulnessSummary spark;
        PicturesDone done = new PicturesDone();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.sc().register(done, "pictures");
            spark = SparkFaithfulness.builder(SparkFaithfulnessTest::twoObjects, "two objects")
                    .cams(List.of("gradcam", "layercam", "eigencam", "scorecam")).saliency("fullgrad").steps(8).road(true)
                    .partitions(5).build().run(sc, files, done);
        }
        assertThat(done.value()).isEqualTo(13);
        assertThat(spark.pictures()).isEqualTo(12);
        assertThat(spark.skipped()).isEqualTo(1);
        assertThat(spark.skippedReasons()).containsKey(dir.resolve("broken.png").toString());
        assertThat(spark.layer()).isEqualTo(survey.layer().layerName());
        List<FaithfulnessSummary.MethodMean> expected = local.means();
        List<FaithfulnessSummary.MethodMean> actual = spark.means();
        assertThat(actual).extracting(FaithfulnessSummary.MethodMean::method)
                .containsExactlyElementsOf(expected.stream().map(FaithfulnessSummary.MethodMean::method).toList())
                .containsExactlyInAnyOrder("Grad-CAM", "LayerCAM", "Eigen-CAM", "Score-CAM", "FullGrad");
        for (int i = 0; i < expected.size(); i++) {
            FaithfulnessSummary.MethodMean e = expected.get(i);
            FaithfulnessSummary.MethodMean a = actual.get(i);
            String m = e.method();
            assertThat(a.pictures()).as(m).isEqualTo(12);
            assertThat(a.best()).as(m).isEqualTo(e.best());
            assertThat(a.deletion()).as(m).isCloseTo(e.deletion(), within(1e-12));
            assertThat(a.insertion()).as(m).isCloseTo(e.insertion(), within(1e-12));
            assertThat(a.difference()).as(m).isCloseTo(e.difference(), within(1e-12));
            assertThat(a.differenceError()).as(m).isCloseTo(e.differenceError(), within(1e-9));
            assertThat(a.averageDrop()).as(m).isCloseTo(e.averageDrop(), within(1e-12));
            assertThat(a.increase()).as(m).isEqualTo(e.increase());
            assertThat(a.road()).as(m).isCloseTo(e.road(), within(1e-12));
        }
        assertThat(actual.stream().mapToLong(FaithfulnessSummary.MethodMean::best).sum()).isEqualTo(12);
    }
}
