package io.cnnsee.cli;

import io.cnnsee.InspectableModel;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.spark.SparkAtlas;

import java.io.PrintWriter;

/** The command line's network options, sent to executors, which make the same model from them. */
record CliModelFactory(String model, String weights, long seed, String inputPreset, String inputSize)
        implements SparkAtlas.ModelFactory {

    @Override
    public InspectableModel create() {
        return new ModelChoice(model, weights, seed, inputPreset, inputSize, null, false)
                .load(false, ConvolutionAlgorithm.WINOGRAD, new PrintWriter(System.err, true));
    }

    /** What names the model in an executor JVM. */
    String key() {
        return model + "|" + weights + "|" + seed + "|" + inputPreset + "|" + inputSize;
    }
}
