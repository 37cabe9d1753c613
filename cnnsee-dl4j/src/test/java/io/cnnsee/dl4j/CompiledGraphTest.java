package io.cnnsee.dl4j;

import io.cnnsee.FeatureMap;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.ImageInput;
import io.cnnsee.Inspection;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.ReferenceCnn.Volume;
import io.cnnsee.report.ReportWriter;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.cnnsee.dl4j.Dl4jModelTest.assertClose;
import static io.cnnsee.dl4j.Dl4jModelTest.param;
import static io.cnnsee.dl4j.Dl4jModelTest.variance;
import static io.cnnsee.dl4j.ReferenceCnn.doubles;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiled oneDNN pass of any graph ({@link CompiledRuns}): against a plain-Java computation
 * where fusion happens (conv-BN-add-ReLU), against Deeplearning4j's own layers at every tap of
 * every zoo network and of a network of every translated layer, and its per-layer fallback.
 */
class CompiledGraphTest {

    static {
        NativeBuild.select();
    }

    /**
     * A ResNet bottleneck in miniature, channels first: a stem, then conv-BN-ReLU, conv-BN, added
     * to the stem (identity shortcut) and ReLU; a second block whose shortcut is a strided
     * conv-BN (projection); global average pooling, softmax.
     */
    static ComputationGraph bottlenecks() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(9, 9, 3))
                .addLayer("stem", conv(4, 1, Activation.RELU), "in")
                .addLayer("a1", conv(4, 1, Activation.IDENTITY), "stem")
                .addLayer("a1_bn", new BatchNormalization.Builder().build(), "a1")
                .addLayer("a1_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "a1_bn")
                .addLayer("b1", conv(4, 1, Activation.IDENTITY), "a1_relu")
                .addLayer("b1_bn", new BatchNormalization.Builder().build(), "b1")
                .addVertex("add1", new ElementWiseVertex(ElementWiseVertex.Op.Add), "b1_bn", "stem")
                .addLayer("out1", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add1")
                .addLayer("a2", conv(6, 2, Activation.IDENTITY), "out1")
                .addLayer("a2_bn", new BatchNormalization.Builder().build(), "a2")
                .addLayer("a2_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "a2_bn")
                .addLayer("b2", conv(6, 1, Activation.IDENTITY), "a2_relu")
                .addLayer("b2_bn", new BatchNormalization.Builder().build(), "b2")
                .addLayer("s2", conv(6, 2, Activation.IDENTITY), "out1")
                .addLayer("s2_bn", new BatchNormalization.Builder().build(), "s2")
                .addVertex("add2", new ElementWiseVertex(ElementWiseVertex.Op.Add), "b2_bn", "s2_bn")
                .addLayer("out2", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add2")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "out2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        randomise(graph, 21);
        return graph;
    }

    private static ConvolutionLayer conv(int out, int stride, Activation activation) {
        return new ConvolutionLayer.Builder(3, 3).nOut(out).stride(stride, stride).convolutionMode(ConvolutionMode.Same)
                .activation(activation).build();
    }

    /** Batch norm statistics and biases away from their initial 1s and 0s, so that a mistake in folding them shows. */
    static void randomise(ComputationGraph graph, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Layer layer : graph.getLayers()) {
            for (var e : layer.paramTable().entrySet()) {
                INDArray p = e.getValue();
                double low;
                double high;
                switch (e.getKey()) {
                    case "gamma" -> { low = 0.5; high = 1.5; }
                    case "beta", "b" -> { low = -0.1; high = 0.1; }
                    case "mean" -> { low = -0.2; high = 0.2; }
                    case "var" -> { low = 0.5; high = 2.0; }
                    case "log10stdev" -> { low = -0.3; high = 0.3; }
                    default -> { continue; }
                }
                for (long i = 0; i < p.length(); i++) {
                    p.putScalar(i, low + (high - low) * r.nextDouble());
                }
            }
        }
    }

    static ReferenceCnn bottleneckReference(ComputationGraph g) {
        ReferenceCnn ref = new ReferenceCnn()
                .step("stem", e -> ReferenceCnn.relu(same(g, "stem", e.get("input"), 4, 1)));
        block(g, ref, "1", "stem", 4, 1, null);
        block(g, ref, "2", "out1", 6, 2, "s2");
        Layer out = g.getLayer("out");
        return ref.step("gap", e -> ReferenceCnn.globalAverage(e.get("out2")))
                .step("logits", e -> ReferenceCnn.dense(e.get("gap"), param(out, "W"), param(out, "b"), 3))
                .step("out", e -> ReferenceCnn.softmax(e.get("logits")));
    }

    private static void block(ComputationGraph g, ReferenceCnn ref, String n, String in, int out, int stride, String shortcut) {
        ref.step("a" + n, e -> same(g, "a" + n, e.get(in), out, stride))
                .step("a" + n + "_bn", e -> bn(g, "a" + n + "_bn", e.get("a" + n)))
                .step("a" + n + "_relu", e -> ReferenceCnn.relu(e.get("a" + n + "_bn")))
                .step("b" + n, e -> same(g, "b" + n, e.get("a" + n + "_relu"), out, 1))
                .step("b" + n + "_bn", e -> bn(g, "b" + n + "_bn", e.get("b" + n)));
        String added = in;
        if (shortcut != null) {
            ref.step(shortcut, e -> same(g, shortcut, e.get(in), out, stride))
                    .step(shortcut + "_bn", e -> bn(g, shortcut + "_bn", e.get(shortcut)));
            added = shortcut + "_bn";
        }
        String other = added;
        ref.step("add" + n, e -> ReferenceCnn.add(e.get("b" + n + "_bn"), e.get(other)))
                .step("out" + n, e -> ReferenceCnn.relu(e.get("add" + n)));
    }

    /** A 3 x 3 "Same" convolution at {@code stride}: out = ceil(in / stride), the odd pad at the bottom and right. */
    private static Volume same(ComputationGraph g, String name, Volume x, int out, int stride) {
        Layer l = g.getLayer(name);
        int size = (x.h() + stride - 1) / stride;
        int pad = Math.max(0, (size - 1) * stride + 3 - x.h()) / 2;
        return ReferenceCnn.conv(x, param(l, "W"), param(l, "b"), out, 3, 3, stride, pad, pad, 1, size, size, 1);
    }

    private static Volume bn(ComputationGraph g, String name, Volume x) {
        Layer l = g.getLayer(name);
        return ReferenceCnn.batchNorm(x, param(l, "gamma"), param(l, "beta"), param(l, "mean"), variance(l), 1e-5);
    }

    @Test
    void fusedConvBatchNormAddReluAgreesWithThePlainComputation() {
        ComputationGraph graph = bottlenecks();
        // Direct convolutions: a Winograd one puts out another layout, and a sum into it would be a copy.
        Dl4jModel model = Dl4jModels.of(graph, ImageInput.unit(9)).withConvolutions(ConvolutionAlgorithm.DIRECT);
        BufferedImage picture = TestImages.noise(9, 9, 4);
        Map<String, Volume> expected = bottleneckReference(graph).run(new Volume(3, 9, 9, doubles(model.input().toChannelsFirst(picture))));
        // Read only the blocks' outputs and the classes: everything between them is fused away.
        List<Tap> taps = List.of(model.tap("out1"), model.tap("out2"), model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier());
        List<FeatureMap> maps = model.forward(picture, taps);
        assertClose(maps.get(0), expected.get("out1"), "out1");
        assertClose(maps.get(1), expected.get("out2"), "out2");
        assertClose(maps.get(2), expected.get("out"), "classes");
        List<String> fused = model.implementations(taps).stream().filter(s -> s.contains("+"))
                .map(s -> s.substring(0, s.indexOf(':'))).toList();
        assertThat(fused).hasSize(5).startsWith("a1+a1_bn+a1_relu", "b1+b1_bn+add1+out1", "a2+a2_bn+a2_relu");
        // Whichever of block 2's branches comes last in the graph's order takes in the add.
        assertThat(java.util.Set.copyOf(fused.subList(3, 5))).isIn(java.util.Set.of("s2+s2_bn", "b2+b2_bn+add2+out2"),
                java.util.Set.of("b2+b2_bn", "s2+s2_bn+add2+out2"));
        // Block 1 adds into the stem's memory (nothing reads it after), block 2 into the shortcut's: no copies.
        assertThat(model.implementations(taps)).noneMatch(s -> s.contains("addend"));

        // Read everything: nothing fused, the same values.
        List<FeatureMap> all = model.forward(picture, model.spatialTaps());
        for (int i = 0; i < all.size(); i++) {
            String name = model.spatialTaps().get(i).layerName();
            assertClose(all.get(i), expected.get(name), name);
        }
        assertThat(model.implementations(model.spatialTaps())).noneMatch(s -> s.contains("+"));
        assertThat(model.fallbackLayers()).isEmpty();
    }

    @Test
    void aShortcutStillReadAfterTheAddIsCopiedNotOverwritten() {
        ComputationGraph graph = bottlenecks();
        Dl4jModel model = Dl4jModels.of(graph, ImageInput.unit(9));
        BufferedImage picture = TestImages.noise(9, 9, 8);
        Map<String, Volume> expected = bottleneckReference(graph).run(new Volume(3, 9, 9, doubles(model.input().toChannelsFirst(picture))));
        // The stem is read: its copy is made as soon as it is made, so the add may still write over it.
        List<Tap> taps = List.of(model.tap("stem"), model.tap("out1"));
        List<FeatureMap> maps = model.forward(picture, taps);
        assertClose(maps.get(0), expected.get("stem"), "stem");
        assertClose(maps.get(1), expected.get("out1"), "out1");
    }

    /** Every layer the compiler translates, in shapes that catch off-by-one paddings and orders. */
    static ComputationGraph everyLayer(CNN2DFormat format) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(9).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(11, 13, 3, format))
                .addLayer("pad", new ZeroPaddingLayer.Builder(1, 2, 0, 3).dataFormat(format).build(), "in")
                .addLayer("c1", new ConvolutionLayer.Builder(5, 3).nOut(8).stride(2, 1).padding(1, 2).dataFormat(format)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.LEAKYRELU).build(), "pad")
                .addLayer("bn", new BatchNormalization.Builder().dataFormat(format).build(), "c1")
                .addLayer("elu", new ActivationLayer.Builder().activation(Activation.ELU).build(), "bn")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(2).nOut(16).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(format).activation(Activation.SIGMOID).build(), "elu")
                .addLayer("c2", new ConvolutionLayer.Builder(1, 1).nOut(16).dataFormat(format).activation(Activation.TANH).build(), "dw")
                .addVertex("prod", new ElementWiseVertex(ElementWiseVertex.Op.Product), "dw", "c2")
                .addVertex("max", new ElementWiseVertex(ElementWiseVertex.Op.Max), "dw", "c2", "prod")
                .addVertex("avg3", new ElementWiseVertex(ElementWiseVertex.Op.Average), "dw", "c2", "max")
                .addVertex("sub", new ElementWiseVertex(ElementWiseVertex.Op.Subtract), "avg3", "c2")
                .addLayer("relu6", new ActivationLayer.Builder().activation(Activation.RELU6).build(), "sub")
                .addLayer("avgpool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(format).build(), "relu6")
                .addLayer("maxpool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(format).build(), "relu6")
                .addLayer("c3", new ConvolutionLayer.Builder(3, 3).nOut(5).dilation(2, 2).dataFormat(format)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.SOFTPLUS).build(), "maxpool")
                .addVertex("cat", new MergeVertex(), "maxpool", "c3", "relu6")
                .addLayer("drop", new DropoutLayer.Builder(0.5).build(), "cat")
                .addLayer("gmax", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "drop")
                .addLayer("fc", new DenseLayer.Builder().nOut(7).activation(Activation.SWISH).build(), "gmax")
                .addLayer("fc2", new DenseLayer.Builder().nOut(6).activation(Activation.HARDTANH).build(), "avgpool")
                .addVertex("both", new MergeVertex(), "fc", "fc2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "both")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        randomise(graph, 13);
        return graph;
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void everyTranslatedLayerAgreesWithDeeplearning4jAtEveryTap(CNN2DFormat format) {
        Dl4jModel model = Dl4jModels.of(everyLayer(format), ImageInput.preset("torch", 11, 13));
        assertThat(model.fallbackLayers()).isEmpty();
        BufferedImage picture = TestImages.noise(13, 11, 2);
        List<Tap> taps = new ArrayList<>(model.spatialTaps());
        taps.add(model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier());
        assertAgree(model, picture, taps);
        assertAgree(model, picture, List.of(model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier()));
    }

    static List<String> zoo() {
        return Dl4jZoo.NAMES;
    }

    @ParameterizedTest
    @MethodSource("zoo")
    void everyZooNetworkAgreesWithDeeplearning4jAtEveryTapAndAtItsDefaultTaps(String name) {
        Dl4jModel model = Dl4jZoo.model(name, ZooWeights.random(7));
        randomise(model.graph(), 17);
        assertThat(model.fallbackLayers()).as(model.engineNote()).isEmpty();
        BufferedImage picture = TestImages.noise(224, 224, 3);
        List<Tap> taps = new ArrayList<>(model.spatialTaps());
        taps.add(model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier());
        assertAgree(model, picture, taps);
        List<Tap> defaults = new ArrayList<>(model.taps());
        defaults.add(model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier());
        assertAgree(model, picture, defaults);
        if (name.equals("resnet50")) {
            // Each of the 16 blocks ends in one primitive: convolution, batch norm, residual add, ReLU.
            assertThat(model.implementations(defaults)).filteredOn(s -> s.substring(0, s.indexOf(':')).split("\\+").length == 4)
                    .hasSize(16);
        }
    }

    /** Every tap within 1e-4 of its largest magnitude of what Deeplearning4j's own layers give. */
    private static void assertAgree(Dl4jModel model, BufferedImage picture, List<Tap> taps) {
        List<FeatureMap> compiled = model.forward(picture, taps);
        List<FeatureMap> reference = model.forwardOnDeeplearning4j(picture, taps);
        for (int i = 0; i < taps.size(); i++) {
            assertClose(compiled.get(i).toArray(), doubles(reference.get(i).toArray()), model.name() + " " + taps.get(i).layerName());
        }
    }

    @Test
    void aLayerOneDnnCannotRunRunsOnDeeplearning4jAndTheReportSaysSo(@TempDir Path out) throws Exception {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("c1", conv(4, 1, Activation.RELU), "in")
                .addLayer("lrn", new LocalResponseNormalization.Builder().build(), "c1")
                .addLayer("c2", conv(4, 1, Activation.RELU), "lrn")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "c2")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "pool")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        randomise(graph, 4);
        Dl4jModel model = Dl4jModels.of(graph, ImageInput.unit(8));
        assertThat(model.fallbackLayers()).containsExactly("lrn");
        assertThat(model.engineNote()).isEqualTo("oneDNN runs 5 of 6 layers, forward and backward; these run on Deeplearning4j's "
                + "own, slower: lrn (LocalResponseNormalization has no oneDNN translation in cnnsee)");
        BufferedImage picture = TestImages.noise(8, 8, 1);
        List<Tap> taps = new ArrayList<>(model.spatialTaps());
        taps.add(model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier());
        assertAgree(model, picture, taps);
        assertAgree(model, picture, List.of(model.tap("pool")));

        Inspection inspection = FeatureMapInspector.builder().model(model).channels(2).build().run(picture, "noise.png");
        assertThat(inspection.engine()).isEqualTo(model.engineNote());
        String html = Files.readString(ReportWriter.write(inspection, out).html());
        assertThat(html).contains("Engine").contains("lrn (LocalResponseNormalization has no oneDNN translation in cnnsee)");
    }
}
