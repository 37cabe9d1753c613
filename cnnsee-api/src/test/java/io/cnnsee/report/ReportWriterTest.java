package io.cnnsee.report;

import io.cnnsee.FeatureMap;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.InspectableModel;
import io.cnnsee.Inspection;
import io.cnnsee.MapShape;
import io.cnnsee.Tap;
import io.cnnsee.WeightsInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The report stays inside its folder whatever the names, escapes them, and is never half-written. */
class ReportWriterTest {

    static final List<String> HOSTILE = List.of("../../escape", "/etc/passwd", "..", "original", "a b<c>&\"'é", "x/y", "x_y",
            "C:\\windows\\evil");

    /** A model whose layers have the names above; every channel holds its index. */
    record NamedLayersModel(List<String> names) implements InspectableModel {
        @Override
        public String name() {
            return "Named<Net>";
        }

        @Override
        public WeightsInfo weights() {
            return new WeightsInfo("test", "", false);
        }

        @Override
        public MapShape inputShape() {
            return new MapShape(3, 4, 4);
        }

        @Override
        public List<Tap> taps() {
            return names.stream().map(n -> new Tap("layer " + n, n, new MapShape(2, 4, 4))).toList();
        }

        @Override
        public Tap tap(String layerName) {
            return taps().stream().filter(t -> t.layerName().equals(layerName)).findFirst().orElseThrow();
        }

        @Override
        public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
            return taps.stream().map(t -> FeatureMap.fill(t, v -> {
                for (int i = 0; i < v.length; i++) {
                    int row = i / 16;
                    v[i] = row;
                }
            })).toList();
        }
    }

    static Inspection inspect(String source) {
        return FeatureMapInspector.builder().model(new NamedLayersModel(HOSTILE)).channels(2).build()
                .run(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), source);
    }

    @Test
    void everyFileStaysInsideTheFolderWithItsOwnName(@TempDir Path root) throws Exception {
        Path dir = root.resolve("report");
        Report report = ReportWriter.write(inspect("../../../etc/passwd"), dir);
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(Files::isRegularFile).map(f -> f.getParent().toString()).distinct())
                    .containsExactly(dir.toString());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(
                    "original.png", "__.._escape.png", "_etc_passwd.png", "_.png", "original_2.png", "a_b_c_____.png",
                    "x_y.png", "x_y_2.png", "C__windows_evil.png", "report.md", "report.html",
                    "explore.html", "explore-data.js");
        }
        // Every picture the HTML shows exists, and the one for "original" is not the picture itself.
        String html = Files.readString(report.html());
        Matcher m = Pattern.compile("src=\"([^\"]+)\"").matcher(html);
        int shown = 0;
        while (m.find()) {
            assertThat(dir.resolve(m.group(1)).normalize().getParent()).isEqualTo(dir);
            assertThat(dir.resolve(m.group(1))).isRegularFile();
            shown++;
        }
        assertThat(shown).isEqualTo(1 + HOSTILE.size());
        assertThat(html).contains("a b&lt;c&gt;&amp;&quot;&#39;é", "Named&lt;Net&gt;").doesNotContain("<c>", "Named<Net>");
    }

    @Test
    void fileNamesAreMadeOfSafeCharactersOnly() {
        assertThat(ReportPictures.fileNameOf("")).isEqualTo("layer.png"); // a model's own Tap never has a blank name
        for (String name : HOSTILE) {
            String file = ReportPictures.fileNameOf(name);
            assertThat(file).as(name).matches("[A-Za-z0-9_][A-Za-z0-9._-]*\\.png");
        }
    }

    @Test
    void aFailedWriteLeavesNoPartialFileAndKeepsTheFormerReport(@TempDir Path dir) throws Exception {
        Inspection result = inspect("picture.png");
        Report first = ReportWriter.write(result, dir);
        String before = Files.readString(first.html());
        // The Markdown report's place is taken by a folder: the write fails halfway through.
        Files.delete(first.markdown());
        Files.createDirectory(first.markdown());
        Files.writeString(first.markdown().resolve("keep.txt"), "x");
        assertThatThrownBy(() -> ReportWriter.write(result, dir)).isInstanceOf(IOException.class);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
        assertThat(Files.readString(first.html())).isEqualTo(before);
    }

    @Test
    void gridsAreWrittenAsPalettePngsOfTheGridsPixels(@TempDir Path dir) throws Exception {
        Inspection result = inspect("picture.png");
        Report report = ReportWriter.write(result, dir);

        // The original picture, then each tap's grid in order.
        assertThat(report.images()).hasSize(1 + result.taps().size());
        for (int t = 0; t < result.taps().size(); t++) {
            Path file = report.images().get(1 + t);
            byte[] png = Files.readAllBytes(file);
            assertThat(png[25]).as("%s: colour type palette", file.getFileName()).isEqualTo((byte) 3);
            BufferedImage decoded = javax.imageio.ImageIO.read(file.toFile());
            var grid = result.taps().get(t).grid();
            assertThat(decoded.getWidth()).isEqualTo(grid.width());
            assertThat(decoded.getHeight()).isEqualTo(grid.height());
            for (int y = 0; y < grid.height(); y++) {
                for (int x = 0; x < grid.width(); x++) {
                    assertThat(decoded.getRGB(x, y) & 0xFFFFFF).as("%s (%d, %d)", file.getFileName(), x, y).isEqualTo(grid.rgb(x, y));
                }
            }
        }
        assertThat(Files.readAllBytes(report.images().get(0))[25]).as("the original: truecolour").isEqualTo((byte) 2);
    }

    static Inspection inspect(BufferedImage picture) {
        return FeatureMapInspector.builder().model(new NamedLayersModel(List.of("conv"))).channels(2).build()
                .run(picture, "photo.jpg");
    }

    @Test
    void aLargePictureIsShownScaledDownToTheMaximumSideAndTheReportSaysSo(@TempDir Path dir) throws Exception {
        // Four flat quadrants: away from where they meet, scaling cannot change a colour.
        int[] colours = {0xC03010, 0x10A040, 0x2040E0, 0xF0F0F0};
        BufferedImage picture = new BufferedImage(2500, 1250, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 1250; y++) {
            for (int x = 0; x < 2500; x++) {
                picture.setRGB(x, y, colours[(y < 625 ? 0 : 2) + (x < 1250 ? 0 : 1)]);
            }
        }
        Report report = ReportWriter.write(inspect(picture), dir);

        BufferedImage shown = javax.imageio.ImageIO.read(report.images().get(0).toFile());
        assertThat(shown.getWidth()).isEqualTo(ReportWriter.ORIGINAL_MAX_SIDE);
        assertThat(shown.getHeight()).isEqualTo(512);
        for (int y = 0; y < 512; y += 7) {
            for (int x = 0; x < 1024; x += 7) {
                if (Math.abs(x - 512) > 8 && Math.abs(y - 256) > 8) {
                    assertThat(shown.getRGB(x, y) & 0xFFFFFF).as("(%d, %d)", x, y)
                            .isEqualTo(colours[(y < 256 ? 0 : 2) + (x < 512 ? 0 : 1)]);
                }
            }
        }
        String line = "Original picture: 2500x1250 px, shown at 1024x512 px.";
        assertThat(Files.readString(report.markdown())).contains(line);
        assertThat(Files.readString(report.html())).contains("<p>" + line + "</p>");
    }

    @Test
    void aPortraitIsScaledByItsHeight(@TempDir Path dir) throws Exception {
        Report report = ReportWriter.write(inspect(new BufferedImage(700, 1100, BufferedImage.TYPE_INT_RGB)), dir);

        BufferedImage shown = javax.imageio.ImageIO.read(report.images().get(0).toFile());
        assertThat(shown.getWidth()).isEqualTo(652); // 700 * 1024 / 1100 = 651.6
        assertThat(shown.getHeight()).isEqualTo(1024);
        assertThat(Files.readString(report.markdown())).contains("Original picture: 700x1100 px, shown at 652x1024 px.");
    }

    @Test
    void aPictureUpToTheMaximumSideIsWrittenPixelForPixel(@TempDir Path dir) throws Exception {
        BufferedImage picture = io.cnnsee.Pictures.noise(ReportWriter.ORIGINAL_MAX_SIDE, 300, 7);
        Report report = ReportWriter.write(inspect(picture), dir);

        BufferedImage shown = javax.imageio.ImageIO.read(report.images().get(0).toFile());
        assertThat(shown.getWidth()).isEqualTo(picture.getWidth());
        assertThat(shown.getHeight()).isEqualTo(picture.getHeight());
        for (int y = 0; y < picture.getHeight(); y++) {
            for (int x = 0; x < picture.getWidth(); x++) {
                assertThat(shown.getRGB(x, y)).as("(%d, %d)", x, y).isEqualTo(picture.getRGB(x, y));
            }
        }
        assertThat(Files.readString(report.markdown())).contains("Original picture: 1024x300 px.\n")
                .doesNotContain("shown at");
    }
}
