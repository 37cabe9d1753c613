package io.cnnsee.dl4j.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A whole Keras model in a file: Keras 3's {@code .keras} zip ({@code config.json} and
 * {@code model.weights.h5}), or an HDF5 {@code .h5} written by Keras 3's legacy writer or by
 * Keras 2 / tf-keras ({@code model_config} and {@code model_weights}). Its configuration as JSON
 * and each layer's weights in Keras's order (a kernel, then its bias ...). Pure Java (jHDF):
 * no native library and no diagnostics on the console.
 */
public final class KerasFile implements AutoCloseable {

    /** One weight of a layer: its name in the file, its Keras dimensions, and its values, row-major, read when asked. */
    public record Weight(String name, long[] dims, java.util.function.Supplier<float[]> values) {
    }

    private final Path path;
    private final JsonNode config;
    private final boolean keras3;
    /** The weights; for a {@code .keras} zip, extracted when first asked for. */
    private HdfFile hdf;
    /** Whether there are weights to read (not a configuration alone). */
    private final boolean weighted;
    /** Per layer name, the group holding its weights. */
    private final Map<String, Group> groups = new HashMap<>();
    /** In a legacy file, the nested model each of its inner layers belongs to, by the inner layer's name. */
    private final Map<String, String> nested = new HashMap<>();
    private final boolean native3;

    private KerasFile(Path path, JsonNode config, boolean keras3, HdfFile hdf, boolean native3, boolean weighted) {
        this.path = path;
        this.config = config;
        this.keras3 = keras3;
        this.hdf = hdf;
        this.native3 = native3;
        this.weighted = weighted;
    }

    /**
     * A model's configuration without weights (as {@code model.to_json()} or a {@code .keras}
     * zip's {@code config.json} holds it): to build an architecture with random weights.
     */
    public static KerasFile ofConfiguration(Path name, JsonNode config, boolean keras3) {
        return new KerasFile(name, config, keras3, null, keras3, false);
    }

    /** Whether {@code file} looks like a Keras model: a zip with {@code config.json}, or an HDF5 file. */
    public static boolean looksLikeKeras(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        byte[] head = head(file);
        if (head[0] == 'P' && head[1] == 'K') {
            try (ZipFile zip = new ZipFile(file.toFile())) {
                return zip.getEntry("config.json") != null;
            } catch (IOException e) {
                return false;
            }
        }
        return hdf5(head);
    }

    /**
     * Opens a Keras model file.
     *
     * @throws IllegalArgumentException saying what the file is and what to do, when it is not a whole Keras model
     */
    public static KerasFile open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No Keras model file at " + file.toAbsolutePath());
        }
        byte[] head = head(file);
        if (head[0] == 'P' && head[1] == 'K') {
            return openZip(file);
        }
        if (hdf5(head)) {
            return openH5(file);
        }
        throw new IllegalArgumentException(file + " is neither a Keras 3 .keras zip nor an HDF5 .h5 file");
    }

    private static byte[] head(Path file) {
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return head;
    }

    private static boolean hdf5(byte[] head) {
        return (head[0] & 0xFF) == 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F';
    }

    private static KerasFile openZip(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry config = zip.getEntry("config.json");
            ZipEntry weights = zip.getEntry("model.weights.h5");
            if (config == null || weights == null) {
                throw new IllegalArgumentException("The zip " + file + " is not a Keras 3 model: it has no "
                        + (config == null ? "config.json" : "model.weights.h5") + " (a .keras file holds config.json, "
                        + "metadata.json and model.weights.h5; save it with model.save('model.keras'))");
            }
            JsonNode json = parse(read(zip, config), file, "config.json");
            // The weights (VGG16's are 528 MB) are extracted only when a model reads them, not to look at the file.
            return new KerasFile(file, json, true, null, true, true);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the zip " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw damaged(file, e);
        }
    }

    private static byte[] read(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    private static KerasFile openH5(Path file) {
        HdfFile hdf = null;
        try {
            hdf = new HdfFile(file);
            Attribute config = hdf.getAttribute("model_config");
            if (config == null) {
                throw new IllegalArgumentException("The HDF5 file " + file + " has no model_config, so it holds weights only "
                        + "(model.save_weights) rather than a whole Keras model: save it with model.save('" + file.getFileName()
                        + "') to keep its architecture too");
            }
            Attribute version = hdf.getAttribute("keras_version");
            boolean keras3 = version != null && String.valueOf(scalar(version)).startsWith("3");
            JsonNode json = parse(String.valueOf(scalar(config)).getBytes(StandardCharsets.UTF_8), file, "model_config");
            KerasFile k = new KerasFile(file, json, keras3, hdf, false, true);
            k.indexH5();
            return k;
        } catch (RuntimeException e) {
            if (hdf != null) {
                hdf.close();
            }
            throw damaged(file, e);
        }
    }

    private static RuntimeException damaged(Path file, RuntimeException e) {
        if (e instanceof IllegalArgumentException) {
            return e;
        }
        return new IllegalArgumentException("Cannot read the Keras model " + file + " (truncated or damaged?): " + e.getMessage(), e);
    }

    private static Object scalar(Attribute a) {
        Object data = a.getData();
        if (data != null && data.getClass().isArray() && Array.getLength(data) == 1) {
            return Array.get(data, 0);
        }
        return data;
    }

    private static JsonNode parse(byte[] json, Path file, String what) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("The " + what + " of " + file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Whether there are weights, extracting a {@code .keras} zip's on first use. */
    private synchronized boolean weights() {
        if (!weighted) {
            return false;
        }
        if (hdf == null) {
            try (ZipFile zip = new ZipFile(path.toFile()); InputStream in = zip.getInputStream(zip.getEntry("model.weights.h5"))) {
                hdf = HdfFile.fromInputStream(in); // a temporary file, deleted on close
                indexNative();
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read the weights in " + path + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw damaged(path, e);
            }
        }
        return true;
    }

    /**
     * Keras 3's own layout: {@code layers/<object name>/vars/0, 1 ...}, each {@code vars} group
     * naming its layer; files that do not name them are matched by Keras's object names
     * ({@code conv2d}, {@code conv2d_1} ...) in the order of the configuration's layers.
     */
    private void indexNative() {
        Node layers = hdf.getChild("layers");
        if (!(layers instanceof Group root)) {
            return;
        }
        Map<String, Group> byObject = new HashMap<>();
        indexNamed(root, byObject);
        if (!groups.isEmpty()) {
            return;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode layer : modelConfig().path("layers")) {
            String object = snakeCase(layer.path("class_name").asText());
            int n = counts.merge(object, 1, Integer::sum) - 1;
            Group vars = byObject.get(n == 0 ? object : object + "_" + n);
            if (vars != null) {
                groups.put(layer.path("config").path("name").asText(layer.path("name").asText()), vars);
            }
        }
    }

    /** Every layer's {@code vars} below {@code group}, nested models' layers included, by the name each gives. */
    private void indexNamed(Group group, Map<String, Group> byObject) {
        for (Node child : group.getChildren().values()) {
            if (!(child instanceof Group g)) {
                continue;
            }
            if (g.getChild("vars") instanceof Group vars) {
                byObject.putIfAbsent(g.getName(), vars);
                Attribute name = vars.getAttribute("name");
                if (name != null) {
                    groups.put(String.valueOf(scalar(name)), vars);
                }
            }
            if (g.getChild("layers") instanceof Group nested) {
                indexNamed(nested, byObject);
            }
        }
    }

    /** Keras's {@code naming.to_snake_case}: "GlobalAveragePooling2D" is "global_average_pooling2d". */
    static String snakeCase(String className) {
        String s = className.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The legacy layout: {@code model_weights/<layer>} lists its datasets in {@code weight_names}. */
    private void indexH5() {
        Node weights = hdf.getChild("model_weights");
        if (!(weights instanceof Group root)) {
            throw new IllegalArgumentException("The HDF5 file " + path + " has a model_config but no model_weights: "
                    + "save the model with its weights (model.save)");
        }
        for (String layer : strings(root.getAttribute("layer_names"))) {
            Node g = root.getByPath(layer);
            if (g instanceof Group group) {
                groups.put(layer, group);
                // A nested model's group lists its layers' weights as "<inner layer>/<weight>".
                for (String weight : strings(group.getAttribute("weight_names"))) {
                    int slash = weight.indexOf('/');
                    String inner = slash < 0 ? "" : weight.substring(0, slash);
                    if (!inner.isEmpty() && !weight.startsWith(layer + "/") && !groups.containsKey(inner)) {
                        groups.put(inner, group);
                        nested.put(inner, layer);
                    }
                }
            }
        }
    }

    private static List<String> strings(Attribute attribute) {
        List<String> out = new ArrayList<>();
        Object data = attribute == null ? null : attribute.getData();
        if (data instanceof String s) {
            out.add(s);
        } else if (data != null && data.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(data); i++) {
                Object v = Array.get(data, i);
                if (v instanceof String s) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    public Path path() {
        return path;
    }

    /** Whether Keras 3 wrote it (its configuration's schema differs from Keras 2's). */
    public boolean keras3() {
        return keras3;
    }

    /** "Keras 3 .keras", "Keras 3 .h5" or "Keras 2 .h5", for messages. */
    public String kind() {
        return native3 ? "Keras 3 .keras" : keras3 ? "Keras 3 .h5" : "Keras 2 .h5";
    }

    /** The whole configuration: {@code {"class_name": "Functional" | "Sequential" | "Model", "config": {...}}}. */
    public JsonNode config() {
        return config;
    }

    /** The model's own configuration: its name, its layers and, for a functional model, its inputs and outputs. */
    public JsonNode modelConfig() {
        return config.path("config");
    }

    /** The weights of {@code layer}, in Keras's order; none for a layer without any. */
    public List<Weight> weights(String layer) {
        Group group = weights() ? groups.get(layer) : null;
        List<Weight> out = new ArrayList<>();
        if (group == null) {
            return out;
        }
        if (native3) {
            for (int i = 0; group.getChild(String.valueOf(i)) instanceof Dataset d; i++) {
                out.add(weight(layer, String.valueOf(i), d));
            }
            return out;
        }
        for (String name : strings(group.getAttribute("weight_names"))) {
            if (nested.containsKey(layer) && !name.startsWith(layer + "/")) {
                continue; // the outer model's group lists every inner layer's weights
            }
            if (!(group.getByPath(name) instanceof Dataset d)) {
                throw new IllegalArgumentException(path + ": layer " + layer + " lists weight " + name + " but has no such dataset");
            }
            out.add(weight(layer, name, d));
        }
        return out;
    }

    private Weight weight(String layer, String name, Dataset d) {
        int[] dims = d.getDimensions();
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[i];
        }
        return new Weight(name, shape, () -> floats(layer, name, d));
    }

    private float[] floats(String layer, String name, Dataset d) {
        Object flat = d.isScalar() ? d.getData() : d.getDataFlat();
        if (flat instanceof float[] f) {
            return f;
        }
        if (flat instanceof double[] doubles) {
            float[] values = new float[doubles.length];
            for (int i = 0; i < doubles.length; i++) {
                values[i] = (float) doubles[i];
            }
            return values;
        }
        if (flat instanceof long[] longs) {
            float[] values = new float[longs.length];
            for (int i = 0; i < longs.length; i++) {
                values[i] = longs[i];
            }
            return values;
        }
        if (flat instanceof Number n) {
            return new float[] {n.floatValue()};
        }
        throw new IllegalArgumentException(path + ": layer " + layer + "'s weight " + name + " holds "
                + d.getJavaType().getSimpleName() + " values, not 32-bit floats");
    }

    @Override
    public synchronized void close() {
        if (hdf != null) {
            hdf.close();
        }
    }
}
