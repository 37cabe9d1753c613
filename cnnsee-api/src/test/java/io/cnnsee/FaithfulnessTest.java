package io.cnnsee;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Score-CAM and the faithfulness scores on a model whose answers can be worked out on paper: two
 * classes, class 0's logit a weighted sum of the input, class 1's always 0, so class 0's
 * probability is the logistic of that sum. Every expected number below is worked out by hand.
 */
class FaithfulnessTest {

    /** Logit 0 = sum_i w_i x_i, logit 1 = 0, over inputs of 1 x 2 x 2; counts the inputs it scores. */
    static final class Linear implements InputScores {
        final float[] w;
        final List<Integer> batches = new ArrayList<>();

        Linear(float... w) {
            this.w = w;
        }

        @Override
        public MapShape inputShape() {
            return new MapShape(1, 2, 2);
        }

        @Override
        public float[] networkInput(BufferedImage image) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<float[]> classScores(List<float[]> inputs) {
            batches.add(inputs.size());
            List<float[]> out = new ArrayList<>();
            for (float[] x : inputs) {
                double s = 0;
                for (int i = 0; i < x.length; i++) {
                    s += w[i] * x[i];
                }
                out.add(new float[] {(float) s, 0});
            }
            return out;
        }

        @Override
        public Tap classifier() {
            return Tap.of("probs", new MapShape(2, 1, 1));
        }

        @Override
        public String classLabel(int index) {
            return "class " + index;
        }
    }

    static final float[] X = {1, 2, 3, 4};

    static double sigmoid(double s) {
        return 1 / (1 + Math.exp(-s));
    }

    @Test
    void scoreCamWeighsChannelsByTheSoftmaxOfTheMaskedPicturesScores() {
        Linear model = new Linear(1, -1, 2, 0.5f);
        Tap tap = Tap.of("conv", new MapShape(2, 2, 2));
        // Channel 0 ranges 0..3 (mask 0, 1/3, 2/3, 1); channel 1 is constant, so it masks everything out.
        FeatureMap a = FeatureMap.copyOf(tap, new float[] {0, 1, 2, 3, 5, 5, 5, 5});
        CamInput input = new CamInput(a, a, 0, "zero", 0.5f).withScorer(model, X);
        ClassActivationMap map = CamMethod.SCORE_CAM.compute(input);
        // Masked logit of channel 0: 1*1*0 - 1*2/3 + 2*3*2/3 + 0.5*4*1 = 16/3; of channel 1: 0.
        double e = Math.exp(16.0 / 3);
        double w0 = e / (e + 1);
        double w1 = 1 / (e + 1);
        assertThat(map.weights().orElseThrow()).containsExactly(new double[] {w0, w1}, within(1e-6));
        float[] expected = {(float) (w1 * 5), (float) (w0 + w1 * 5), (float) (2 * w0 + w1 * 5), (float) (3 * w0 + w1 * 5)};
        assertThat(map.heatmap().toArray()).containsExactly(expected, within(1e-5f));
        assertThat(model.batches).containsExactly(2);
        assertThatThrownBy(() -> CamMethod.SCORE_CAM.compute(new CamInput(a, a, 0, "zero", 0.5f)))
                .hasMessageStartingWith("Score-CAM scores the picture masked by each channel");
        assertThat(CamMethod.SCORE_CAM.perturbs()).isTrue();
        assertThat(CamMethod.SCORE_CAM.usesGradient()).isFalse();
    }

    @Test
    void scoreCamUpsamplesWithCornersAligned() {
        // 2 x 2 to 3 x 3 with corners aligned: the middle is the mean of its neighbours, the corners stay.
        float[] up = CamFormulas.upsampleAligned(new float[] {0, 2, 4, 6}, 2, 2, 3, 3);
        assertThat(up).containsExactly(0, 1, 2, 2, 3, 4, 4, 5, 6);
    }

    /** Saliency orders positions 1 and 3 (a tie, in reading order), then 2, then 0. */
    @Test
    void deletionAndInsertionCurvesFollowTheMapsOrder() {
        Linear model = new Linear(1, 1, 1, 1);
        float[] saliency = {0.1f, 0.9f, 0.5f, 0.9f};
        Faithfulness.Curve deletion = Faithfulness.deletion(model, X, saliency, 0, 4);
        // Sums left: 10, 10 - 2, 8 - 4, 4 - 3, 0.
        double[] d = {sigmoid(10), sigmoid(8), sigmoid(4), sigmoid(1), sigmoid(0)};
        assertThat(deletion.probabilities()).containsExactly(d, within(1e-9));
        assertThat(deletion.area()).isCloseTo((d[0] / 2 + d[1] + d[2] + d[3] + d[4] / 2) / 4, within(1e-9));
        Faithfulness.Curve insertion = Faithfulness.insertion(model, X, saliency, 0, 4);
        double[] in = {sigmoid(0), sigmoid(2), sigmoid(6), sigmoid(9), sigmoid(10)};
        assertThat(insertion.probabilities()).containsExactly(in, within(1e-9));
        assertThat(insertion.kind()).isEqualTo("insertion");
        // Two steps of two pixels each.
        assertThat(Faithfulness.deletion(model, X, saliency, 0, 2).probabilities())
                .containsExactly(new double[] {sigmoid(10), sigmoid(4), sigmoid(0)}, within(1e-9));
        assertThatThrownBy(() -> Faithfulness.deletion(model, X, saliency, 0, 0)).hasMessage("A curve needs at least 1 step, was 0");
        assertThatThrownBy(() -> Faithfulness.deletion(model, new float[3], saliency, 0, 4))
                .hasMessageContaining("the model takes 1 x 2 x 2: 4 values, maps of 4");
    }

    @Test
    void averageDropAndIncreaseCompareThePictureTimesTheMapWithThePicture() {
        Linear model = new Linear(1, 1, 1, 1);
        Tap tap = Tap.of("conv", new MapShape(1, 2, 2));
        FeatureMap a = FeatureMap.copyOf(tap, new float[] {1, 9, 5, 9});
        ClassActivationMap map = ClassActivationMap.of("by hand", new CamInput(a, a, 0, "zero", 0.5f), null,
                new float[] {1, 9, 5, 9});
        Faithfulness.Scores s = Faithfulness.of(model, X, map, 4);
        // The map upsampled to the input (the same size) and divided by its maximum: 1/9, 1, 5/9, 1.
        double y = sigmoid(10);
        double o = sigmoid(1.0 / 9 + 2 + 3 * 5.0 / 9 + 4);
        assertThat(s.averageDrop()).isCloseTo((y - o) / y, within(1e-6));
        assertThat(s.increase()).isFalse();
        assertThat(s.method()).isEqualTo("by hand");
        assertThat(s.difference()).isCloseTo(s.insertion().area() - s.deletion().area(), within(1e-12));
        // A map that keeps what lowers the score raises confidence: negative weights where it is 0.
        Linear negative = new Linear(1, -1, -1, 1);
        Faithfulness.Scores up = Faithfulness.of(negative, X, ClassActivationMap.of("corners",
                new CamInput(a, a, 0, "zero", 0.5f), null, new float[] {1, 0, 0, 1}), 2);
        assertThat(up.increase()).isTrue();
        assertThat(up.averageDrop()).isZero();
    }

    @Test
    void rankCorrelationIsSpearmansWithTiesAtTheirMeanRank() {
        assertThat(Faithfulness.rankCorrelation(new float[] {1, 2, 3, 4}, new float[] {10, 20, 30, 40})).isEqualTo(1.0);
        assertThat(Faithfulness.rankCorrelation(new float[] {1, 2, 3, 4}, new float[] {4, 3, 2, 1})).isEqualTo(-1.0);
        // Ranks 1.5, 1.5, 3 against 1, 2, 3: 1.5 / sqrt(1.5 * 2).
        assertThat(Faithfulness.rankCorrelation(new float[] {1, 1, 2}, new float[] {1, 2, 3}))
                .isCloseTo(1.5 / Math.sqrt(3), within(1e-12));
        assertThat(Faithfulness.rankCorrelation(new float[] {5, 5}, new float[] {1, 2})).isZero();
        assertThatThrownBy(() -> Faithfulness.rankCorrelation(new float[] {1}, new float[] {1}))
                .hasMessage("Two maps of the same size, at least 2 values, were 1 and 1");
    }

    /**
     * ROAD with the noise off, worked out on paper: a removed corner of the 2 x 2 input takes
     * (1/6, 1/6, 1/12)-weighted means of its 3 neighbours; two removed pixels solve two equations.
     */
    @Test
    void roadImputesLinearlyAndComparesLeastWithMostRelevantFirst() {
        Linear model = new Linear(1, 1, 1, 1);
        float[] saliency = {0.1f, 0.9f, 0.5f, 0.8f};
        Faithfulness.Road road = Faithfulness.road(model, X, saliency, 0, List.of(25, 50), 0, 1);
        // 25 %: MoRF removes position 1 (imputed 2.6), LeRF position 0 (2.8). 50 %: MoRF removes 1 and 3
        // (13/7 and 15/7), LeRF 0 and 2 (20/7 and 22/7).
        double[] morf = {sigmoid(1 + 2.6 + 3 + 4), sigmoid(1 + 13 / 7.0 + 3 + 15 / 7.0)};
        double[] lerf = {sigmoid(2.8 + 2 + 3 + 4), sigmoid(20 / 7.0 + 2 + 22 / 7.0 + 4)};
        assertThat(road.mostRelevantFirst()).containsExactly(morf, within(1e-5));
        assertThat(road.leastRelevantFirst()).containsExactly(lerf, within(1e-5));
        assertThat(road.score()).isCloseTo(((lerf[0] - morf[0]) / 2 + (lerf[1] - morf[1]) / 2) / 2, within(1e-6));
        assertThat(road.percentages()).containsExactly(25, 50);
        assertThatThrownBy(() -> Faithfulness.road(model, X, saliency, 0, List.of(120), 0, 1))
                .hasMessage("ROAD removes 0 to 100 % of the pixels, was 120");
    }

    /** A linear ramp is its own linear imputation where every neighbour is inside; noise is added on top, seeded. */
    @Test
    void theImputerKeepsARampAndItsNoiseIsSeeded() {
        int h = 12;
        int w = 10;
        float[] ramp = new float[h * w];
        boolean[] removed = new boolean[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                ramp[y * w + x] = 0.5f * y - 0.25f * x + 3;
                removed[y * w + x] = y >= 2 && y < 9 && x >= 3 && x < 8;
            }
        }
        float[] imputed = NoisyLinearImputer.impute(ramp, h, w, removed, 0, 7);
        assertThat(imputed).containsExactly(ramp, within(1e-4f));
        float[] noisy = NoisyLinearImputer.impute(ramp, h, w, removed, 0.01, 7);
        assertThat(NoisyLinearImputer.impute(ramp, h, w, removed, 0.01, 7)).containsExactly(noisy);
        double spread = 0;
        int n = 0;
        for (int i = 0; i < ramp.length; i++) {
            if (removed[i]) {
                spread += Math.pow(noisy[i] - ramp[i], 2);
                n++;
            } else {
                assertThat(noisy[i]).isEqualTo(ramp[i]);
            }
        }
        assertThat(Math.sqrt(spread / n)).isBetween(0.005, 0.02);
    }
}