package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.Tap;
import io.cnnsee.ReceptiveField;
import io.cnnsee.atlas.Atlas;
import io.cnnsee.atlas.AtlasSummary;
import io.cnnsee.atlas.AtlasWriter;
import io.cnnsee.atlas.ChannelSummary;
import io.cnnsee.atlas.Example;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The atlas with a known answer: a 1 x 1 convolution whose channel 0 measures redness (R minus
 * the mean of G and B) and channel 1 blueness, then a 2 x 2 max pool, over grey pictures each with
 * one coloured pixel. The best pictures of each channel, their scores and positions are known by
 * construction, and checked against a brute force that keeps every score and sorts them.
 */
public class AtlasTest {

    @TempDir
    Path dir;

    /** Also the Spark atlas' test network (cnnsee-spark's tests, through this module's test jar). */
    public static Dl4jModel colours() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("colour").nOut(2).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pooled").kernelSize(2, 2).stride(2, 2).build())
                .setInputType(InputType.convolutional(8, 8, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        float[] w = {1, -0.5f, -0.5f, -0.5f, -0.5f, 1}; // [out][in]: redness, blueness
        net.getLayer(0).setParam("W", Nd4j.create(w, new long[] {2, 3, 1, 1}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 2));
        return Dl4jModels.of(net, ImageInput.unit(8));
    }

    /** Writes grey 8 x 8 pictures, each with one pixel of (r, 100, b) at (y, x); returns their paths. */
    private List<Path> pictures() throws Exception {
        int[][] spots = { // r, b, y, x
                {250, 100, 1, 2}, {180, 100, 5, 5}, {220, 100, 7, 0}, {100, 240, 3, 6}, {100, 140, 0, 0},
                {200, 100, 2, 2}, {200, 100, 6, 7}, {100, 100, 4, 4}, {130, 230, 1, 1}, {160, 100, 3, 3}};
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < spots.length; i++) {
            BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    image.setRGB(x, y, 100 << 16 | 100 << 8 | 100);
                }
            }
            image.setRGB(spots[i][3], spots[i][2], spots[i][0] << 16 | 100 << 8 | spots[i][1]);
            Path file = dir.resolve("p" + i + ".png");
            ImageIO.write(image, "png", file.toFile());
            files.add(file);
        }
        return files;
    }

    /** Every picture's redness or blueness (the largest over pixels, after ReLU) and where, all kept and sorted. */
    private static List<Example> bruteForce(List<Path> files, int channel, boolean pooled) throws Exception {
        List<Example> all = new ArrayList<>();
        for (Path f : files) {
            BufferedImage image = ImageIO.read(f.toFile());
            double best = -1;
            int by = 0;
            int bx = 0;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    int rgb = image.getRGB(x, y);
                    double r = (rgb >> 16 & 0xFF) / 255.0;
                    double g = (rgb >> 8 & 0xFF) / 255.0;
                    double b = (rgb & 0xFF) / 255.0;
                    double v = Math.max(0, channel == 0 ? r - (g + b) / 2 : b - (r + g) / 2);
                    int yy = pooled ? y / 2 : y;
                    int xx = pooled ? x / 2 : x;
                    // The first of equal maxima in row-major order of the map.
                    if (v > best || (v == best && yy * 8 + xx < by * 8 + bx)) {
                        best = v;
                        by = yy;
                        bx = xx;
                    }
                }
            }
            all.add(new Example(best, f.toString(), by, bx));
        }
        all.sort(Example.BEST_FIRST);
        return all;
    }

    @Test
    void theBestPicturesOfEachChannelAreTheBruteForcesAndOneOrTwoWorkersAgree() throws Exception {
        List<Path> files = pictures();
        Dl4jModel model = colours();
        AtlasSummary one = Atlas.builder(model).taps(List.of("colour", "pooled")).top(4).workers(1).build().run(files, null);
        AtlasSummary two = Atlas.builder(model).taps(List.of("colour", "pooled")).top(4).workers(2).build().run(files, null);
        assertThat(one.pictures()).isEqualTo(10);
        for (String layer : List.of("colour", "pooled")) {
            for (int c = 0; c < 2; c++) {
                List<Example> expected = bruteForce(files, c, layer.equals("pooled")).subList(0, 4);
                List<Example> got = one.channels(layer).get(c).examples();
                assertThat(got).hasSize(4);
                for (int i = 0; i < 4; i++) {
                    assertThat(got.get(i).picture()).as("%s %d rank %d", layer, c, i).isEqualTo(expected.get(i).picture());
                    assertThat(got.get(i).score()).isCloseTo(expected.get(i).score(), within(1e-6));
                    if (expected.get(i).score() > 0) {
                        assertThat(got.get(i).y()).isEqualTo(expected.get(i).y());
                        assertThat(got.get(i).x()).isEqualTo(expected.get(i).x());
                    }
                }
                assertThat(two.channels(layer).get(c).examples()).isEqualTo(got);
                ChannelSummary s = one.channels(layer).get(c);
                assertThat(s.count()).isEqualTo(10);
                assertThat(s.mean()).isCloseTo(bruteForce(files, c, false).stream().mapToDouble(Example::score).average()
                        .orElseThrow(), within(1e-6));
            }
        }
        // Redness: 250 (p0), then 220 (p2), then the tie of p5 and p6 at 200, broken by name.
        assertThat(one.channels("colour").get(0).examples()).extracting(e -> Path.of(e.picture()).getFileName().toString())
                .containsExactly("p0.png", "p2.png", "p5.png", "p6.png");
    }

    @Test
    void badPicturesAreSkippedCountedAndListedAndTheAtlasIsWritten() throws Exception {
        List<Path> files = new ArrayList<>(pictures());
        files.add(Files.createFile(dir.resolve("empty.png")));
        files.add(Files.writeString(dir.resolve("notes.jpg"), "words"));
        Dl4jModel model = colours();
        List<long[]> progress = new ArrayList<>();
        AtlasSummary atlas = Atlas.builder(model).taps(List.of("colour", "pooled")).top(3).build()
                .run(files, (done, total, skipped) -> {
                    synchronized (progress) {
                        progress.add(new long[] {done, total, skipped});
                    }
                });
        assertThat(atlas.pictures()).isEqualTo(10);
        assertThat(atlas.skipped()).isEqualTo(2);
        assertThat(atlas.skippedReasons()).containsKey(dir.resolve("empty.png").toString());
        assertThat(atlas.skippedReasons().get(dir.resolve("empty.png").toString())).contains("empty (0 bytes)");
        assertThat(progress).hasSize(12);
        assertThat(progress.stream().mapToLong(p -> p[0]).max().orElseThrow()).isEqualTo(12);

        Path out = dir.resolve("atlas");
        Path index = AtlasWriter.write(atlas, model, out);
        String html = Files.readString(index);
        assertThat(html).contains("What excites MultiLayerNetwork&#39;s channels", "colour", "pooled", "Skipped pictures", "empty.png");
        String page = Files.readString(out.resolve("colour").resolve("channel-0.html"));
        assertThat(page).contains("p0.png", "row 1, column 2");
        assertThat(html).containsPattern("its strongest unit sees\\. [A-Z]");
        // The patch of the best redness is the one pixel its unit sees, enlarged to 96 x 96 as one block of its colour;
        // of the pool's, the 2 x 2 it pools, as four blocks of 48.
        int seen = ImageIO.read(dir.resolve("p0.png").toFile()).getRGB(2, 1);
        BufferedImage redness = ImageIO.read(out.resolve("colour").resolve("0-0.png").toFile());
        assertThat(redness.getWidth()).isEqualTo(96);
        assertThat(redness.getRGB(0, 0, 96, 96, null, 0, 96)).containsOnly(seen);
        BufferedImage pooled = ImageIO.read(out.resolve("pooled").resolve("0-0.png").toFile());
        assertThat(pooled.getWidth()).isEqualTo(96);
        assertThat(pooled.getRGB(47, 47)).isEqualTo(pooled.getRGB(0, 0));
        assertThat(pooled.getRGB(95, 95)).isEqualTo(pooled.getRGB(48, 48));
        assertThat(out.resolve("pooled").resolve("1-2-map.png")).exists();
        // On the map, enlarged 24 times to 192, the unit's pixel (row 1, column 2) framed: white outside, black inside.
        BufferedImage map = ImageIO.read(out.resolve("colour").resolve("0-0-map.png").toFile());
        assertThat(map.getWidth()).isEqualTo(192);
        for (int[] white : new int[][] {{47, 23}, {60, 23}, {72, 48}, {47, 36}, {72, 36}}) {
            assertThat(map.getRGB(white[0], white[1]) & 0xFFFFFF).as("white at %s", java.util.Arrays.toString(white)).isEqualTo(0xFFFFFF);
        }
        for (int[] black : new int[][] {{48, 24}, {60, 24}, {71, 47}, {48, 36}, {71, 36}}) {
            assertThat(map.getRGB(black[0], black[1]) & 0xFFFFFF).as("black at %s", java.util.Arrays.toString(black)).isZero();
        }
        assertThat(map.getRGB(60, 36) & 0xFFFFFF).isNotIn(0, 0xFFFFFF);
        assertThat(page).doesNotContain("What it looks for");
        // Written again over itself, with what redness looks for: replaced whole, no part folder left.
        List<io.cnnsee.visualize.Visualization> looks = io.cnnsee.visualize.FeatureVisualizer.builder(model).layer("colour")
                .channels(0).steps(3).build().run();
        AtlasWriter.write(atlas, model, out, false, looks);
        String withLooks = Files.readString(out.resolve("colour").resolve("channel-0.html"));
        assertThat(withLooks).contains("<h2>What it looks for</h2>", "0-looks-for.png", "gradient ascent in 3 steps (seed 1",
                "p0.png");
        assertThat(ImageIO.read(out.resolve("colour").resolve("0-looks-for.png").toFile()).getRGB(0, 0, 8, 8, null, 0, 8))
                .containsExactly(looks.get(0).image().getRGB(0, 0, 8, 8, null, 0, 8));
        assertThat(Files.readString(out.resolve("colour").resolve("channel-1.html"))).doesNotContain("What it looks for");
        assertThatThrownBy(() -> AtlasWriter.write(atlas, model, dir.resolve("other"), false,
                io.cnnsee.visualize.FeatureVisualizer.builder(colours()).layer("pooled").channels(1).steps(1).build().run()
                        .stream().map(v -> new io.cnnsee.visualize.Visualization(Tap.of("elsewhere", v.tap().shape()), 1,
                                v.objective(), v.image(), v.history(), 1)).toList()))
                .hasMessage("The atlas holds [colour, pooled], not elsewhere, whose channel 1 was visualised");
        try (var siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString()).filter(n -> n.contains(".part-") || n.contains(".old-")))
                    .isEmpty();
        }
    }

    @Test
    void receptiveFieldsFollowTheKernelsStridesAndPaddings() {
        Dl4jModel model = colours();
        assertThat(model.receptiveField(model.tap("colour"))).contains(new ReceptiveField(1, 1, 0));
        assertThat(model.receptiveField(model.tap("pooled"))).contains(new ReceptiveField(2, 2, 0));
        Dl4jModel residual = Dl4jModels.of(Dl4jModelTest.residualNetwork(), ImageInput.torch(10));
        // c1 3x3 same; c2 3x3 dilation 2 same (+4); add takes the larger; dw 3x3 same (+2); avg 2x2/2 (+1).
        assertThat(residual.receptiveField(residual.tap("c1"))).contains(new ReceptiveField(3, 1, -1));
        assertThat(residual.receptiveField(residual.tap("add"))).contains(new ReceptiveField(7, 1, -3));
        assertThat(residual.receptiveField(residual.tap("avg"))).contains(new ReceptiveField(10, 2, -4));
        try (Vgg16Model vgg = Vgg16.builder().architecture(Vgg16ReferenceTest.SMALL).weights(Vgg16Weights.random(1)).build()) {
            // VGG16's conv5_3 sees 196 x 196 pixels, 16 apart (the well-known value).
            assertThat(vgg.receptiveField(vgg.tap("block5_conv3"))).contains(new ReceptiveField(196, 16, -90));
            assertThat(vgg.receptiveField(vgg.tap("block1_conv2"))).contains(new ReceptiveField(5, 1, -2));
        }
    }
}
