package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.report.ReportWriter;
import io.cnnsee.visualize.FeatureVisualizer;
import io.cnnsee.visualize.Visualization;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Feature visualisation with a known answer: one convolution whose channel 0 is a horizontal-edge
 * kernel and channel 1 a vertical-edge one. Channel 0's picture must be dominated by horizontal
 * stripes and channel 1's by vertical ones. The measure: of the power spectrum of the picture's
 * luminance (mean removed), the share at frequencies mostly along y (|fy| > 2 |fx|: horizontal
 * stripes) against mostly along x (|fx| > 2 |fy|).
 */
class FeatureVisualizerTest {

    static Dl4jModel edges() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("edges").nOut(2).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .setInputType(InputType.convolutional(32, 32, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        float[] w = new float[2 * 3 * 3 * 3]; // [out][in][kh][kw]
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < 3; k++) {
                w[((0 * 3 + c) * 3 + 0) * 3 + k] = 1;  // channel 0: light above ...
                w[((0 * 3 + c) * 3 + 2) * 3 + k] = -1; // ... dark below
                w[((1 * 3 + c) * 3 + k) * 3 + 0] = 1;  // channel 1: light left ...
                w[((1 * 3 + c) * 3 + k) * 3 + 2] = -1; // ... dark right
            }
        }
        net.getLayer(0).setParam("W", Nd4j.create(w, new long[] {2, 3, 3, 3}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 2));
        return Dl4jModels.of(net, ImageInput.unit(32));
    }

    /** Power at mostly-vertical frequencies (horizontal stripes) over power at mostly-horizontal ones. */
    static double horizontalOverVertical(BufferedImage image) {
        int n = image.getWidth();
        double[] lum = new double[n * n];
        double mean = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int rgb = image.getRGB(x, y);
                lum[y * n + x] = 0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
                mean += lum[y * n + x] / (n * n);
            }
        }
        double horizontal = 0;
        double vertical = 0;
        for (int ky = 0; ky < n; ky++) {
            for (int kx = 0; kx < n; kx++) {
                double re = 0;
                double im = 0;
                for (int y = 0; y < n; y++) {
                    for (int x = 0; x < n; x++) {
                        double a = -2 * Math.PI * ((double) ky * y / n + (double) kx * x / n);
                        re += (lum[y * n + x] - mean) * Math.cos(a);
                        im += (lum[y * n + x] - mean) * Math.sin(a);
                    }
                }
                double power = re * re + im * im;
                int fy = Math.abs(ky <= n / 2 ? ky : ky - n);
                int fx = Math.abs(kx <= n / 2 ? kx : kx - n);
                if (fy > 2 * fx) {
                    horizontal += power;
                } else if (fx > 2 * fy) {
                    vertical += power;
                }
            }
        }
        return horizontal / vertical;
    }

    @Test
    void anEdgeChannelsPictureIsStripesOfItsOrientationAndTheObjectiveRises() {
        List<Visualization> v = FeatureVisualizer.builder(edges()).layer("edges").channels(0, 1).steps(48).seed(3)
                .build().run();
        assertThat(v).hasSize(2);
        for (Visualization one : v) {
            assertThat(one.last()).as("channel %d rises", one.channel()).isGreaterThan(one.first() + 1);
            assertThat(one.image().getWidth()).isEqualTo(32);
        }
        assertThat(horizontalOverVertical(v.get(0).image())).as("channel 0: horizontal stripes").isGreaterThan(3);
        assertThat(horizontalOverVertical(v.get(1).image())).as("channel 1: vertical stripes").isLessThan(1 / 3.0);
    }

    /**
     * The weight {@link FeatureVisualizer#gentleTotalVariation} suggests smooths the horizontal-edge
     * channel's picture and keeps its stripes; a hundred times more (still small-looking, as
     * 0.05 is) flattens it: the penalty, a sum over the picture, then outweighs the channel's mean.
     */
    @Test
    void aGentleTotalVariationSmoothsTheStripesAndAHeavyOneFlattensThem() {
        Dl4jModel model = edges();
        FeatureVisualizer.Builder options = FeatureVisualizer.builder(model).layer("edges").channels(0).steps(48).seed(3);
        Visualization free = options.build().run().get(0);
        double gentle = FeatureVisualizer.gentleTotalVariation(free.last(), 32);
        Visualization smooth = options.totalVariation(gentle).build().run().get(0);
        Visualization flat = options.totalVariation(100 * gentle).build().run().get(0);
        String seen = String.format(java.util.Locale.ROOT, "objective %.3f / %.3f / %.3f, weight %.2e, total variation %.1f / %.1f"
                + " / %.1f, contrast %.1f / %.1f / %.1f, stripes %.1f / %.1f", free.last(), smooth.last(), flat.last(), gentle,
                free.totalVariation(), smooth.totalVariation(), flat.totalVariation(), contrast(free.image()),
                contrast(smooth.image()), contrast(flat.image()), horizontalOverVertical(smooth.image()),
                horizontalOverVertical(flat.image()));
        assertThat(smooth.totalVariation()).as(seen).isLessThan(free.totalVariation());
        assertThat(gentle * smooth.totalVariation()).as(seen).isLessThan(0.2 * smooth.last());
        assertThat(horizontalOverVertical(smooth.image())).as(seen).isGreaterThan(3);
        assertThat(contrast(smooth.image())).as(seen).isGreaterThan(0.5 * contrast(free.image()));
        assertThat(contrast(flat.image())).as(seen).isLessThan(0.5 * contrast(free.image()));
    }

    /** The standard deviation of the luminance, 0..255. */
    static double contrast(BufferedImage image) {
        double sum = 0;
        double squares = 0;
        int n = image.getWidth() * image.getHeight();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                double l = 0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
                sum += l;
                squares += l * l;
            }
        }
        double mean = sum / n;
        return Math.sqrt(Math.max(0, squares / n - mean * mean));
    }

    @Test
    void theSameSeedGivesTheSamePictureBitForBit() {
        Dl4jModel model = edges();
        FeatureVisualizer.Builder options = FeatureVisualizer.builder(model).layer("edges").channels(1).steps(6).seed(9);
        BufferedImage once = options.build().run().get(0).image();
        BufferedImage again = options.build().run().get(0).image();
        BufferedImage other = FeatureVisualizer.builder(model).layer("edges").channels(1).steps(6).seed(10).build().run()
                .get(0).image();
        assertThat(again.getRGB(0, 0, 32, 32, null, 0, 32)).containsExactly(once.getRGB(0, 0, 32, 32, null, 0, 32));
        assertThat(other.getRGB(0, 0, 32, 32, null, 0, 32)).isNotEqualTo(once.getRGB(0, 0, 32, 32, null, 0, 32));
    }

    /** Channels optimised as one batch give the pictures each gives alone: on VGG16's batched passes, to rounding. */
    @Test
    void channelsInABatchGiveThePicturesEachGivesAlone(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path file = dir.resolve("small.h5");
        KerasWeightsWriter.write(file, GradCamTest.SMALL, KerasWeightsWriter.randomWeights(GradCamTest.SMALL, 23));
        try (Vgg16Model vgg = Vgg16.builder().architecture(GradCamTest.SMALL).weights(Vgg16Weights.file(file)).build()) {
            FeatureVisualizer.Builder options = FeatureVisualizer.builder(vgg).layer("block3_conv2").channels(0, 3, 5)
                    .steps(4).seed(2);
            List<Visualization> batched = options.batch(2).build().run();
            FeatureVisualizer alone = options.build();
            assertThat(batched).extracting(Visualization::channel).containsExactly(0, 3, 5);
            for (Visualization b : batched) {
                Visualization a = alone.run(b.channel());
                assertThat(b.history()).containsExactly(a.history(), within(1e-4 * Math.max(1, Math.abs(a.last()))));
                int[] pb = b.image().getRGB(0, 0, 64, 64, null, 0, 64);
                int[] pa = a.image().getRGB(0, 0, 64, 64, null, 0, 64);
                for (int i = 0; i < pa.length; i++) {
                    for (int shift : new int[] {16, 8, 0}) {
                        assertThat(Math.abs((pb[i] >> shift & 0xFF) - (pa[i] >> shift & 0xFF))).as("pixel %d", i).isLessThanOrEqualTo(1);
                    }
                }
            }
        }
        assertThatThrownBy(() -> FeatureVisualizer.builder(edges()).layer("edges").channels(0).batch(0))
                .hasMessage("A batch holds at least 1 channel, was 0");
    }

    /** The report shows, under a tap's grid, what its best channels look for: the pictures the visualiser makes. */
    @Test
    void theReportShowsWhatTheBestChannelsLookFor(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Dl4jModel model = edges();
        BufferedImage picture = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                picture.setRGB(x, y, y % 8 < 4 ? 0xFFFFFF : 0); // horizontal stripes: channel 0 ranks first
            }
        }
        io.cnnsee.Inspection inspection = io.cnnsee.FeatureMapInspector.builder().model(model).taps("edges")
                .ranker(io.cnnsee.ChannelRanker.L2).visualize(1, 5).build().run(picture, "stripes");
        int best = inspection.tap("edges").ranking().channels().get(0).channel();
        List<Visualization> shown = inspection.visualizations("edges");
        assertThat(shown).extracting(Visualization::channel).containsExactly(best);
        BufferedImage expected = FeatureVisualizer.builder(model).layer("edges").channels(best).steps(5).seed(1).build()
                .run(best).image();
        assertThat(shown.get(0).image().getRGB(0, 0, 32, 32, null, 0, 32)).containsExactly(expected.getRGB(0, 0, 32, 32, null, 0, 32));
        ReportWriter.write(inspection, dir);
        String html = java.nio.file.Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("What edges&#39;s channels look for", "edges_looks_for_" + best + ".png",
                "The picture each of channels #" + best + " excites most, found by gradient ascent in 5 steps (seed 1");
        assertThat(javax.imageio.ImageIO.read(dir.resolve("edges_looks_for_" + best + ".png").toFile()).getRGB(0, 0, 32, 32, null, 0, 32))
                .containsExactly(expected.getRGB(0, 0, 32, 32, null, 0, 32));
        assertThat(java.nio.file.Files.readString(dir.resolve("report.md"))).contains("### What edges's channels look for");
        assertThatThrownBy(() -> io.cnnsee.FeatureMapInspector.builder().model(model).visualize(1, 0))
                .hasMessage("Visualise 0 or more channels in 1 or more steps, was 1 channels in 0 steps");
    }

    @Test
    void badChannelsLayersAndStepsAreClearErrors() {
        Dl4jModel model = edges();
        assertThatThrownBy(() -> FeatureVisualizer.builder(model).layer("edges").channels(2).build())
                .hasMessage("edges has channels 0 to 1, not 2");
        assertThatThrownBy(() -> FeatureVisualizer.builder(model).layer("nope").channels(0).build())
                .hasMessageContaining("has no layer 'nope'");
        assertThatThrownBy(() -> FeatureVisualizer.builder(model).layer("edges").channels(0).steps(0).build())
                .hasMessage("Feature visualisation needs at least 1 step, was 0");
        assertThatThrownBy(() -> FeatureVisualizer.builder(model).layer("edges").build())
                .hasMessage("Name at least one channel of edges (0 to 1)");
    }
}
