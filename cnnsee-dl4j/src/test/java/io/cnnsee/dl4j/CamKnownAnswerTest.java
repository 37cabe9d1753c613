package io.cnnsee.dl4j;

import io.cnnsee.CamInput;
import io.cnnsee.CamMethod;
import io.cnnsee.Channel;
import io.cnnsee.ClassActivationMap;
import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.ImageInput;
import io.cnnsee.Inspection;
import io.cnnsee.Tap;
import io.cnnsee.report.Report;
import io.cnnsee.report.ReportWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The CAM family on a network built by hand, through the engine's own backward pass: a 1 x 1
 * convolution whose channel 0 is the picture's red and channel 1 its blue ("colour", the layer
 * explained), then tanh, a global mean and a head whose class 0 reads channel 0 and class 1 channel
 * 1. The picture has a red object of two intensities on the left and a blue one on the right. The
 * tanh after the layer makes the gradient vary over the map, so the methods differ; every map is
 * checked against the formula worked out by hand for this network, and each is zero off its
 * class's object.
 */
class CamKnownAnswerTest {

    static final int SIDE = 8;

    @TempDir
    Path dir;

    static Dl4jModel twoObjects() {
        return TwoObjects.network(SIDE);
    }

    /** Red at rows 1-3, columns 0-2 (full in rows 1-2, half in row 3), blue at rows 4-6, columns 5-7. */
    static BufferedImage picture() {
        BufferedImage p = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 1; y <= 3; y++) {
            for (int x = 0; x <= 2; x++) {
                p.setRGB(x, y, (y == 3 ? 128 : 255) << 16);
            }
        }
        for (int y = 4; y <= 6; y++) {
            for (int x = 5; x <= 7; x++) {
                p.setRGB(x, y, 255);
            }
        }
        return p;
    }

    /** The layer's output by hand: channel 0 the red over 255, channel 1 the blue. */
    static double[][][] activation() {
        BufferedImage p = picture();
        double[][][] a = new double[2][SIDE][SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                a[0][y][x] = (p.getRGB(x, y) >> 16 & 0xFF) / 255.0;
                a[1][y][x] = (p.getRGB(x, y) & 0xFF) / 255.0;
            }
        }
        return a;
    }

    @Test
    void everyMethodFindsTheObjectItsClassReadsAndMatchesItsFormula() {
        try (Dl4jModel model = twoObjects()) {
            Tap colour = model.tap("colour");
            double[][][] a = activation();
            for (int cls = 0; cls < 2; cls++) {
                ClassGradient gradient = model.classGradient(picture(), cls, List.of(colour));
                CamInput input = CamInput.of(gradient, colour, "class " + cls);
                // d logit_c / d A_c = (1 - tanh^2 A_c) / 64; the other channel does not reach class c.
                double[][] g = new double[SIDE][SIDE];
                double meanG = 0;
                double sumA = 0;
                double sumGA = 0;
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        double t = Math.tanh(a[cls][y][x]);
                        g[y][x] = (1 - t * t) / (SIDE * SIDE);
                        meanG += g[y][x] / (SIDE * SIDE);
                        sumA += a[cls][y][x];
                        sumGA += g[y][x] * a[cls][y][x];
                    }
                }
                assertThat(input.gradient().channel(1 - cls).toArray()).as("the other channel's gradient")
                        .containsOnly(0f);
                double plusPlus = 0;
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        double d = g[y][x];
                        plusPlus += d * d / (2 * d * d + sumA * d * d * d + 1e-6) * d;
                    }
                }
                double[][] gradCam = new double[SIDE][SIDE];
                double[][] xGradCam = new double[SIDE][SIDE];
                double[][] gradCamPlusPlus = new double[SIDE][SIDE];
                double[][] hiRes = new double[SIDE][SIDE];
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        gradCam[y][x] = meanG * a[cls][y][x];
                        xGradCam[y][x] = sumGA / (sumA + 1e-7) * a[cls][y][x];
                        gradCamPlusPlus[y][x] = plusPlus * a[cls][y][x];
                        hiRes[y][x] = g[y][x] * a[cls][y][x];
                    }
                }
                assertMap(CamMethod.GRAD_CAM.compute(input), gradCam, cls);
                assertMap(CamMethod.XGRAD_CAM.compute(input), xGradCam, cls);
                assertMap(CamMethod.GRAD_CAM_PLUS_PLUS.compute(input), gradCamPlusPlus, cls);
                assertMap(CamMethod.HIRES_CAM.compute(input), hiRes, cls);
                assertMap(CamMethod.LAYER_CAM.compute(input), hiRes, cls);
                // Ablation-CAM: without its own channel the class's logit is 0, without the other unchanged: weights 1 and 0.
                ClassActivationMap ablation = CamMethod.ABLATION_CAM.compute(input.withLayerScorer(model));
                assertThat(ablation.weights().orElseThrow()).containsExactly(cls == 0 ? new double[] {1, 0} : new double[] {0, 1},
                        within(1e-5));
                assertMap(ablation, a[cls], cls);
            }
        }
    }

    /** Where the gradient varies the methods disagree: HiResCAM weighs the half-red row more than Grad-CAM does. */
    @Test
    void aNonLinearityAfterTheLayerMakesTheMethodsDiffer() {
        try (Dl4jModel model = twoObjects()) {
            Tap colour = model.tap("colour");
            CamInput input = CamInput.of(model.classGradient(picture(), 0, List.of(colour)), colour, "red");
            Channel gradCam = CamMethod.GRAD_CAM.compute(input).heatmap();
            Channel hiRes = CamMethod.HIRES_CAM.compute(input).heatmap();
            double half = 128 / 255.0;
            // Grad-CAM's map is proportional to A: half as high where the red is half.
            assertThat((double) gradCam.get(3, 1) / gradCam.get(1, 1)).isCloseTo(half, within(1e-5));
            // HiResCAM's is g * A, and tanh's slope is steeper at half: (1 - tanh^2 h) h / (1 - tanh^2 1).
            double expected = (1 - Math.pow(Math.tanh(half), 2)) * half / (1 - Math.pow(Math.tanh(1), 2));
            assertThat((double) hiRes.get(3, 1) / hiRes.get(1, 1)).isCloseTo(expected, within(1e-5));
            assertThat(expected).isGreaterThan(half + 0.2);
        }
    }

    @Test
    void theInspectorPutsTheMapsSideBySideInTheReport() throws Exception {
        try (Dl4jModel model = twoObjects()) {
            Inspection result = FeatureMapInspector.builder().model(model).gradCamLayer("colour").explainedClass(0)
                    .cams(CamMethod.builtIns()).channels(2).build().run(picture(), "two.png");
            assertThat(result.classActivationMaps()).extracting(ClassActivationMap::method)
                    .containsExactly("Grad-CAM", "Grad-CAM++", "XGrad-CAM", "HiResCAM", "LayerCAM", "Eigen-CAM", "EigenGrad-CAM",
                            "Score-CAM", "Ablation-CAM");
            assertThat(result.classActivationMaps()).allSatisfy(m -> assertThat(m.classIndex()).isZero());
            // Pictures are not enlarged: this one is 8 pixels wide, as the Grad-CAM picture is.
            assertThat(result.classActivationOverlays()).allSatisfy(o -> assertThat(o.getWidth()).isEqualTo(SIDE));
            assertThat(result.classActivationMaps().get(0).heatmap().toArray())
                    .containsExactly(result.gradCam().orElseThrow().heatmap().toArray());
            Report report = ReportWriter.write(result, dir);
            String html = Files.readString(report.html());
            assertThat(html).contains("<h2>How each method sees it</h2>", "src=\"cam-gradcam.png\"",
                    "src=\"cam-gradcamplusplus.png\"", "src=\"cam-eigengradcam.png\"",
                    "Left to right: Grad-CAM, Grad-CAM++, XGrad-CAM, HiResCAM, LayerCAM, Eigen-CAM, EigenGrad-CAM, Score-CAM,"
                            + " Ablation-CAM, at colour"
                            + " for class 0, class 0 (");
            assertThat(dir.resolve("cam-layercam.png")).exists();
        }
    }

    /**
     * Score-CAM and the deletion and insertion curves through the engine's forward batches, against
     * the network worked out by hand: class 0's logit is the mean of tanh of the red, class 1's of
     * the blue, so each curve step's probability follows from which pixels are gone.
     */
    @Test
    void scoreCamAndTheCurvesRunOnTheEnginesBatchesAndMatchTheNetworkByHand() {
        try (Dl4jModel model = twoObjects()) {
            double[][][] a = activation();
            Inspection result = FeatureMapInspector.builder().model(model).gradCamLayer("colour").explainedClass(0)
                    .cams(CamMethod.GRAD_CAM, CamMethod.SCORE_CAM).faithfulness(SIDE * SIDE, true).channels(2).build()
                    .run(picture(), "two.png");
            // Score-CAM: channel 0 masks the picture with its own red (0..1), channel 1 with its blue.
            double[] logit0 = new double[2];
            for (int k = 0; k < 2; k++) {
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        logit0[k] += Math.tanh(a[0][y][x] * a[k][y][x]) / (SIDE * SIDE);
                    }
                }
            }
            double e0 = Math.exp(logit0[0]);
            double e1 = Math.exp(logit0[1]);
            ClassActivationMap score = result.classActivationMaps().get(1);
            assertThat(score.weights().orElseThrow()).containsExactly(new double[] {e0 / (e0 + e1), e1 / (e0 + e1)},
                    within(1e-5));
            // Deletion of Grad-CAM's map, one pixel a step: the full red first, then the half red, then the rest in reading order.
            List<int[]> order = new java.util.ArrayList<>();
            for (double level : new double[] {1, 128 / 255.0, 0}) {
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        if (Math.abs(a[0][y][x] - level) < 1e-9) {
                            order.add(new int[] {y, x});
                        }
                    }
                }
            }
            double[] deletion = new double[SIDE * SIDE + 1];
            double[] insertion = new double[SIDE * SIDE + 1];
            for (int step = 0; step <= SIDE * SIDE; step++) {
                boolean[][] taken = new boolean[SIDE][SIDE];
                for (int i = 0; i < step; i++) {
                    taken[order.get(i)[0]][order.get(i)[1]] = true;
                }
                deletion[step] = classZero(a, taken, true);
                insertion[step] = classZero(a, taken, false);
            }
            io.cnnsee.Faithfulness.Scores gradCam = result.faithfulness().get(0);
            assertThat(gradCam.method()).isEqualTo("Grad-CAM");
            assertThat(gradCam.deletion().probabilities()).containsExactly(deletion, within(1e-5));
            assertThat(gradCam.insertion().probabilities()).containsExactly(insertion, within(1e-5));
            assertThat(result.faithfulness()).extracting(io.cnnsee.Faithfulness.Scores::method).containsExactly("Grad-CAM", "Score-CAM");
            // ROAD, asked for too: the inspector's is the API's on the same map, input and seed.
            io.cnnsee.Faithfulness.Road road = io.cnnsee.Faithfulness.road(model, model.networkInput(picture()),
                    result.classActivationMaps().get(0).upsampled(SIDE, SIDE), 0, io.cnnsee.Faithfulness.ROAD_PERCENTAGES,
                    io.cnnsee.Faithfulness.ROAD_NOISE, 0);
            assertThat(gradCam.roadScores().orElseThrow().mostRelevantFirst()).containsExactly(road.mostRelevantFirst());
            assertThat(gradCam.roadScores().orElseThrow().score()).isEqualTo(road.score());
            // Removing the red first must hurt class 0 more than removing the rest first.
            assertThat(road.score()).isPositive();
        }
    }

    /**
     * Ablation-CAM runs the network on from a layer, as a network of its own: from "dw" of the
     * residual test network it gives the full network's logit; from "c2", which the residual sum
     * crosses, and from "c3", which a concatenation crosses, it cannot start, and the inspector says so.
     */
    @Test
    void ablationRunsOnFromALayerNothingReachesPastAndRefusesOneAConnectionCrosses() {
        try (Dl4jModel model = Dl4jModels.of(Dl4jModelTest.residualNetwork(), ImageInput.torch(10))) {
            Tap dw = model.tap("dw");
            ClassGradient gradient = model.classGradient(TestImages.noise(10, 10, 3), 1, List.of(dw));
            float[] scores = model.classScoresFrom(dw, List.of(gradient.activations().get(0).toArray())).get(0);
            assertThat((double) scores[1]).isCloseTo(gradient.score(), within(1e-4 * Math.abs(gradient.score()) + 1e-5));
            assertThat(model.scoresFrom(dw)).isTrue();
            assertThat(model.scoresFrom(model.tap("c2"))).isFalse();
            assertThat(model.scoresFrom(model.tap("c3"))).isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> FeatureMapInspector.builder().model(model)
                    .gradCamLayer("c2").cams(CamMethod.ABLATION_CAM).build())
                    .hasMessageContaining("on from c2, which something before it reaches past");
        }
    }

    /** Class 0's probability with the pixels {@code taken} removed (or alone kept, when not deleting). */
    static double classZero(double[][][] a, boolean[][] taken, boolean deleting) {
        double z0 = 0;
        double z1 = 0;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                boolean kept = taken[y][x] != deleting;
                z0 += kept ? Math.tanh(a[0][y][x]) / (SIDE * SIDE) : 0;
                z1 += kept ? Math.tanh(a[1][y][x]) / (SIDE * SIDE) : 0;
            }
        }
        return 1 / (1 + Math.exp(z1 - z0));
    }

    static void assertMap(ClassActivationMap map, double[][] expected, int cls) {
        Channel h = map.heatmap();
        double scale = 0;
        for (double[] row : expected) {
            for (double v : row) {
                scale = Math.max(scale, v);
            }
        }
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                boolean onObject = cls == 0 ? y >= 1 && y <= 3 && x <= 2 : y >= 4 && y <= 6 && x >= 5;
                assertThat((double) h.get(y, x)).as(map.method() + " of class " + cls + " at (" + y + ", " + x + ")")
                        .isCloseTo(expected[y][x], within(1e-5 * scale));
                if (!onObject) {
                    assertThat(h.get(y, x)).as(map.method() + " off the object").isZero();
                } else {
                    assertThat(h.get(y, x)).as(map.method() + " on the object").isPositive();
                }
            }
        }
    }
}
