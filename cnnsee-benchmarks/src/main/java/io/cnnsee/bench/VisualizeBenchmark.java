package io.cnnsee.bench;

import io.cnnsee.FeatureMap;
import io.cnnsee.ImageInput;
import io.cnnsee.InputGradient;
import io.cnnsee.Objective;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jModels;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.visualize.FeatureVisualizer;
import io.cnnsee.visualize.Visualization;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One step of feature visualisation of a VGG16 {@code block4_conv3} channel at 224 x 224, and its
 * parts, under JMH, each benchmark in a fork of its own: the input gradient (forward and backward
 * on oneDNN), the oneDNN pass cnnsee inspects with, for scale, and the forward pass through
 * Deeplearning4j's layers, the path of objectives VGG16's own passes do not take. A step is
 * {@code step} / 4. {@link VisualizeSideBySide} measures the same side by side, in one run, as
 * docs/visualize.md quotes. Random weights: the same work as trained ones.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class VisualizeBenchmark {

    private static final String LAYER = "block4_conv3";
    private static final List<Integer> SIXTEEN = java.util.stream.IntStream.range(0, 16).boxed().toList();

    private Vgg16Model vgg16;
    private Dl4jModel generic;
    private BufferedImage picture;
    private float[] input;

    @Setup
    public void setUp() {
        vgg16 = Vgg16.builder().weights(Vgg16Weights.random(42)).build();
        generic = Dl4jModels.builder(vgg16.network()).input(ImageInput.caffe(224)).build();
        picture = Pictures.noise(224, 224, 1);
        input = vgg16.networkInput(picture);
    }

    /** Four steps of one channel's visualisation. */
    @Benchmark
    public Visualization step() {
        return FeatureVisualizer.builder(vgg16).layer(LAYER).channels(0).steps(4).seed(1).build().run(0);
    }

    /** One step of 16 channels optimised together, as one batch: a sixteenth of it is a channel's step in a batch. */
    @Benchmark
    public List<Visualization> sixteenChannelsOneStepAsABatch() {
        return FeatureVisualizer.builder(vgg16).layer(LAYER).channels(SIXTEEN).steps(1).seed(1).batch(16).build().run();
    }

    /** The same 16 channels' step, one channel after another: what the batch is compared with. */
    @Benchmark
    public List<Visualization> sixteenChannelsOneStepOneByOne() {
        return FeatureVisualizer.builder(vgg16).layer(LAYER).channels(SIXTEEN).steps(1).seed(1).batch(1).build().run();
    }

    /** The gradient of the channel's mean with respect to the input: a forward and a backward pass. */
    @Benchmark
    public InputGradient inputGradient() {
        return vgg16.inputGradient(input, Objective.channelMean(LAYER, 0));
    }

    /** The forward pass to the layer through Deeplearning4j's layers. */
    @Benchmark
    public List<FeatureMap> forwardThroughDeeplearning4j() {
        return generic.forward(picture, List.of(generic.tap(LAYER)));
    }

    /** The same layer through cnnsee's oneDNN pass, as an inspection runs it. */
    @Benchmark
    public List<FeatureMap> forwardOnOnednn() {
        return vgg16.forward(picture, List.of(vgg16.tap(LAYER)));
    }

    @TearDown
    public void tearDown() {
        vgg16.close();
    }
}
