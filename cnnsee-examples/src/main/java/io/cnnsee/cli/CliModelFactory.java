package io.cnnsee.cli;

import io.cnnsee.InspectableModel;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.spark.SparkAtlas;

import java.io.PrintWriter;
import java.nio.file.Path;

/** The command line's model options, sent to executors, which make the same model from them. */
record CliModelFactory(String model, String weights, long seed, String inputPreset, String inputSize, String labels,
                       boolean centerCrop, boolean includeTop) implements SparkAtlas.ModelFactory {

    @Override
    public InspectableModel create() {
        return new ModelChoice(model, weights, seed, inputPreset, inputSize, labels == null ? null : Path.of(labels), centerCrop)
                .load(includeTop, ConvolutionAlgorithm.WINOGRAD, new PrintWriter(new java.io.OutputStreamWriter(System.err, java.nio.charset.Charset.defaultCharset()), true));
    }

    /** The model, weights and labels files, each executor must read (absolute paths: {@link ModelOptions#factory}). */
    @Override
    public java.util.List<String> files() {
        java.util.List<String> files = new java.util.ArrayList<>();
        for (String f : java.util.Arrays.asList(model, weights, labels)) {
            if (f != null && Path.of(f).isAbsolute()) {
                files.add(f);
            }
        }
        return files;
    }

    /** What names the model in an executor JVM. */
    String key() {
        return String.join("|", model, weights, String.valueOf(seed), inputPreset, inputSize, labels,
                String.valueOf(centerCrop), String.valueOf(includeTop));
    }
}
