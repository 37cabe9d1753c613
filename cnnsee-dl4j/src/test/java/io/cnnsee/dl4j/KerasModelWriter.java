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

/**
 * Writes whole Keras models as {@code model.save('x.h5')} does in Keras 2.2: the root attributes
 * {@code keras_version}, {@code backend} and {@code model_config} (the architecture as JSON), and
 * the group {@code model_weights} with one group per weighted layer, whose attribute
 * {@code weight_names} lists {@code <layer>/<weight>:0} and whose subgroup of the layer's name holds
 * them as 32-bit float datasets. Layers are added with their Keras config; weights are drawn at
 * random in Keras' own layouts (convolution kernels height, width, in, out) and kept for the test.
 */
public final class KerasModelWriter {

    /** One layer: its Keras class, name, config fields (name added), the layers it reads. */
    private record KerasLayer(String className, String name, Map<String, Object> config, List<String> inbound) {
    }

    private final String modelName;
    private final boolean sequential;
    private final List<KerasLayer> layers = new ArrayList<>();
    /** Layer name to weight name to (shape, values). */
    private final Map<String, Map<String, Object[]>> weights = new LinkedHashMap<>();
    private final SplittableRandom random;

    public KerasModelWriter(String modelName, boolean sequential, long seed) {
        this.modelName = modelName;
        this.sequential = sequential;
        this.random = new SplittableRandom(seed);
    }

    /** Adds a layer reading {@code inbound} (ignored for Sequential models, which chain). */
    public KerasModelWriter layer(String className, String name, Map<String, Object> config, String... inbound) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("trainable", true);
        c.putAll(config);
        layers.add(new KerasLayer(className, name, c, List.of(inbound)));
        return this;
    }

    /** A weight of {@code layer} of the given Keras shape, random around 0 with standard deviation {@code std} plus {@code offset}. */
    public float[] weight(String layer, String weight, double std, double offset, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (offset + std * (random.nextDouble() * 2 - 1) * Math.sqrt(3));
        }
        weights.computeIfAbsent(layer, k -> new LinkedHashMap<>()).put(weight, new Object[] {shape, values});
        return values;
    }

    public void write(Path file) {
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            hdf.putAttribute("keras_version", "2.2.4");
            hdf.putAttribute("backend", "tensorflow");
            hdf.putAttribute("model_config", Json.write(modelConfig()));
            WritableGroup root = hdf.putGroup("model_weights");
            root.putAttribute("layer_names", weights.keySet().toArray(String[]::new));
            root.putAttribute("backend", "tensorflow");
            root.putAttribute("keras_version", "2.2.4");
            for (var layer : weights.entrySet()) {
                String name = layer.getKey();
                WritableGroup group = root.putGroup(name);
                group.putAttribute("weight_names", layer.getValue().keySet().stream().map(w -> name + "/" + w + ":0")
                        .toArray(String[]::new));
                WritableGroup inner = group.putGroup(name);
                for (var w : layer.getValue().entrySet()) {
                    int[] shape = (int[]) w.getValue()[0];
                    float[] values = (float[]) w.getValue()[1];
                    inner.putDataset(w.getKey() + ":0", shaped(values, shape));
                }
            }
        }
    }

    private Map<String, Object> modelConfig() {
        List<Object> configs = new ArrayList<>();
        for (KerasLayer l : layers) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", l.name());
            entry.put("class_name", l.className());
            entry.put("config", l.config());
            if (!sequential) {
                List<Object> nodes = new ArrayList<>();
                for (String in : l.inbound()) {
                    nodes.add(List.of(in, 0, 0, Map.of()));
                }
                entry.put("inbound_nodes", nodes.isEmpty() ? List.of() : List.of(nodes));
            }
            configs.add(entry);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        if (sequential) {
            model.put("class_name", "Sequential");
            model.put("config", Map.of("name", modelName, "layers", configs));
        } else {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("name", modelName);
            config.put("layers", configs);
            config.put("input_layers", List.of(List.of(layers.get(0).name(), 0, 0)));
            config.put("output_layers", List.of(List.of(layers.get(layers.size() - 1).name(), 0, 0)));
            model.put("class_name", "Model");
            model.put("config", config);
        }
        return model;
    }

    /** A flat row-major array as the nested Java array of {@code shape} that jHDF writes. */
    static Object shaped(float[] flat, int[] shape) {
        return switch (shape.length) {
            case 1 -> flat;
            case 2 -> KerasWeightsWriter.shaped(flat, shape);
            case 4 -> KerasWeightsWriter.shaped(flat, shape);
            default -> throw new IllegalArgumentException("rank " + shape.length);
        };
    }

    // ---- Keras 2.2 configs of the layers the tests use, with the fields Keras writes ----

    public static Map<String, Object> initializer(String className) {
        return Map.of("class_name", className, "config", Map.of());
    }

    public static Map<String, Object> conv(int filters, int kernel, int stride, String padding, int dilation, String activation) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("filters", filters);
        c.put("kernel_size", List.of(kernel, kernel));
        c.put("strides", List.of(stride, stride));
        c.put("padding", padding);
        c.put("data_format", "channels_last");
        c.put("dilation_rate", List.of(dilation, dilation));
        c.put("activation", activation);
        return withKernelAndBias(c);
    }

    /** The fields Keras writes for a layer's kernel and bias, all at their defaults. */
    private static Map<String, Object> withKernelAndBias(Map<String, Object> c) {
        c.put("use_bias", true);
        c.put("kernel_initializer", initializer("GlorotUniform"));
        c.put("bias_initializer", initializer("Zeros"));
        c.put("kernel_regularizer", null);
        c.put("bias_regularizer", null);
        c.put("activity_regularizer", null);
        c.put("kernel_constraint", null);
        c.put("bias_constraint", null);
        return c;
    }

    public static Map<String, Object> depthwise(int kernel, String activation) {
        Map<String, Object> c = conv(0, kernel, 1, "same", 1, activation);
        c.remove("filters");
        c.remove("kernel_initializer");
        c.remove("kernel_regularizer");
        c.remove("kernel_constraint");
        c.put("depth_multiplier", 1);
        c.put("depthwise_initializer", initializer("GlorotUniform"));
        c.put("depthwise_regularizer", null);
        c.put("depthwise_constraint", null);
        return c;
    }

    public static Map<String, Object> separable(int filters, int kernel, String activation) {
        Map<String, Object> c = conv(filters, kernel, 1, "same", 1, activation);
        c.remove("kernel_initializer");
        c.remove("kernel_regularizer");
        c.remove("kernel_constraint");
        c.put("depth_multiplier", 1);
        c.put("depthwise_initializer", initializer("GlorotUniform"));
        c.put("pointwise_initializer", initializer("GlorotUniform"));
        c.put("depthwise_regularizer", null);
        c.put("pointwise_regularizer", null);
        c.put("depthwise_constraint", null);
        c.put("pointwise_constraint", null);
        return c;
    }

    public static Map<String, Object> batchNorm() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("axis", -1);
        c.put("momentum", 0.99);
        c.put("epsilon", 0.001);
        c.put("center", true);
        c.put("scale", true);
        c.put("beta_initializer", initializer("Zeros"));
        c.put("gamma_initializer", initializer("Ones"));
        c.put("moving_mean_initializer", initializer("Zeros"));
        c.put("moving_variance_initializer", initializer("Ones"));
        c.put("beta_regularizer", null);
        c.put("gamma_regularizer", null);
        c.put("beta_constraint", null);
        c.put("gamma_constraint", null);
        return c;
    }

    public static Map<String, Object> pool(int size) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("pool_size", List.of(size, size));
        c.put("padding", "valid");
        c.put("strides", List.of(size, size));
        c.put("data_format", "channels_last");
        return c;
    }

    public static Map<String, Object> dense(int units, String activation) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("units", units);
        c.put("activation", activation);
        return withKernelAndBias(c);
    }

    public static Map<String, Object> input(int height, int width, int channels) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("batch_input_shape", java.util.Arrays.asList(null, height, width, channels));
        c.put("dtype", "float32");
        c.put("sparse", false);
        return c;
    }

    /** JSON of maps, lists, strings, numbers, booleans and nulls. */
    static final class Json {
        private Json() {
        }

        static String write(Object o) {
            StringBuilder s = new StringBuilder();
            write(o, s);
            return s.toString();
        }

        private static void write(Object o, StringBuilder s) {
            if (o == null) {
                s.append("null");
            } else if (o instanceof String str) {
                s.append('"').append(str.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else if (o instanceof Map<?, ?> m) {
                s.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    s.append(first ? "" : ", ");
                    write(String.valueOf(e.getKey()), s);
                    s.append(": ");
                    write(e.getValue(), s);
                    first = false;
                }
                s.append('}');
            } else if (o instanceof List<?> l) {
                s.append('[');
                for (int i = 0; i < l.size(); i++) {
                    s.append(i == 0 ? "" : ", ");
                    write(l.get(i), s);
                }
                s.append(']');
            } else {
                s.append(o);
            }
        }
    }
}
