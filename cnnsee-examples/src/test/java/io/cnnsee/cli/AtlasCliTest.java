package io.cnnsee.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.cnnsee.cli.CnnseeCliTest.CHELSEA;
import static io.cnnsee.cli.CnnseeCliTest.cnnsee;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code cnnsee atlas} over a folder: progress, the atlas' pages, and unreadable pictures skipped and listed. */
class AtlasCliTest {

    @TempDir
    Path dir;

    /** {@code cats} crops of the sample cat, cat0.png ..., and broken.jpg, which is not a picture, into {@code photos}. */
    static Path catsAndABrokenFile(Path photos, int cats) throws Exception {
        BufferedImage cat = ImageIO.read(CHELSEA.toFile());
        for (int i = 0; i < cats; i++) {
            ImageIO.write(cat.getSubimage(40 * i, 20 * i, 200, 150), "png", photos.resolve("cat" + i + ".png").toFile());
        }
        Files.writeString(photos.resolve("broken.jpg"), "not a picture");
        return photos;
    }

    @Test
    void aFoldersAtlasIsWrittenWithItsUnreadablePicturesListed() throws Exception {
        Path zip = ModelChoiceCliTest.saveModelTo(dir);
        Path photos = catsAndABrokenFile(Files.createDirectories(dir.resolve("photos")), 3);
        Path out = dir.resolve("atlas");
        CnnseeCliTest.Run run = cnnsee("atlas", photos.toString(), "--model", zip.toString(), "--input", "unit",
                "--input-size", "32", "--top", "2", "--by", "mean", "--out", out.toString(), "--visualize", "1,7",
                "--visualize-steps", "3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Taps: conv_a (6 x 32 x 32), conv_b (8 x 16 x 16)", "4/4 pictures",
                "Atlas of 3 pictures (1 skipped)");
        assertThat(run.out().strip()).isEqualTo(out.toAbsolutePath().normalize().resolve("index.html").toString());
        String index = Files.readString(out.resolve("index.html"));
        assertThat(index).contains("3 pictures, each channel shown by the 2 that excite it most by its mean", "broken.jpg",
                "conv_b/channel-7.html");
        String page = Files.readString(out.resolve("conv_b").resolve("channel-7.html"));
        assertThat(page).contains("cat", "mean", "<a href=\"../reports/", "<h2>What it looks for</h2>", "7-looks-for.png",
                "gradient ascent in 3 steps");
        assertThat(out.resolve("conv_a").resolve("1-looks-for.png")).exists();
        assertThat(out.resolve("conv_a").resolve("2-looks-for.png")).doesNotExist();
        assertThat(run.err()).contains("Visualised channel 1 of conv_a in ", "Visualised channels 1, 7 of conv_b in ");
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("href=\"\\.\\./(reports/[^\"]+)\"").matcher(page);
        assertThat(link.find()).isTrue();
        assertThat(out.resolve(link.group(1))).exists();
        assertThat(cnnsee("atlas", photos.toString(), "--by", "loudness").err()).contains("Unknown ranker 'loudness'");
    }

    @Test
    void faithfulnessScoresTheMethodsOverTheFolder() throws Exception {
        Path zip = ModelChoiceCliTest.saveModelTo(dir);
        Path photos = catsAndABrokenFile(Files.createDirectories(dir.resolve("photos")), 3);
        Path out = dir.resolve("atlas");
        CnnseeCliTest.Run run = cnnsee("atlas", photos.toString(), "--model", zip.toString(), "--input", "unit",
                "--input-size", "32", "--labels", ModelChoiceCliTest.labelsIn(dir).toString(), "--top", "1", "--no-reports",
                "--out", out.toString(), "--faithfulness", "4", "--cam", "gradcam,layercam", "--saliency", "fullgrad");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Scoring the explanation methods' faithfulness ...", "  Grad-CAM ", "  LayerCAM ",
                "  FullGrad ", "best on ");
        String index = Files.readString(out.resolve("index.html"));
        assertThat(index).contains("<h2>Which explanation to trust</h2>", "Each method's class activation map at conv_b for "
                + "each picture's most probable class, scored over 3 pictures with curves of 4 steps", "<td>Grad-CAM</td>",
                "<td>LayerCAM</td>", "<td>FullGrad</td>", "href=\"faithfulness.csv\"");
        java.util.List<String> csv = Files.readAllLines(out.resolve("faithfulness.csv"));
        assertThat(csv).hasSize(4);
        assertThat(csv.get(0)).startsWith("method,pictures,insertion_minus_deletion");
        assertThat(csv.subList(1, 4)).allMatch(line -> line.matches("\"[^\"]+\",3,.*"));
        long best = csv.subList(1, 4).stream().mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf(',') + 1))).sum();
        assertThat(best).as("each picture has one best method").isEqualTo(3);

        CnnseeCliTest.Run without = cnnsee("atlas", photos.toString(), "--cam", "gradcam");
        assertThat(without.exitCode()).isEqualTo(2);
        assertThat(without.err()).contains("--cam, --saliency, --grad-cam-layer and --road choose what --faithfulness scores: "
                + "add --faithfulness");
        CnnseeCliTest.Run unknown = cnnsee("atlas", photos.toString(), "--faithfulness", "--cam", "occlusion");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown CAM method 'occlusion'");
    }

    @Test
    void clusterExecutorsWaitPassivelyUnlessTheUserSaysOtherwise() {
        assertThat(AtlasCommand.sparkConf("spark://127.0.0.1:7077").get("spark.executorEnv.OMP_WAIT_POLICY")).isEqualTo("PASSIVE");
        assertThat(AtlasCommand.sparkConf("local[*]").contains("spark.executorEnv.OMP_WAIT_POLICY")).isFalse();
        System.setProperty("spark.executorEnv.OMP_WAIT_POLICY", "ACTIVE");
        try {
            assertThat(AtlasCommand.sparkConf("spark://127.0.0.1:7077").get("spark.executorEnv.OMP_WAIT_POLICY")).isEqualTo("ACTIVE");
        } finally {
            System.clearProperty("spark.executorEnv.OMP_WAIT_POLICY");
        }
    }
}
