package io.cnnsee.dl4j.engine.frontend;

import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalisation at inference as what it is there, a per-channel affine map
 * {@code y = scale x + shift} with {@code scale = gamma / sqrt(var + eps)} and
 * {@code shift = beta - mean scale}: folded into the convolution before it, run alone, and
 * differentiated (its gradient is {@code scale}), all from this one reading of Deeplearning4j's
 * parameters.
 */
public record BatchNormAffine(float[] scale, float[] shift) {

    public static BatchNormAffine of(BatchNormalization bn) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization conf =
                (org.deeplearning4j.nn.conf.layers.BatchNormalization) bn.conf().getLayer();
        double[] mean = values(bn.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        double[] var;
        if (conf.isUseLogStd()) {
            double[] log10std = values(bn.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            var = new double[log10std.length];
            for (int c = 0; c < var.length; c++) {
                double std = Math.pow(10, log10std[c]);
                var[c] = std * std;
            }
        } else {
            var = values(bn.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR));
        }
        int channels = mean.length;
        double[] gamma;
        double[] beta;
        if (conf.isLockGammaBeta()) {
            // As Deeplearning4j's forward pass: the fixed gamma and beta apply only together.
            boolean fixed = conf.getGamma() != 1.0 && conf.getBeta() != 0.0;
            gamma = filled(channels, fixed ? conf.getGamma() : 1.0);
            beta = filled(channels, fixed ? conf.getBeta() : 0.0);
        } else {
            gamma = values(bn.getParam(BatchNormalizationParamInitializer.GAMMA));
            beta = values(bn.getParam(BatchNormalizationParamInitializer.BETA));
        }
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = gamma[c] / Math.sqrt(var[c] + conf.getEps());
            scale[c] = (float) s;
            shift[c] = (float) (beta[c] - mean[c] * s);
        }
        return new BatchNormAffine(scale, shift);
    }

    private static double[] values(INDArray a) {
        return a.dup('c').data().asDouble();
    }

    private static double[] filled(int n, double value) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, value);
        return a;
    }
}
