package io.cnnsee.dl4j;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Writes weights files in the layout of the official Keras VGG16 files: root attributes
 * {@code layer_names}, {@code backend}, {@code keras_version}; per layer a group whose attribute
 * {@code weight_names} lists {@code <layer>/kernel:0} and {@code <layer>/bias:0}, stored as
 * 32-bit float datasets in a subgroup named like the layer; fixed-length byte strings, as h5py
 * writes them. (jHDF cannot write an empty attribute, so weightless layers have no
 * {@code weight_names}; the reader needs none for them.)
 */
public final class KerasWeightsWriter {

    private KerasWeightsWriter() {
    }

    /** Random weights for {@code architecture}: Gaussian kernels scaled by fan-in, small biases. */
    public static Map<String, LayerWeights> randomWeights(Vgg16Architecture architecture, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, LayerWeights> weights = new LinkedHashMap<>();
        for (LayerSpec spec : architecture.weightedLayers()) {
            int[] shape = spec.kernelShape();
            float[] kernel = new float[(int) (spec.parameterCount() - spec.outputs())];
            int fanIn = kernel.length / spec.outputs();
            double std = Math.sqrt(2.0 / fanIn);
            for (int i = 0; i < kernel.length; i++) {
                kernel[i] = (float) (gaussian(random) * std);
            }
            float[] bias = new float[spec.outputs()];
            for (int i = 0; i < bias.length; i++) {
                bias[i] = (float) (gaussian(random) * 0.1);
            }
            weights.put(spec.name(), new LayerWeights(spec.name(), shape, kernel, bias));
        }
        return weights;
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** Writes {@code weights} for the layers of {@code architecture} into {@code file}. */
    public static void write(Path file, Vgg16Architecture architecture, Map<String, LayerWeights> weights) {
        write(file, architecture, weights, name -> name);
    }

    /** As {@link #write(Path, Vgg16Architecture, Map)}, with layers renamed as in another model. */
    static void write(Path file, Vgg16Architecture architecture, Map<String, LayerWeights> weights,
                      UnaryOperator<String> rename) {
        List<String> layerNames = new ArrayList<>();
        layerNames.add("input_1");
        architecture.layers().forEach(l -> layerNames.add(l.name()));
        if (architecture.includeTop()) {
            layerNames.add(layerNames.indexOf("fc1"), "flatten");
        }
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            hdf.putAttribute("layer_names", layerNames.stream().map(rename).toArray(String[]::new));
            hdf.putAttribute("backend", "tensorflow");
            hdf.putAttribute("keras_version", "2.0.8");
            for (String layer : layerNames) {
                String name = rename.apply(layer);
                WritableGroup group = hdf.putGroup(name);
                LayerWeights w = weights.get(layer);
                if (w == null) {
                    continue;
                }
                group.putAttribute("weight_names", new String[] {name + "/kernel:0", name + "/bias:0"});
                WritableGroup inner = group.putGroup(name);
                inner.putDataset("kernel:0", shaped(w.kernel(), w.kernelShape()));
                inner.putDataset("bias:0", w.bias());
            }
        }
    }

    /** A flat row-major array as a nested Java array of {@code shape}, the form jHDF writes. */
    static Object shaped(float[] flat, int[] shape) {
        if (shape.length == 2) {
            float[][] out = new float[shape[0]][shape[1]];
            for (int i = 0; i < shape[0]; i++) {
                System.arraycopy(flat, i * shape[1], out[i], 0, shape[1]);
            }
            return out;
        }
        float[][][][] out = new float[shape[0]][shape[1]][shape[2]][shape[3]];
        int k = 0;
        for (int a = 0; a < shape[0]; a++) {
            for (int b = 0; b < shape[1]; b++) {
                for (int c = 0; c < shape[2]; c++) {
                    System.arraycopy(flat, k, out[a][b][c], 0, shape[3]);
                    k += shape[3];
                }
            }
        }
        return out;
    }
}
