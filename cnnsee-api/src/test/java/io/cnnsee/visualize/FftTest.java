package io.cnnsee.visualize;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FftTest {

    /** Against the transform's definition, summed directly: powers of two, mixed radices, primes. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 12, 49, 224, 227})
    void agreesWithTheDefinitionBothWays(int n) {
        SplittableRandom random = new SplittableRandom(n);
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = random.nextDouble() * 2 - 1;
            im[i] = random.nextDouble() * 2 - 1;
        }
        Fft fft = new Fft(n);
        for (int sign : new int[] {1, -1}) {
            double[] r = re.clone();
            double[] i = im.clone();
            fft.transform(r, i, sign);
            for (int k = 0; k < n; k++) {
                double sr = 0;
                double si = 0;
                for (int j = 0; j < n; j++) {
                    double a = sign * 2 * Math.PI * ((long) j * k % n) / n;
                    sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
                    si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
                }
                assertThat(r[k]).as("n %d, sign %d, re %d", n, sign, k).isCloseTo(sr, within(1e-10 * n));
                assertThat(i[k]).as("n %d, sign %d, im %d", n, sign, k).isCloseTo(si, within(1e-10 * n));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -3})
    void aLengthBelowOneIsRefused(int n) {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new Fft(n))
                .withMessage("A transform of length " + n);
    }
}
