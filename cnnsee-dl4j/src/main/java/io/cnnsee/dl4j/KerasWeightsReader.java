package io.cnnsee.dl4j;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the weights of a VGG16 from a legacy Keras HDF5 weights file (the layout of
 * {@code Model.save_weights}): a root attribute {@code layer_names}; per layer a group with an
 * attribute {@code weight_names} listing its datasets (kernel first, then bias) by path inside
 * the group, e.g. {@code block1_conv1/kernel:0}. Pure Java (jHDF), no native HDF5.
 */
final class KerasWeightsReader {

    private KerasWeightsReader() {
    }

    /**
     * The weights of every weighted layer of {@code architecture}, checked against its shapes.
     * Layers in the file that the architecture does not have (the top, read for a network
     * without it) are ignored.
     *
     * @throws WeightsFormatException naming the file, the layer and both shapes on any mismatch
     */
    public static Map<String, LayerWeights> read(Path file, Vgg16Architecture architecture) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsFormatException("Weights file " + file + " does not exist or is not a file");
        }
        try (HdfFile hdf = new HdfFile(file)) {
            List<String> layerNames = strings(hdf.getAttribute("layer_names"), file, "the root");
            Map<String, LayerWeights> weights = new LinkedHashMap<>();
            for (LayerSpec spec : architecture.weightedLayers()) {
                if (!layerNames.contains(spec.name())) {
                    throw new WeightsFormatException("Weights file " + file + " has no layer " + spec.name()
                            + " (it has " + layerNames + ")" + hintFor(spec));
                }
                weights.put(spec.name(), readLayer(hdf, file, spec));
            }
            return weights;
        } catch (WeightsFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // jHDF reports truncated or foreign files with its own exceptions.
            throw new WeightsFormatException("Weights file " + file + " is not a readable Keras HDF5 weights file"
                    + " (truncated or damaged?): " + e.getMessage(), e);
        }
    }

    private static String hintFor(LayerSpec spec) {
        return spec.kind() == LayerSpec.Kind.CONV ? ": is it a VGG16 weights file?"
                : ": a network with top needs " + Vgg16Weights.WITH_TOP.fileName() + ", not the notop file";
    }

    private static LayerWeights readLayer(HdfFile hdf, Path file, LayerSpec spec) {
        Node node = hdf.getChild(spec.name());
        if (!(node instanceof Group group)) {
            throw new WeightsFormatException("Weights file " + file + " lists layer " + spec.name()
                    + " but has no group of that name");
        }
        List<String> names = strings(group.getAttribute("weight_names"), file, "layer " + spec.name());
        if (names.size() != 2) {
            throw new WeightsFormatException("Weights file " + file + ": layer " + spec.name()
                    + " should hold a kernel and a bias, but lists " + names);
        }
        float[] kernel = dataset(group, names.get(0), file, spec, spec.kernelShape());
        float[] bias = dataset(group, names.get(1), file, spec, new int[] {spec.outputs()});
        return new LayerWeights(spec.name(), spec.kernelShape(), kernel, bias);
    }

    private static float[] dataset(Group group, String name, Path file, LayerSpec spec, int[] expected) {
        Node node = group.getByPath(name);
        if (!(node instanceof Dataset dataset)) {
            throw new WeightsFormatException("Weights file " + file + ": layer " + spec.name() + " lists weight "
                    + name + " but it is not a dataset");
        }
        int[] shape = dataset.getDimensions();
        if (!Arrays.equals(shape, expected)) {
            throw new WeightsFormatException("Weights file " + file + ": layer " + spec.name() + " weight " + name
                    + " has shape " + Arrays.toString(shape) + ", expected " + Arrays.toString(expected));
        }
        Object flat = dataset.getDataFlat();
        if (flat instanceof float[] floats) {
            return floats;
        }
        if (flat instanceof double[] doubles) {
            float[] floats = new float[doubles.length];
            for (int i = 0; i < doubles.length; i++) {
                floats[i] = (float) doubles[i];
            }
            return floats;
        }
        throw new WeightsFormatException("Weights file " + file + ": layer " + spec.name() + " weight " + name
                + " holds " + dataset.getJavaType().getSimpleName() + " values, expected 32-bit floats");
    }

    private static List<String> strings(Attribute attribute, Path file, String where) {
        if (attribute == null) {
            throw new WeightsFormatException("Weights file " + file + " is not in the Keras weights layout: "
                    + where + " has no attribute " + (where.equals("the root") ? "layer_names" : "weight_names"));
        }
        Object data = attribute.getData();
        List<String> out = new ArrayList<>();
        if (data instanceof String s) {
            out.add(s);
        } else if (data != null && data.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(data); i++) {
                out.add(String.valueOf(Array.get(data, i)));
            }
        }
        return out;
    }
}
