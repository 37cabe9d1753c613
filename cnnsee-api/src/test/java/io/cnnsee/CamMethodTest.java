package io.cnnsee;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each built-in CAM method against its paper's formula, written here again from the activations
 * and gradients as plain loops over [channel][y][x] arrays, on values chosen so mistakes show:
 * negative and zero gradients, channels of negative sums, positions of zero activation.
 */
class CamMethodTest {

    static final int K = 5;
    static final int H = 3;
    static final int W = 4;
    static final Tap CONV = Tap.of("conv", new MapShape(K, H, W));

    final double[][][] a = new double[K][H][W];
    final double[][][] g = new double[K][H][W];
    final CamInput input;

    CamMethodTest() {
        Random random = new Random(17);
        float[] av = new float[K * H * W];
        float[] gv = new float[K * H * W];
        for (int k = 0; k < K; k++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int i = (k * H + y) * W + x;
                    // Channel 4 is mostly negative (as before a ReLU), position (0, 0) of channel 1 is zero.
                    av[i] = (float) (k == 4 ? random.nextGaussian() - 1 : k == 1 && y == 0 && x == 0 ? 0 : random.nextDouble() * 2);
                    // Channel 2's gradient is zero on its first row, channel 3's is negative everywhere.
                    gv[i] = (float) (k == 2 && y == 0 ? 0 : k == 3 ? -random.nextDouble() : random.nextGaussian());
                    a[k][y][x] = av[i];
                    g[k][y][x] = gv[i];
                }
            }
        }
        input = new CamInput(FeatureMap.copyOf(CONV, av), FeatureMap.copyOf(CONV, gv), 7, "seven", 0.25f);
    }

    @Test
    void gradCamWeighsEachChannelByItsMeanGradient() {
        double[] w = new double[K];
        for (int k = 0; k < K; k++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    w[k] += g[k][y][x] / (H * W);
                }
            }
        }
        assertWeighted(CamMethod.GRAD_CAM.compute(input), w, "Grad-CAM");
        // GradCam, the inspector's, is the same map.
        GradCam cam = GradCam.of(input.activation(), input.gradient(), 7, "seven", 0.25f);
        assertThat(cam.heatmap().toArray()).containsExactly(CamMethod.GRAD_CAM.compute(input).heatmap().toArray());
    }

    @Test
    void gradCamPlusPlusFollowsPytorchGradCamsClosedForm() {
        double[] w = new double[K];
        for (int k = 0; k < K; k++) {
            double sumA = 0;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    sumA += a[k][y][x];
                }
            }
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    double d = g[k][y][x];
                    double alpha = d == 0 ? 0 : Math.pow(d, 2) / (2 * Math.pow(d, 2) + sumA * Math.pow(d, 3) + 1e-6);
                    w[k] += alpha * Math.max(d, 0);
                }
            }
        }
        assertThat(w[3]).as("a channel whose gradient is negative everywhere").isZero();
        assertWeighted(CamMethod.GRAD_CAM_PLUS_PLUS.compute(input), w, "Grad-CAM++");
    }

    @Test
    void xGradCamWeighsTheGradientByTheActivationsShare() {
        double[] w = new double[K];
        for (int k = 0; k < K; k++) {
            double num = 0;
            double den = 0;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    num += g[k][y][x] * a[k][y][x];
                    den += a[k][y][x];
                }
            }
            w[k] = num / (den + 1e-7);
        }
        assertWeighted(CamMethod.XGRAD_CAM.compute(input), w, "XGrad-CAM");
    }

    @Test
    void hiResCamAndLayerCamMultiplyElementByElement() {
        double[][] hires = new double[H][W];
        double[][] layer = new double[H][W];
        for (int k = 0; k < K; k++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    hires[y][x] += g[k][y][x] * a[k][y][x];
                    layer[y][x] += Math.max(0, g[k][y][x]) * a[k][y][x];
                }
            }
        }
        ClassActivationMap h = CamMethod.HIRES_CAM.compute(input);
        ClassActivationMap l = CamMethod.LAYER_CAM.compute(input);
        assertMap(h, relu(hires));
        assertMap(l, relu(layer));
        assertThat(h.weights()).isEmpty();
        assertThat(h.ranker()).isEmpty();
        assertThat(h.method()).isEqualTo("HiResCAM");
        assertThat(l.method()).isEqualTo("LayerCAM");
    }

    @Test
    void eigenCamProjectsOnTheFirstPrincipalComponentWithTheSignOfTheChannelsSum() {
        assertMap(CamMethod.EIGEN_CAM.compute(input), relu(principal(a, true)));
        assertMap(CamMethod.eigenCam(false).compute(input), relu(principal(a, false)));
        double[][][] ga = new double[K][H][W];
        for (int k = 0; k < K; k++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    ga[k][y][x] = g[k][y][x] * a[k][y][x];
                }
            }
        }
        assertMap(CamMethod.EIGEN_GRAD_CAM.compute(input), relu(principal(ga, true)));
        assertThat(CamMethod.EIGEN_CAM.usesGradient()).isFalse();
        assertThat(CamMethod.EIGEN_GRAD_CAM.usesGradient()).isTrue();
    }

    /** More channels than positions, and the other way round: both Gram matrices give the same projection. */
    @Test
    void eigenCamIsTheSameWhicheverSideTheDecompositionTakes() {
        Random random = new Random(3);
        for (int[] shape : new int[][] {{2, 3, 3}, {20, 2, 2}}) {
            Tap t = Tap.of("t", new MapShape(shape[0], shape[1], shape[2]));
            float[] v = new float[shape[0] * shape[1] * shape[2]];
            double[][][] m = new double[shape[0]][shape[1]][shape[2]];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextGaussian();
                m[i / (shape[1] * shape[2])][i / shape[2] % shape[1]][i % shape[2]] = v[i];
            }
            FeatureMap map = FeatureMap.copyOf(t, v);
            CamInput in = new CamInput(map, map, 0, "c", 1f);
            assertMap(CamMethod.EIGEN_CAM.compute(in), relu(principal(m, true)));
        }
    }

    @Test
    void methodsAreFoundByTheirCommandLineNamesAndWeighingOnesRank() {
        assertThat(CamMethod.builtIns()).extracting(CamMethod::name).containsExactly("Grad-CAM", "Grad-CAM++",
                "XGrad-CAM", "HiResCAM", "LayerCAM", "Eigen-CAM", "EigenGrad-CAM", "Score-CAM", "Ablation-CAM");
        assertThat(CamMethod.builtIn(" GradCAM++ ")).isSameAs(CamMethod.GRAD_CAM_PLUS_PLUS);
        assertThat(CamMethod.builtIn("eigen-grad-cam")).isSameAs(CamMethod.EIGEN_GRAD_CAM);
        assertThatThrownBy(() -> CamMethod.builtIn("occlusion"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown CAM method 'occlusion': choose one of [gradcam, gradcam++, xgradcam, hirescam,"
                        + " layercam, eigencam, eigengradcam, scorecam, ablationcam]");
        assertThatThrownBy(() -> CamMethod.builtIn("FullGrad"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'FullGrad' is a saliency method in cnnsee, a map at the picture's resolution rather than one"
                        + " layer's: ask for it with --saliency fullgrad (SaliencyMethod.FULL_GRAD); the CAM methods are"
                        + " [gradcam, gradcam++, xgradcam, hirescam, layercam, eigencam, eigengradcam, scorecam, ablationcam]");
        assertThat(CamMethod.ABLATION_CAM.ablates()).isTrue();
        assertThat(CamMethod.SCORE_CAM.ablates()).isFalse();
        assertThatThrownBy(() -> CamMethod.ABLATION_CAM.compute(input))
                .hasMessageStartingWith("Ablation-CAM runs the network on from the layer with each channel removed");
        ClassActivationMap xgrad = CamMethod.XGRAD_CAM.compute(input);
        double[] w = xgrad.weights().orElseThrow();
        Ranking ranking = xgrad.ranker().orElseThrow().rank(input.activation());
        assertThat(ranking.rankerName()).isEqualTo("XGrad-CAM");
        assertThat(ranking.channels().get(0).score()).isEqualTo(java.util.Arrays.stream(w).max().orElseThrow());
        assertThat(xgrad.classIndex()).isEqualTo(7);
        assertThat(xgrad.label()).isEqualTo("seven");
        assertThatThrownBy(() -> new CamInput(input.activation(), FeatureMap.copyOf(Tap.of("other", CONV.shape()),
                new float[K * H * W]), 0, "c", 1f)).hasMessageContaining("The gradient is of");
    }

    /** A method of one's own: its map is clipped at 0 and kept at the layer's resolution. */
    @Test
    void aMethodOfOnesOwnIsAWeighing() {
        CamMethod firstChannel = CamMethod.weighing("first channel", in -> {
            double[] w = new double[in.activation().channelCount()];
            w[0] = -1;
            return w;
        });
        double[][] expected = new double[H][W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                expected[y][x] = -a[0][y][x];
            }
        }
        assertMap(firstChannel.compute(input), relu(expected));
    }

    /** The first principal component of the positions, by Jacobi's method on the channels' covariance. */
    static double[][] principal(double[][][] m, boolean centred) {
        int k = m.length;
        int h = m[0].length;
        int w = m[0][0].length;
        double[][] x = new double[h * w][k];
        for (int c = 0; c < k; c++) {
            double mean = 0;
            for (int p = 0; p < h * w; p++) {
                mean += m[c][p / w][p % w] / (h * w);
            }
            for (int p = 0; p < h * w; p++) {
                x[p][c] = m[c][p / w][p % w] - (centred ? mean : 0);
            }
        }
        double[][] cov = new double[k][k];
        for (double[] row : x) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    cov[i][j] += row[i] * row[j];
                }
            }
        }
        double[] v = jacobiTopEigenvector(cov);
        double[][] out = new double[h][w];
        double agreement = 0;
        for (int p = 0; p < h * w; p++) {
            double s = 0;
            double sum = 0;
            for (int c = 0; c < k; c++) {
                s += x[p][c] * v[c];
                sum += m[c][p / w][p % w];
            }
            out[p / w][p % w] = s;
            agreement += s * sum;
        }
        if (agreement < 0) {
            for (double[] row : out) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = -row[i];
                }
            }
        }
        return out;
    }

    static double[] jacobiTopEigenvector(double[][] s) {
        int n = s.length;
        double[][] a = new double[n][];
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            a[i] = s[i].clone();
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(a[p][q]) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double sn = t * c;
                    for (int r = 0; r < n; r++) {
                        double arp = a[r][p];
                        double arq = a[r][q];
                        a[r][p] = c * arp - sn * arq;
                        a[r][q] = sn * arp + c * arq;
                    }
                    for (int r = 0; r < n; r++) {
                        double apr = a[p][r];
                        double aqr = a[q][r];
                        a[p][r] = c * apr - sn * aqr;
                        a[q][r] = sn * apr + c * aqr;
                    }
                    for (int r = 0; r < n; r++) {
                        double vrp = v[r][p];
                        double vrq = v[r][q];
                        v[r][p] = c * vrp - sn * vrq;
                        v[r][q] = sn * vrp + c * vrq;
                    }
                }
            }
        }
        int top = 0;
        for (int i = 1; i < n; i++) {
            if (a[i][i] > a[top][top]) {
                top = i;
            }
        }
        double[] out = new double[n];
        for (int r = 0; r < n; r++) {
            out[r] = v[r][top];
        }
        return out;
    }

    static double[][] relu(double[][] m) {
        double[][] out = new double[m.length][];
        for (int y = 0; y < m.length; y++) {
            out[y] = m[y].clone();
            for (int x = 0; x < out[y].length; x++) {
                out[y][x] = Math.max(0, out[y][x]);
            }
        }
        return out;
    }

    void assertWeighted(ClassActivationMap map, double[] w, String method) {
        assertThat(map.method()).isEqualTo(method);
        double[] got = map.weights().orElseThrow();
        for (int k = 0; k < K; k++) {
            assertThat(got[k]).as(method + " weight of channel " + k).isCloseTo(w[k], org.assertj.core.data.Offset.offset(1e-9 + 1e-6 * Math.abs(w[k])));
        }
        double[][] expected = new double[H][W];
        for (int k = 0; k < K; k++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    expected[y][x] += w[k] * a[k][y][x];
                }
            }
        }
        assertMap(map, relu(expected));
    }

    static void assertMap(ClassActivationMap map, double[][] expected) {
        Channel h = map.heatmap();
        assertThat(h.height()).isEqualTo(expected.length);
        assertThat(h.width()).isEqualTo(expected[0].length);
        double scale = 0;
        for (double[] row : expected) {
            for (double v : row) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int y = 0; y < expected.length; y++) {
            for (int x = 0; x < expected[0].length; x++) {
                assertThat((double) h.get(y, x)).as(map.method() + " at (" + y + ", " + x + ")")
                        .isCloseTo(expected[y][x], org.assertj.core.data.Offset.offset(1e-5 * scale + 1e-12));
            }
        }
    }

}
