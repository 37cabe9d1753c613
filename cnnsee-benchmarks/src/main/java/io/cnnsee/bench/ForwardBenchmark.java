package io.cnnsee.bench;

import io.cnnsee.FeatureMap;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Weights;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * VGG16's forward pass, 224 x 224, random weights (the same work as the ImageNet ones): without
 * top reading the five block taps, with top reading the predictions; one picture or a batch.
 * The time is per call: divide by {@code batch} for the time per picture. The default
 * configuration it replaced: {@link DefaultConfigurationBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class ForwardBenchmark {

    @Param({"false", "true"})
    public boolean top;

    @Param({"1", "8"})
    public int batch;

    @Param({"WINOGRAD", "DIRECT"})
    public ConvolutionAlgorithm convolutions;

    private ForwardWork work;

    @Setup
    public void setUp() {
        work = ForwardWork.of(Vgg16.builder().includeTop(top).convolutions(convolutions).weights(Vgg16Weights.random(42))
                .build(), batch, top);
    }

    /** cnnsee's pass: oneDNN's primitives, called directly, with Winograd or direct convolutions. */
    @Benchmark
    public List<List<FeatureMap>> forward() {
        return work.model().forwardAll(work.pictures(), work.taps());
    }

    @TearDown
    public void tearDown() {
        work.model().close();
    }
}
