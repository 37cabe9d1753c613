package io.cnnsee.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.cnnsee.cli.CnnseeCliTest.CHELSEA;
import static io.cnnsee.cli.CnnseeCliTest.cnnsee;
import static org.assertj.core.api.Assertions.assertThat;

/** Folders of pictures on the command line, and paths refused before any model loads. */
class FoldersCliTest {

    @TempDir
    Path dir;

    @Test
    void aFolderIsItsPicturesSortedAndRecursiveAddsItsSubFolders() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(CHELSEA, photos.resolve("b.png"));
        Files.copy(CHELSEA, photos.resolve("a.PNG"));
        Files.writeString(photos.resolve("notes.txt"), "not a picture");
        Path trip = Files.createDirectories(photos.resolve("trip"));
        Files.copy(CHELSEA, trip.resolve("c.png"));

        CnnseeCliTest.Run flat = cnnsee("inspect", photos.toString(), "--weights", "random", "--top", "2",
                "--taps", "block1_conv2", "--out", dir.resolve("flat").toString());
        assertThat(flat.exitCode()).as(flat.err()).isZero();
        assertThat(flat.err()).contains("[1/2] " + photos.resolve("a.PNG"), "[2/2] " + photos.resolve("b.png"))
                .doesNotContain("notes.txt", "c.png");
        assertThat(dir.resolve("flat").resolve("index.html")).exists();

        CnnseeCliTest.Run deep = cnnsee("inspect", photos.toString(), "--recursive", "--weights", "random", "--top", "2",
                "--taps", "block1_conv2", "--out", dir.resolve("deep").toString());
        assertThat(deep.exitCode()).as(deep.err()).isZero();
        assertThat(deep.err()).contains("[3/3] " + trip.resolve("c.png"));
        assertThat(dir.resolve("deep").resolve("c").resolve("report.html")).exists();
    }

    /** --convolutions auto counts a folder as its pictures: 16 in one folder take Winograd, as 16 files would. */
    @Test
    void autoConvolutionsCountTheFoldersPictures() throws Exception {
        Path many = Files.createDirectories(dir.resolve("many"));
        for (int i = 0; i < InspectCommand.AUTO_WINOGRAD_FROM; i++) {
            java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
            picture.setRGB(i % 8, i / 8, 0xFFFFFF);
            javax.imageio.ImageIO.write(picture, "png", many.resolve(String.format("p%02d.png", i)).toFile());
        }
        Path keras = Path.of(FoldersCliTest.class.getResource("/keras/squeeze_excite_k3.keras").toURI());
        CnnseeCliTest.Run run = cnnsee("inspect", many.toString(), "--model", keras.toString(), "--input", "raw",
                "--top", "1", "--verbose", "--out", dir.resolve("reports").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Convolutions: winograd", "[16/16] " + many.resolve("p15.png"));

        Files.delete(many.resolve("p15.png"));
        CnnseeCliTest.Run fewer = cnnsee("inspect", many.toString(), "--model", keras.toString(), "--input", "raw",
                "--top", "1", "--verbose", "--out", dir.resolve("fewer").toString());
        assertThat(fewer.err()).contains("Convolutions: direct", "[15/15] ");
    }

    @Test
    void missingPathsAndFoldersWithoutPicturesAreRefusedBeforeTheModelLoads() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.createDirectories(empty.resolve("inside"));
        Path missing = dir.resolve("nowhere.jpg");
        CnnseeCliTest.Run run = cnnsee("inspect", CHELSEA.toString(), missing.toString(), empty.toString(),
                "--weights", "random", "--out", dir.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cnnsee: no such file or folder: " + missing,
                        "cnnsee: " + empty + " is a folder with no pictures (", "png", "add --recursive to look in its sub-folders")
                .doesNotContain("Loading");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void anEmptyFileSaysSoAndTheOtherPicturesAreStillInspected() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.jpg"));
        CnnseeCliTest.Run run = cnnsee("inspect", empty.toString(), CHELSEA.toString(), "--weights", "random",
                "--taps", "block1_conv2", "--out", dir.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cnnsee: " + empty + ": Cannot read picture " + empty + ": the file is empty (0 bytes)");
        assertThat(dir.resolve("out").resolve("chelsea").resolve("report.html")).exists();
    }
}
