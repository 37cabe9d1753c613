package io.cnnsee;

import java.util.SplittableRandom;

/**
 * ROAD's noisy linear imputation (Rong et al. 2022): removed pixels take the weighted mean of
 * their 8 neighbours (1/6 for the 4 beside, 1/12 for the 4 diagonal, renormalised at the edges),
 * solved for all removed pixels together, each channel apart, then Gaussian noise is added, so
 * the holes carry no shape the network could read the removal from.
 */
final class NoisyLinearImputer {

    private static final int[][] NEIGHBOURS = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}};
    private static final double[] WEIGHTS = {1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 1 / 12.0};
    /** Over-relaxation: the linear system is Laplace-like, which plain Gauss-Seidel solves slowly. */
    private static final double OMEGA = 1.9;
    private static final int SWEEPS = 5000;

    private NoisyLinearImputer() {
    }

    /**
     * {@code input} (channels of height x width) with the positions {@code removed} imputed.
     *
     * @param noise the standard deviation of the noise added to imputed values; 0 for none
     */
    static float[] impute(float[] input, int height, int width, boolean[] removed, double noise, long seed) {
        int plane = height * width;
        int channels = input.length / plane;
        float[] out = input.clone();
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[plane];
        for (int c = 0; c < channels; c++) {
            int offset = c * plane;
            double known = 0;
            int knownCount = 0;
            for (int p = 0; p < plane; p++) {
                if (!removed[p]) {
                    known += input[offset + p];
                    knownCount++;
                }
            }
            // Started from the mean of what is kept, the iteration has less far to go.
            double start = knownCount == 0 ? 0 : known / knownCount;
            for (int p = 0; p < plane; p++) {
                values[p] = removed[p] ? start : input[offset + p];
            }
            solve(values, height, width, removed);
            for (int p = 0; p < plane; p++) {
                if (removed[p]) {
                    out[offset + p] = (float) (values[p] + (noise > 0 ? noise * gaussian(random) : 0));
                }
            }
        }
        return out;
    }

    /** Successive over-relaxation of x_p = sum_q w_q x_q / sum_q w_q over the removed positions. */
    private static void solve(double[] v, int height, int width, boolean[] removed) {
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            double change = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int p = y * width + x;
                    if (!removed[p]) {
                        continue;
                    }
                    double sum = 0;
                    double weight = 0;
                    for (int n = 0; n < NEIGHBOURS.length; n++) {
                        int ny = y + NEIGHBOURS[n][0];
                        int nx = x + NEIGHBOURS[n][1];
                        if (ny >= 0 && ny < height && nx >= 0 && nx < width) {
                            sum += WEIGHTS[n] * v[ny * width + nx];
                            weight += WEIGHTS[n];
                        }
                    }
                    double next = v[p] + OMEGA * (sum / weight - v[p]);
                    change = Math.max(change, Math.abs(next - v[p]));
                    v[p] = next;
                }
            }
            if (change < 1e-6) {
                return;
            }
        }
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
