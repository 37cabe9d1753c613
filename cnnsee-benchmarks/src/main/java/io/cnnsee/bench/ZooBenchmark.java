package io.cnnsee.bench;

import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMap;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jZoo;
import io.cnnsee.dl4j.ZooWeights;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A zoo network through the generic Deeplearning4j path (Dl4jModel: Deeplearning4j's own layers,
 * forward, and backward for Grad-CAM), 224 x 224 (SqueezeNet 227), one picture, random weights
 * (the same work as trained ones), the default taps copied out: the number the oneDNN compiler
 * of any network starts from (docs/performance.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class ZooBenchmark {

    @Param({"resnet50", "vgg19", "squeezenet"})
    public String model;

    private Dl4jModel network;
    private BufferedImage picture;

    @Setup
    public void setUp() {
        network = Dl4jZoo.model(model, ZooWeights.random(42));
        picture = Pictures.noise(network.input().width(), network.input().height(), 1);
    }

    /** One picture's forward pass with the default taps copied out. */
    @Benchmark
    public List<FeatureMap> forward() {
        return network.forward(picture, network.taps());
    }

    /** One picture's Grad-CAM pass: forward to the classes, backward to the last default tap. */
    @Benchmark
    public ClassGradient gradCam() {
        return network.classGradient(picture, 0, List.of(network.taps().get(network.taps().size() - 1)));
    }

    @TearDown
    public void tearDown() {
        network.close();
    }
}
