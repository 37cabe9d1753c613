package io.cnnsee;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Saliency on a model whose objective is a known quadratic of its input, f(x) = sum a_i x_i^2 +
 * b_i x_i, so every answer is known: the gradient is 2 a_i x_i + b_i, and Integrated Gradients
 * from zero give a_i x_i^2 + b_i x_i exactly.
 */
class SaliencyTest {

    static final MapShape SHAPE = new MapShape(3, 4, 5);

    /** The quadratic model; its input is the picture's RGB over 255, channel after channel. */
    static final class Quadratic implements InspectableModel, InputGradients {
        final float[] a = new float[SHAPE.size()];
        final float[] b = new float[SHAPE.size()];

        Quadratic(boolean linear) {
            for (int i = 0; i < a.length; i++) {
                a[i] = linear ? 0 : (i % 7) * 0.1f - 0.2f;
                b[i] = (i % 5) * 0.3f - 0.5f;
            }
        }

        @Override
        public String name() {
            return "quadratic";
        }

        @Override
        public WeightsInfo weights() {
            return WeightsInfo.random(0);
        }

        @Override
        public MapShape inputShape() {
            return SHAPE;
        }

        @Override
        public List<Tap> taps() {
            return List.of();
        }

        @Override
        public Tap tap(String layerName) {
            throw new IllegalArgumentException("no layers");
        }

        @Override
        public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ImageInput imageInput() {
            return ImageInput.preset("unit", 4, 5);
        }

        @Override
        public float[] networkInput(BufferedImage image) {
            float[] x = new float[SHAPE.size()];
            int plane = SHAPE.channelSize();
            for (int y = 0; y < 4; y++) {
                for (int xx = 0; xx < 5; xx++) {
                    int rgb = image.getRGB(xx, y);
                    for (int c = 0; c < 3; c++) {
                        x[c * plane + y * 5 + xx] = (rgb >> (16 - 8 * c) & 0xFF) / 255f;
                    }
                }
            }
            return x;
        }

        @Override
        public InputGradient inputGradient(float[] x, Objective objective) {
            double value = 0;
            float[] g = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                value += a[i] * x[i] * x[i] + b[i] * x[i];
                g[i] = 2 * a[i] * x[i] + b[i];
            }
            return new InputGradient(objective, value, SHAPE, g);
        }
    }

    static BufferedImage picture() {
        BufferedImage image = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                image.setRGB(x, y, (40 * x + 10) << 16 | (60 * y + 5) << 8 | (17 * (x + y)));
            }
        }
        return image;
    }

    @Test
    void theVanillaGradientAndItsMapAreTheGradientAndItsLargestMagnitudePerPixel() {
        Quadratic model = new Quadratic(false);
        float[] x = model.networkInput(picture());
        SaliencyMap s = Saliency.vanilla(model, picture(), Objective.classLogit(0));
        float[] g = s.attributions();
        for (int i = 0; i < x.length; i++) {
            assertThat(g[i]).isEqualTo(2 * model.a[i] * x[i] + model.b[i]);
        }
        float[] map = s.map();
        for (int p = 0; p < 20; p++) {
            float expected = Math.max(Math.abs(g[p]), Math.max(Math.abs(g[20 + p]), Math.abs(g[40 + p])));
            assertThat(map[p]).isEqualTo(expected);
        }
        assertThat(s.completenessError()).isNaN();
        assertThat(s.asFeatureMap().shape().toString()).isEqualTo("1 x 4 x 5");
    }

    @Test
    void integratedGradientsFromZeroAreExactForAQuadraticAndComplete() {
        Quadratic model = new Quadratic(false);
        float[] x = model.networkInput(picture());
        SaliencyMap s = Saliency.integratedGradients(model, picture(), Objective.classLogit(0), null, 8);
        float[] attributions = s.attributions();
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            double expected = model.a[i] * x[i] * x[i] + model.b[i] * x[i];
            assertThat((double) attributions[i]).isCloseTo(expected, within(1e-6));
            total += expected;
        }
        assertThat(s.scoreDifference()).isCloseTo(total, within(1e-5));
        assertThat(s.completenessError()).isLessThan(1e-5);
        int p = 7;
        assertThat((double) s.map()[p]).isCloseTo(Math.abs(attributions[p] + attributions[20 + p] + attributions[40 + p]),
                within(1e-6));
    }

    @Test
    void integratedGradientsFromAnotherBaseline() {
        Quadratic model = new Quadratic(false);
        float[] x = model.networkInput(picture());
        float[] base = new float[x.length];
        java.util.Arrays.fill(base, 0.5f);
        SaliencyMap s = Saliency.integratedGradients(model, picture(), Objective.classLogit(0), base, 4);
        // For a quadratic the path's mean gradient is the gradient at the midpoint: exact with any step count.
        float[] attributions = s.attributions();
        for (int i = 0; i < x.length; i++) {
            double mid = (x[i] + base[i]) / 2;
            assertThat((double) attributions[i]).isCloseTo((x[i] - base[i]) * (2 * model.a[i] * mid + model.b[i]), within(1e-6));
        }
        assertThat(s.completenessError()).isLessThan(1e-5);
    }

    @Test
    void smoothGradAveragesNoisyGradientsAndASeedRepeatsItBitForBit() {
        Quadratic linear = new Quadratic(true);
        SaliencyMap flat = Saliency.smoothGrad(linear, picture(), Objective.classLogit(0), 10, 0.2, 1);
        // A linear objective's gradient does not depend on the noise.
        float[] g = flat.attributions();
        for (int i = 0; i < g.length; i++) {
            assertThat(g[i]).isCloseTo(linear.b[i], within(1e-6f));
        }
        Quadratic model = new Quadratic(false);
        float[] once = Saliency.smoothGrad(model, picture(), Objective.classLogit(0), 10, 0.2, 7).attributions();
        float[] again = Saliency.smoothGrad(model, picture(), Objective.classLogit(0), 10, 0.2, 7).attributions();
        float[] other = Saliency.smoothGrad(model, picture(), Objective.classLogit(0), 10, 0.2, 8).attributions();
        assertThat(again).containsExactly(once);
        assertThat(other).isNotEqualTo(once);
        float[] none = Saliency.smoothGrad(model, picture(), Objective.classLogit(0), 3, 0, 7).attributions();
        assertThat(none).containsExactly(Saliency.vanilla(model, picture(), Objective.classLogit(0)).attributions());
    }

    @Test
    void badSettingsAndModelsWithoutGradientsSaySo() {
        Quadratic model = new Quadratic(false);
        assertThatThrownBy(() -> Saliency.smoothGrad(model, picture(), Objective.classLogit(0), 0, 0.1, 1))
                .hasMessage("SmoothGrad needs at least 1 sample, was 0");
        assertThatThrownBy(() -> Saliency.integratedGradients(model, picture(), Objective.classLogit(0), null, 0))
                .hasMessage("Integrated Gradients needs at least 1 step, was 0");
        assertThatThrownBy(() -> Saliency.integratedGradients(model, picture(), Objective.classLogit(0), new float[3], 4))
                .hasMessage("The baseline has 3 values, the input 60");
        assertThatThrownBy(() -> Saliency.vanilla(new FakeModel(), picture(), Objective.classLogit(0)))
                .isInstanceOf(UnsupportedCapabilityException.class)
                .hasMessage("Saliency needs a model that differentiates with respect to its input, and FakeNet cannot"
                        + " differentiate with respect to its input: use a model of cnnsee-dl4j, whose engine"
                        + " differentiates every network it runs");
    }
}
