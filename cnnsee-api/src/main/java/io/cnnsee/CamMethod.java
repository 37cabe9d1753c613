package io.cnnsee;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * A class-activation-map method: from a layer's output and the gradient of a class score with
 * respect to it ({@link CamInput}), where in the picture the evidence for the class lies. Implement
 * {@link #compute} for a method of your own, as for a {@link ChannelRanker}.
 *
 * <p>Conventions, for every built-in method: the score explained is the class's logit, before
 * softmax, as in Grad-CAM's paper; each map is clipped at 0 ({@code ReLU}) at the layer's
 * resolution. Where pytorch-grad-cam's widely used code and a paper differ, cnnsee follows the
 * code and says so here; docs/explanations.md has the formulas.
 */
public interface CamMethod {

    /** Grad-CAM (Selvaraju et al. 2017): {@code w_k} = the spatial mean of the gradient; map = ReLU(sum_k w_k A_k). */
    CamMethod GRAD_CAM = weigh("Grad-CAM", true, false, CamFormulas::gradCamWeights);

    /**
     * Grad-CAM++ (Chattopadhyay et al. 2018), in pytorch-grad-cam's form: with g = d logit / d A,
     * {@code alpha = g^2 / (2 g^2 + sum_ij(A_k) g^3 + 1e-6)} (0 where g = 0) and
     * {@code w_k = sum_ij alpha ReLU(g)}. The paper differentiates exp(logit), which multiplies
     * every weight by the same exp(logit): the map's shape is the same.
     */
    CamMethod GRAD_CAM_PLUS_PLUS = weigh("Grad-CAM++", true, false, CamFormulas::gradCamPlusPlusWeights);

    /** XGrad-CAM (Fu et al. 2020): {@code w_k = sum_ij(g A_k) / (sum_ij A_k + 1e-7)}. */
    CamMethod XGRAD_CAM = weigh("XGrad-CAM", true, false, CamFormulas::xGradCamWeights);

    /** HiResCAM (Draelos and Carin 2020): map = ReLU(sum_k g_k * A_k), element by element; no channel weights. */
    CamMethod HIRES_CAM = map("HiResCAM", true,
            in -> CamFormulas.elementWiseSum(in.activation(), in.gradient(), false));

    /** LayerCAM (Jiang et al. 2021): map = ReLU(sum_k ReLU(g_k) * A_k), element by element; no channel weights. */
    CamMethod LAYER_CAM = map("LayerCAM", true,
            in -> CamFormulas.elementWiseSum(in.activation(), in.gradient(), true));

    /**
     * Eigen-CAM (Muhammad and Yeasin 2020): the layer's output projected on its first principal
     * component; no gradient. As pytorch-grad-cam, each channel is centred over the positions
     * first. The component's sign, which a decomposition leaves open (pytorch-grad-cam takes
     * whatever its SVD gives), is cnnsee's choice: the sign that agrees with the channels' sum. {@link #eigenCam(boolean)} gives the uncentred form.
     */
    CamMethod EIGEN_CAM = eigenCam(true);

    /** EigenGrad-CAM: Eigen-CAM of {@code g * A}, element by element, as pytorch-grad-cam defines it. */
    CamMethod EIGEN_GRAD_CAM = map("EigenGrad-CAM", true,
            in -> CamFormulas.principalProjection(CamFormulas.product(in.activation(), in.gradient()), true));

    /**
     * Score-CAM (Wang et al. 2020): the picture masked by each channel (upsampled bilinearly with
     * corners aligned, as pytorch-grad-cam's {@code UpsamplingBilinear2d}, and scaled to 0..1),
     * each masked picture scored by the model; {@code w} = the softmax over channels of the
     * class's logits, map = ReLU(sum_k w_k A_k). The paper subtracts a baseline picture's score
     * first, which the softmax over channels cancels. No gradient; K passes, run as batches. Needs
     * a {@link CamInput#withScorer scorer}.
     */
    CamMethod SCORE_CAM = weigh("Score-CAM", false, true, CamFormulas::scoreCamWeights);

    /**
     * Ablation-CAM (Desai and Ramaswamy 2020), as pytorch-grad-cam computes it: each channel of the
     * layer set to 0 in turn and the network run on from there; {@code w_k} = (logit - logit
     * without channel k) / logit, map = ReLU(sum_k w_k A_k). No gradient; K passes from the layer,
     * run as batches. Needs a {@link CamInput#withLayerScorer layer scorer}, and a layer nothing
     * before reaches past.
     */
    CamMethod ABLATION_CAM = define("Ablation-CAM", false, false, input -> {
        double[] w = CamFormulas.ablationCamWeights(input);
        return ClassActivationMap.of("Ablation-CAM", input, w, CamFormulas.weightedSum(input.activation(), w));
    });

    /** The method's name, shown in reports. */
    String name();

    /** The map of {@code input}'s layer for its class. */
    ClassActivationMap compute(CamInput input);

    /** Whether the method reads the gradient; Eigen-CAM does not. */
    default boolean usesGradient() {
        return true;
    }

    /** Whether the method scores perturbed pictures, which needs a model with {@link InputScores}. */
    default boolean perturbs() {
        return false;
    }

    /** Whether the method runs the network on from a changed layer output, which needs {@link LayerScores}. */
    default boolean ablates() {
        return this == ABLATION_CAM;
    }

    /** The built-in methods, in the order documented. */
    static List<CamMethod> builtIns() {
        return List.of(GRAD_CAM, GRAD_CAM_PLUS_PLUS, XGRAD_CAM, HIRES_CAM, LAYER_CAM, EIGEN_CAM, EIGEN_GRAD_CAM, SCORE_CAM,
                ABLATION_CAM);
    }

    /**
     * The built-in method called {@code name}, ignoring case, spaces and dashes: {@code gradcam},
     * {@code gradcam++}, {@code xgradcam}, {@code hirescam}, {@code layercam}, {@code eigencam},
     * {@code eigengradcam}, {@code scorecam}, {@code ablationcam}.
     *
     * @throws IllegalArgumentException naming the methods there are
     */
    static CamMethod builtIn(String name) {
        Objects.requireNonNull(name, "name");
        String key = key(name);
        List<String> known = new ArrayList<>();
        for (CamMethod m : builtIns()) {
            if (key(m.name()).equals(key)) {
                return m;
            }
            known.add(key(m.name()));
        }
        for (SaliencyMethod m : SaliencyMethod.values()) {
            if (key(m.cliName()).equals(key)) {
                throw new IllegalArgumentException("'" + name.strip() + "' is a saliency method in cnnsee, a map at the"
                        + " picture's resolution rather than one layer's: ask for it with --saliency " + m.cliName()
                        + " (SaliencyMethod." + m.name() + "); the CAM methods are " + known);
            }
        }
        throw new IllegalArgumentException("Unknown CAM method '" + name.strip() + "': choose one of " + known);
    }

    /** A method's name as the command line writes it: lower case, without spaces or dashes. */
    static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT).replace("-", "").replace(" ", "");
    }

    /** Eigen-CAM, with each channel centred over the positions first (pytorch-grad-cam) or not (the paper's text). */
    static CamMethod eigenCam(boolean centred) {
        return map(centred ? "Eigen-CAM" : "Eigen-CAM (uncentred)", false,
                in -> CamFormulas.principalProjection(in.activation(), centred));
    }

    /** A method that weighs channels from the gradient: map = ReLU(sum_k w_k A_k), {@code w} from {@code weights}. */
    static CamMethod weighing(String name, Function<CamInput, double[]> weights) {
        return weigh(name, true, false, weights);
    }

    private static CamMethod weigh(String name, boolean usesGradient, boolean perturbs, Function<CamInput, double[]> weights) {
        Objects.requireNonNull(weights, "weights");
        return define(name, usesGradient, perturbs, input -> {
            double[] w = weights.apply(input);
            return ClassActivationMap.of(name, input, w, CamFormulas.weightedSum(input.activation(), w));
        });
    }

    private static CamMethod map(String name, boolean usesGradient, Function<CamInput, float[]> map) {
        Objects.requireNonNull(map, "map");
        return define(name, usesGradient, false, input -> ClassActivationMap.of(name, input, null, map.apply(input)));
    }

    /** An anonymous class: a named nested one would be initialised apart from this interface, and could deadlock with it. */
    private static CamMethod define(String name, boolean usesGradient, boolean perturbs,
                                    Function<CamInput, ClassActivationMap> computation) {
        Objects.requireNonNull(name, "name");
        return new CamMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ClassActivationMap compute(CamInput input) {
                return computation.apply(Objects.requireNonNull(input, "input"));
            }

            @Override
            public boolean usesGradient() {
                return usesGradient;
            }

            @Override
            public boolean perturbs() {
                return perturbs;
            }

            @Override
            public String toString() {
                return "CamMethod[" + name + "]";
            }
        };
    }
}
