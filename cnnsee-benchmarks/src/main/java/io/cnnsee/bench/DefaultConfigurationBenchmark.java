package io.cnnsee.bench;

import io.cnnsee.FeatureMap;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.NativeBuild;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The default configuration cnnsee replaced, for the ratio: VGG16's forward pass through
 * Deeplearning4j's own layers, with the same pictures, taps and batches as {@link ForwardBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class DefaultConfigurationBenchmark {

    @Param({"false", "true"})
    public boolean top;

    @Param({"1", "8"})
    public int batch;

    private ForwardWork work;

    @Setup
    public void setUp() {
        work = ForwardWork.of(Vgg16.builder().includeTop(top).weights(Vgg16Weights.random(42)).build(), batch, top);
    }

    /**
     * The default configuration, for the ratio: Deeplearning4j's own layers
     * ({@code MultiLayerNetwork.feedForwardToLayer}, im2col and matrix multiply, NCHW) on the plain
     * native build, with preprocessing and the copy of the taps out, as cnnsee did before.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-D" + NativeBuild.PROPERTY + "=")
    public List<List<FeatureMap>> defaultConfiguration() {
        Vgg16Model model = work.model();
        List<BufferedImage> pictures = work.pictures();
        List<Tap> taps = work.taps();
        int size = model.architecture().inputSize();
        int pixels = 3 * size * size;
        float[] batchValues = new float[pictures.size() * pixels];
        for (int n = 0; n < pictures.size(); n++) {
            System.arraycopy(model.networkInput(pictures.get(n)), 0, batchValues, n * pixels, pixels);
        }
        INDArray input = Nd4j.create(batchValues, new long[] {pictures.size(), 3, size, size}, 'c');
        int last = 0;
        for (Tap t : taps) {
            last = Math.max(last, model.architecture().indexOf(t.layerName()));
        }
        List<INDArray> activations = model.network().feedForwardToLayer(last, input, false);
        List<List<FeatureMap>> out = new ArrayList<>();
        for (int n = 0; n < pictures.size(); n++) {
            List<FeatureMap> maps = new ArrayList<>();
            for (Tap t : taps) {
                INDArray a = activations.get(model.architecture().indexOf(t.layerName()) + 1);
                float[] values = a.slice(n).dup('c').data().asFloat();
                maps.add(FeatureMap.copyOf(t, values));
            }
            out.add(maps);
        }
        model.network().clear();
        activations.forEach(a -> {
            if (a.closeable()) {
                a.close();
            }
        });
        return out;
    }

    @TearDown
    public void tearDown() {
        work.model().close();
    }
}
