package io.cnnsee.visualize;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The picture's parameterisation and the random views differentiate as they compute. */
class ParameterisationTest {

    /** d (sum_i c_i rgb_i) / d params by backward, against central differences. */
    @Test
    void theFourierPicturesGradientAgreesWithFiniteDifferences() {
        FourierImage picture = new FourierImage(6, 7, new SplittableRandom(1));
        double[] params = picture.params();
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < params.length; i++) {
            params[i] = r.nextDouble() - 0.5; // away from grey, where the sigmoid bends
        }
        double[] c = new double[3 * 6 * 7];
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextDouble() * 2 - 1;
        }
        double[] rgb = picture.rgb();
        double[] grad = picture.backward(rgb, c);
        double largest = 0;
        for (double g : grad) {
            largest = Math.max(largest, Math.abs(g));
        }
        for (int i = 0; i < params.length; i++) {
            double keep = params[i];
            params[i] = keep + 1e-6;
            double up = dot(c, picture.rgb());
            params[i] = keep - 1e-6;
            double down = dot(c, picture.rgb());
            params[i] = keep;
            assertThat(grad[i]).as("parameter %d", i).isCloseTo((up - down) / 2e-6, within(1e-6 * largest + 1e-9));
        }
    }

    @Test
    void aGreyStartIsGreyAndEveryValueLiesInZeroToOne() {
        FourierImage picture = new FourierImage(16, 16, new SplittableRandom(3));
        double[] rgb = picture.rgb();
        for (double v : rgb) {
            assertThat(v).isBetween(0.45, 0.55);
        }
        java.util.Arrays.fill(picture.params(), 50);
        for (double v : picture.rgb()) {
            assertThat(v).isBetween(0.0, 1.0);
        }
    }

    /** Sampling is linear: its backward pass is its transpose, &lt;T x, y&gt; = &lt;x, T' y&gt;. */
    @Test
    void aRandomViewsBackwardIsItsTranspose() {
        SplittableRandom r = new SplittableRandom(4);
        RandomTransform t = new RandomTransform(20, 20, 12, 12, r, 3, 0.9, 1.1, 10);
        double[] x = new double[3 * 400];
        double[] y = new double[3 * 144];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextDouble() - 0.5;
        }
        assertThat(dot(t.apply(x), y)).isCloseTo(dot(x, t.backward(y)), within(1e-6));
    }

    @Test
    void withoutJitterScaleOrRotationAViewOfTheSameSizeIsThePicture() {
        RandomTransform t = new RandomTransform(10, 10, 10, 10, new SplittableRandom(5), 0, 1, 1, 0);
        double[] x = new double[300];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        double[] view = t.apply(x);
        for (int i = 0; i < x.length; i++) {
            assertThat(view[i]).isCloseTo(x[i], within(1e-9));
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
