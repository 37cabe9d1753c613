package io.cnnsee;

import io.cnnsee.render.Colormap;
import io.cnnsee.render.Normalization;
import io.cnnsee.report.Report;
import io.cnnsee.report.ReportWriter;
import io.cnnsee.spi.ModelProviders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureMapInspectorTest {

    private static BufferedImage picture(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    @Test
    void aModelWithoutItsOwnBatchRunsThePicturesOneByOne() {
        FakeModel model = new FakeModel();
        BufferedImage red = picture(8, 8, 0xFF0000);
        BufferedImage black = picture(8, 8, 0x000000);
        java.util.List<java.util.List<FeatureMap>> both = model.forwardAll(java.util.List.of(red, black), model.taps());
        assertThat(both).hasSize(2);
        assertThat(both.get(0)).isEqualTo(model.forward(red, model.taps()));
        assertThat(both.get(1)).isEqualTo(model.forward(black, model.taps()));
        assertThat(both.get(0).get(0)).isNotEqualTo(both.get(1).get(0));
        assertThat(model.forwardAll(java.util.List.of(), model.taps())).isEmpty();
    }

    @Test
    void oneLineWithTheDefaultsUsesTheProviderFoundOnTheClasspath() {
        Inspection result = FeatureMapInspector.inspect(picture(16, 16, 0xFF0000));

        assertThat(result.modelName()).isEqualTo("FakeNet");
        assertThat(result.rankerName()).isEqualTo("sum");
        assertThat(result.colormap()).isSameAs(Colormap.VIRIDIS);
        assertThat(result.taps()).extracting(t -> t.tap().layerName()).containsExactly("conv_a", "conv_b");
        TapInspection a = result.taps().get(0);
        assertThat(a.dimensions()).isEqualTo("8x8");
        assertThat(a.channelCount()).isEqualTo(4);
        // channel k = k * (x + 1) + 1 (all red): sums 64, 352, 640, 928
        assertThat(a.ranking().indices()).containsExactly(3, 2, 1, 0);
        assertThat(a.ranking().channels().get(0).score()).isEqualTo(928.0);
        assertThat(a.grid().tiles()).hasSize(4);
        assertThat(result.tap("conv_b").ranking().indices()).containsExactly(0, 1, 2);
    }

    @Test
    void theBuilderSetsRankerChannelsColormapNormalizationAndTaps() {
        FakeModel model = new FakeModel();
        FeatureMapInspector inspector = FeatureMapInspector.builder()
                .model(model)
                .ranker(ChannelRanker.SUM.reversed())
                .channels(2)
                .colormap(Colormap.GRAY)
                .normalization(Normalization.sharedRange())
                .taps("conv_b")
                .build();
        Inspection result = inspector.run(picture(8, 8, 0));

        assertThat(model.forwardPasses).hasValue(1);
        assertThat(result.taps()).singleElement().satisfies(t -> {
            assertThat(t.tap().layerName()).isEqualTo("conv_b");
            assertThat(t.ranking().indices()).containsExactly(2, 1);
            assertThat(t.grid().columns()).isEqualTo(2);
            // channel 2 is all zero, channel 1 is y + 1; shared range [0, 4] in gray:
            int left = 2;
            assertThat(t.grid().rgb(left, 2)).isEqualTo(Colormap.GRAY.rgb(0));
            int right = 2 + 4 + 2;
            assertThat(t.grid().rgb(right, 2 + 3)).isEqualTo(Colormap.GRAY.rgb(255));
        });
        assertThat(result.rankerName()).isEqualTo("reversed sum");
        assertThat(result.normalization()).isSameAs(Normalization.sharedRange());
    }

    @Test
    void readsPicturesFromFilesAndStreams(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("red square.png");
        ImageIO.write(picture(8, 8, 0xFF0000), "png", file.toFile());
        FeatureMapInspector inspector = FeatureMapInspector.builder().model(new FakeModel()).build();

        Inspection fromFile = inspector.run(file);
        assertThat(fromFile.source()).isEqualTo("red square.png");
        assertThat(fromFile.taps().get(0).ranking().channels().get(0).score()).isEqualTo(928.0);
        try (InputStream in = Files.newInputStream(file)) {
            assertThat(FeatureMapInspector.inspect(in).taps().get(0).featureMap())
                    .isEqualTo(fromFile.taps().get(0).featureMap());
        }
    }

    @Test
    void theReportReadsLikeTheArticleAndLoadsOnlyImagesItWrote(@TempDir Path dir) throws Exception {
        Inspection result = FeatureMapInspector.inspect(picture(20, 10, 0x00FF00));
        Report report = ReportWriter.write(result, dir.resolve("out"));

        String html = Files.readString(report.html());
        assertThat(html)
                .contains("<h2>Block 1 <span class=\"layer\">conv_a</span></h2>")
                .contains("Image dimensions: 8x8 px")
                .contains("Number of output images at this step: 4")
                .contains("Image dimensions: 4x4 px")
                .contains("Number of output images at this step: 3")
                .contains("FakeNet", "made up for tests", "CC0, the cnnsee authors", "sum", "viridis",
                        "per-channel min-max")
                .contains("Shown: the top 4 channels by sum (channel index and score, best first): #3 (864.0), #2 (576.0)") // green: red is 0
                .doesNotContain("Random weights");
        assertThat(html.indexOf("original.png")).isLessThan(html.indexOf("Block 1"));
        assertThat(html.indexOf("Block 1")).isLessThan(html.indexOf("Block 2"));

        Matcher src = Pattern.compile("src=\"([^\"]+)\"").matcher(html);
        int images = 0;
        while (src.find()) {
            Path image = report.directory().resolve(src.group(1));
            assertThat(image).exists();
            assertThat(ImageIO.read(image.toFile())).isNotNull();
            images++;
        }
        assertThat(images).isEqualTo(3);
        BufferedImage original = ImageIO.read(report.directory().resolve("original.png").toFile());
        assertThat(original.getWidth()).isEqualTo(20);
        assertThat(original.getRGB(5, 5) & 0xFFFFFF).isEqualTo(0x00FF00);
        BufferedImage grid = ImageIO.read(report.directory().resolve("conv_a.png").toFile());
        assertThat(grid.getRGB(3, 3) & 0xFFFFFF).isEqualTo(result.taps().get(0).grid().rgb(3, 3));

        String md = Files.readString(report.markdown());
        assertThat(md).contains("## Block 2 (`conv_b`)", "Image dimensions: 4x4 px",
                "Number of output images at this step: 3", "![top channels of conv\\_b](conv_b.png)");
        try (var files = Files.list(report.directory())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("report.html", "report.md", "original.png", "conv_a.png", "conv_b.png",
                            "explore.html", "explore-data.js");
        }
    }

    @Test
    void randomWeightsAreSaidInTheReport(@TempDir Path dir) throws Exception {
        InspectableModel model = new InspectableModelDelegate(new FakeModel(), WeightsInfo.random(7));
        Inspection result = FeatureMapInspector.builder().model(model).build().run(picture(8, 8, 0));
        Report report = ReportWriter.write(result, dir);

        assertThat(Files.readString(report.html())).contains("Random weights.", "random weights (seed 7)");
        assertThat(Files.readString(report.markdown())).contains("**Random weights.**");
    }

    @Test
    void namesAreEscapedInTheReport(@TempDir Path dir) throws Exception {
        Inspection result = FeatureMapInspector.builder().model(new FakeModel()).build()
                .run(picture(8, 8, 0), "<script>alert('x')</script>.png");
        String html = Files.readString(ReportWriter.write(result, dir).html());
        assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;.png");
    }

    @Test
    void badInputGivesClearExceptions() {
        FeatureMapInspector inspector = FeatureMapInspector.builder().model(new FakeModel()).build();
        assertThatThrownBy(() -> inspector.run((BufferedImage) null))
                .isInstanceOf(NullPointerException.class).hasMessage("image must not be null");
        assertThatThrownBy(() -> FeatureMapInspector.builder().channels(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The number of channels to show must be at least 1, was 0");
        assertThatThrownBy(() -> FeatureMapInspector.builder().model(new FakeModel()).taps("block9_conv9").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("FakeNet has no layer 'block9_conv9'; its layers: [conv_a, conv_b]");
        assertThatThrownBy(() -> inspector.run(Path.of("no/such/picture.jpg")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read picture no/such/picture.jpg: no such file");
        assertThatThrownBy(() -> inspector.run(new ByteArrayInputStream("not a picture".getBytes(java.nio.charset.StandardCharsets.US_ASCII))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot read picture stream: not a picture format Java can decode (supported: ");
    }

    @Test
    void withoutAProviderTheErrorNamesTheArtifactToAdd() {
        ClassLoader empty = new URLClassLoader(new URL[0], null);
        assertThatThrownBy(() -> ModelProviders.find(empty))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No cnnsee model provider found on the classpath")
                .hasMessageContaining("io.cnnsee:cnnsee-dl4j");
    }

    @Test
    void moreChannelsThanATapHasShowsThemAll() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture(3, 3, 0x808080), "png", png);
        Inspection result = FeatureMapInspector.builder().model(new FakeModel()).channels(50).build()
                .run(new ByteArrayInputStream(png.toByteArray()));
        assertThat(result.taps().get(1).ranking().size()).isEqualTo(3);
    }
}
