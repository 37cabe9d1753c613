package io.cnnsee.dl4j;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a network from a file: a {@code ModelSerializer} zip, or a whole Keras model in HDF5
 * through Deeplearning4j's Keras import. Every failure says what the file is and what to do.
 */
final class NetworkFile {

    /** What was read, and how reports should name where its weights came from. */
    record Loaded(Model network, String description) {
    }

    private NetworkFile() {
    }

    static Loaded read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No model file at " + file.toAbsolutePath()
                    + (Files.isDirectory(file) ? " (it is a folder)" : "") + ": give a .zip saved by ModelSerializer or a Keras .h5");
        }
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n == 0) {
                throw new IllegalArgumentException("The model file " + file + " is empty (0 bytes)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the model file " + file + ": " + e.getMessage(), e);
        }
        if (head[0] == 'P' && head[1] == 'K') {
            return readZip(file);
        }
        if ((head[0] & 0xFF) == 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F') {
            return readKeras(file);
        }
        throw new IllegalArgumentException("The model file " + file + " is neither a zip (ModelSerializer) nor an HDF5 file "
                + "(Keras .h5): give a network saved by ModelSerializer.writeModel or by Keras' model.save('....h5')");
    }

    private static Loaded readZip(Path file) {
        String json;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null && zip.getEntry("config.json") != null) {
                throw new IllegalArgumentException("The zip " + file + " is a Keras 3 model (.keras): read it with "
                        + "KerasModels.builder(path), which runs it on the engine without Deeplearning4j");
            }
            if (entry == null) {
                throw new IllegalArgumentException("The zip " + file + " has no configuration.json, so it is not a network "
                        + "saved by Deeplearning4j's ModelSerializer");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the zip " + file + ": " + e.getMessage(), e);
        }
        try {
            Model network = json.contains("\"vertices\"")
                    ? ModelSerializer.restoreComputationGraph(file.toFile(), false)
                    : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
            return new Loaded(network, "weights from " + file.getFileName());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Deeplearning4j cannot restore the network in " + file + ": " + e.getMessage(), e);
        }
    }

    private static Loaded readKeras(Path file) {
        String className;
        try (HdfFile hdf = new HdfFile(file)) {
            Attribute config = hdf.getAttribute("model_config");
            if (config == null) {
                throw new IllegalArgumentException("The HDF5 file " + file + " has no model_config, so it holds weights only "
                        + "(model.save_weights) rather than a whole Keras model: save it with model.save('" + file.getFileName()
                        + "') to keep its architecture too");
            }
            String json = String.valueOf(config.getData());
            int at = json.indexOf("\"class_name\"");
            className = at < 0 ? "" : json.substring(at).replaceFirst("(?s)^\"class_name\"\\s*:\\s*\"([^\"]*)\".*", "$1");
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("Cannot read the HDF5 file " + file + ": " + e.getMessage(), e);
        }
        try {
            Model network = "Sequential".equals(className)
                    ? KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), false)
                    : KerasModelImport.importKerasModelAndWeights(file.toString(), false);
            return new Loaded(network, "weights from the Keras model " + file.getFileName());
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IllegalArgumentException("Deeplearning4j's Keras import cannot read " + file + " ("
                    + className.toLowerCase(Locale.ROOT) + " model): " + reason
                    + ". See docs/models.md for the layers it supports", e);
        }
    }
}
