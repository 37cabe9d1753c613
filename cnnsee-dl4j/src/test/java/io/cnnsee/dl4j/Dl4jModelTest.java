package io.cnnsee.dl4j;

import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMap;
import io.cnnsee.ImageInput;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.ReferenceCnn.Volume;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.cnnsee.dl4j.ReferenceCnn.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Known answers for any Deeplearning4j network: small networks with every supported kind of
 * layer, their taps and class gradients checked against {@link ReferenceCnn}, a plain-Java
 * computation in double precision (gradients by central differences).
 */
class Dl4jModelTest {

    static {
        NativeBuild.select();
    }

    /** Channels first, 3 colours: convolutions (same, strided with padding), batch norm, max pool, dense softmax. */
    static MultiLayerNetwork plainNetwork() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).list()
                // tanh, not ReLU, before the max pool: ReLU's zeros would tie, where the gradient is not defined.
                .layer(new ConvolutionLayer.Builder(3, 3).name("c1").nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().name("bn1").build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool1").kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("c2").nOut(6).stride(2, 2).padding(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).name("drop").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(5)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(12, 12, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        randomiseBatchNorm(net.getLayer(1), 4, 3);
        randomiseBiases(net.getLayers(), 13);
        return net;
    }

    /** BN's statistics away from 0 and 1, so a mistake in them shows. */
    static void randomiseBatchNorm(Layer bn, int channels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] gamma = new float[channels];
        float[] beta = new float[channels];
        float[] mean = new float[channels];
        float[] log10std = new float[channels];
        for (int c = 0; c < channels; c++) {
            gamma[c] = (float) (0.5 + r.nextDouble());
            beta[c] = (float) (r.nextDouble() - 0.5);
            mean[c] = (float) (r.nextDouble() * 0.4 - 0.2);
            log10std[c] = (float) (r.nextDouble() * 0.6 - 0.3);
        }
        bn.setParam("gamma", Nd4j.create(gamma, new long[] {1, channels}, 'c'));
        bn.setParam("beta", Nd4j.create(beta, new long[] {1, channels}, 'c'));
        bn.setParam("mean", Nd4j.create(mean, new long[] {1, channels}, 'c'));
        bn.setParam("log10stdev", Nd4j.create(log10std, new long[] {1, channels}, 'c'));
    }

    /**
     * Biases away from 0: with Deeplearning4j's zero biases a region of ReLU zeros gives
     * pre-activations of exactly 0, where ReLU has no derivative and finite differences halve it.
     */
    static void randomiseBiases(Layer[] layers, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Layer layer : layers) {
            INDArray b = layer.numParams() > 0 ? layer.paramTable().get("b") : null;
            if (b != null) {
                for (long i = 0; i < b.length(); i++) {
                    b.putScalar(i, r.nextDouble() * 0.2 - 0.1);
                }
            }
        }
    }

    static double[] param(Layer layer, String name) {
        return doubles(layer.getParam(name).dup('c').data().asFloat());
    }

    /** BN's variance from its log10 standard deviation, as Deeplearning4j stores it. */
    static double[] variance(Layer bn) {
        double[] log10std = param(bn, "log10stdev");
        double[] var = new double[log10std.length];
        for (int i = 0; i < var.length; i++) {
            double std = Math.pow(10, log10std[i]);
            var[i] = std * std;
        }
        return var;
    }

    static ReferenceCnn plainReference(MultiLayerNetwork net) {
        Layer c1 = net.getLayer(0);
        Layer bn = net.getLayer(1);
        Layer c2 = net.getLayer(3);
        Layer out = net.getLayer(5);
        return new ReferenceCnn()
                .step("c1", e -> tanh(ReferenceCnn.convSame(e.get("input"), param(c1, "W"), param(c1, "b"), 4, 3, 1)))
                .step("bn1", e -> ReferenceCnn.batchNorm(e.get("c1"), param(bn, "gamma"), param(bn, "beta"), param(bn, "mean"),
                        variance(bn), 1e-5))
                .step("pool1", e -> ReferenceCnn.pool(e.get("bn1"), 2, 2, true))
                .step("c2", e -> ReferenceCnn.relu(ReferenceCnn.conv(e.get("pool1"), param(c2, "W"), param(c2, "b"), 6, 3, 3,
                        2, 1, 1, 1, 3, 3, 1)))
                .step("drop", e -> e.get("c2"))
                .step("logits", e -> ReferenceCnn.dense(e.get("drop"), param(out, "W"), param(out, "b"), 5))
                .step("out", e -> ReferenceCnn.softmax(e.get("logits")));
    }

    /**
     * Channels last, one grey channel: batch norm, activation layer, dilated convolution, residual
     * add, depthwise convolution, average pool, 1x1 convolution, concatenation, global pooling.
     */
    static ComputationGraph residualNetwork() {
        return residualNetwork(CNN2DFormat.NHWC);
    }

    static ComputationGraph residualNetwork(CNN2DFormat nhwc) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(10, 10, 1, nhwc))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .dataFormat(nhwc).activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().dataFormat(nhwc).build(), "c1")
                .addLayer("act", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .dilation(2, 2).dataFormat(nhwc).activation(Activation.RELU).build(), "act")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "act", "c2")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).nOut(4)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(nhwc).activation(Activation.RELU).build(), "add")
                .addLayer("avg", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2)
                        .dataFormat(nhwc).build(), "dw")
                .addLayer("c3", new ConvolutionLayer.Builder(1, 1).nOut(3).dataFormat(nhwc).activation(Activation.RELU).build(), "avg")
                .addVertex("cat", new MergeVertex(), "avg", "c3")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "cat")
                .addLayer("fc", new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "gap")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        randomiseBatchNorm(graph.getLayer("bn"), 4, 5);
        randomiseBiases(graph.getLayers(), 17);
        return graph;
    }

    static ReferenceCnn residualReference(ComputationGraph g) {
        Layer c1 = g.getLayer("c1");
        Layer bn = g.getLayer("bn");
        Layer c2 = g.getLayer("c2");
        Layer dw = g.getLayer("dw");
        Layer c3 = g.getLayer("c3");
        Layer fc = g.getLayer("fc");
        Layer out = g.getLayer("out");
        // Depthwise kernels are [kh, kw, in, multiplier]; as a grouped convolution, [out = in][1][kh][kw].
        double[] dwKernel = param(dw, "W");
        double[] grouped = new double[dwKernel.length];
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                for (int c = 0; c < 4; c++) {
                    grouped[(c * 3 + ky) * 3 + kx] = dwKernel[(ky * 3 + kx) * 4 + c];
                }
            }
        }
        return new ReferenceCnn()
                .step("c1", e -> ReferenceCnn.convSame(e.get("input"), param(c1, "W"), param(c1, "b"), 4, 3, 1))
                .step("bn", e -> ReferenceCnn.batchNorm(e.get("c1"), param(bn, "gamma"), param(bn, "beta"), param(bn, "mean"),
                        variance(bn), 1e-5))
                .step("act", e -> ReferenceCnn.relu(e.get("bn")))
                .step("c2", e -> ReferenceCnn.relu(ReferenceCnn.convSame(e.get("act"), param(c2, "W"), param(c2, "b"), 4, 3, 2)))
                .step("add", e -> ReferenceCnn.add(e.get("act"), e.get("c2")))
                .step("dw", e -> ReferenceCnn.relu(ReferenceCnn.conv(e.get("add"), grouped, param(dw, "b"), 4, 3, 3, 1, 1, 1, 1,
                        10, 10, 4)))
                .step("avg", e -> ReferenceCnn.pool(e.get("dw"), 2, 2, false))
                .step("c3", e -> ReferenceCnn.relu(ReferenceCnn.conv(e.get("avg"), param(c3, "W"), param(c3, "b"), 3, 1, 1, 1, 0, 0,
                        1, 5, 5, 1)))
                .step("cat", e -> ReferenceCnn.concat(e.get("avg"), e.get("c3")))
                .step("gap", e -> ReferenceCnn.globalAverage(e.get("cat")))
                .step("fc", e -> tanh(ReferenceCnn.dense(e.get("gap"), param(fc, "W"), param(fc, "b"), 6)))
                .step("logits", e -> ReferenceCnn.dense(e.get("fc"), param(out, "W"), param(out, "b"), 3))
                .step("out", e -> ReferenceCnn.softmax(e.get("logits")));
    }

    private static Volume tanh(Volume x) {
        Volume y = x.copy();
        for (int i = 0; i < y.v().length; i++) {
            y.v()[i] = Math.tanh(y.v()[i]);
        }
        return y;
    }

    static void assertClose(FeatureMap actual, Volume expected, String what) {
        assertThat(actual.shape().channels() * actual.shape().height() * actual.shape().width()).isEqualTo(expected.v().length);
        assertClose(actual.toArray(), expected.v(), what);
    }

    /** Every value within 1e-4 of the largest expected magnitude. */
    static void assertClose(float[] actual, double[] expected, String what) {
        double largest = 1e-6;
        for (double v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s value %d", what, i).isCloseTo(expected[i], within(1e-4 * largest));
        }
    }

    @Test
    void aMultiLayerNetworkIsTappedAtEverySpatialLayerAndAgreesWithThePlainComputation() {
        MultiLayerNetwork net = plainNetwork();
        Dl4jModel model = Dl4jModels.of(net, ImageInput.unit(12));
        assertThat(model.spatialTaps()).extracting(Tap::layerName).containsExactly("c1", "bn1", "pool1", "c2", "drop");
        assertThat(model.spatialTaps()).extracting(t -> t.shape().toString())
                .containsExactly("4 x 12 x 12", "4 x 12 x 12", "4 x 6 x 6", "6 x 3 x 3", "6 x 3 x 3");
        // The 12 px run ends at bn1; the 6 px run (a pool alone) has no convolution; the 3 px run ends at drop.
        assertThat(model.taps()).extracting(Tap::layerName).containsExactly("bn1", "drop");
        assertThat(model.capability(io.cnnsee.Classifying.class).map(io.cnnsee.Classifying::classifier)).get().extracting(t -> t.shape().channels()).isEqualTo(5);

        BufferedImage picture = TestImages.noise(12, 12, 3);
        float[] x = ImageInput.unit(12).toChannelsFirst(picture);
        Map<String, Volume> expected = plainReference(net).run(new Volume(3, 12, 12, doubles(x)));
        List<Tap> all = new java.util.ArrayList<>(model.spatialTaps());
        all.add(model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier());
        List<FeatureMap> maps = model.forward(picture, all);
        for (int i = 0; i < model.spatialTaps().size(); i++) {
            String name = all.get(i).layerName();
            assertClose(maps.get(i), expected.get(name), name);
        }
        assertClose(maps.get(all.size() - 1), expected.get("out"), "probabilities");
    }

    @Test
    void classGradientsOfAMultiLayerNetworkAgreeWithFiniteDifferences() {
        MultiLayerNetwork net = plainNetwork();
        Dl4jModel model = Dl4jModels.of(net, ImageInput.unit(12));
        BufferedImage picture = TestImages.noise(12, 12, 4);
        Volume input = new Volume(3, 12, 12, doubles(ImageInput.unit(12).toChannelsFirst(picture)));
        ReferenceCnn reference = plainReference(net);
        List<Tap> taps = List.of(model.tap("c2"), model.tap("bn1"), model.tap("c1"));
        ClassGradient g = model.classGradient(picture, 2, taps);
        Map<String, Volume> expected = reference.run(input);
        assertThat(g.classIndex()).isEqualTo(2);
        assertThat((double) g.score()).isCloseTo(expected.get("logits").v()[2], within(1e-4));
        for (int i = 0; i < taps.size(); i++) {
            String name = taps.get(i).layerName();
            assertClose(g.activations().get(i), expected.get(name), name);
            assertClose(g.gradients().get(i).toArray(), reference.gradient(input, name, "logits", 2, 1e-5), "d logit / d " + name);
        }
    }

    @Test
    void aChannelsLastResidualGraphOfOneChannelAgreesWithThePlainComputation() {
        ComputationGraph graph = residualNetwork();
        Dl4jModel model = Dl4jModels.of(graph, ImageInput.torch(10));
        assertThat(model.input().channels()).isEqualTo(1);
        assertThat(model.spatialTaps()).extracting(Tap::layerName)
                .containsExactly("c1", "bn", "act", "c2", "add", "dw", "avg", "c3", "cat");
        assertThat(model.tap("cat").shape().toString()).isEqualTo("7 x 5 x 5");
        assertThat(model.taps()).extracting(Tap::layerName).containsExactly("dw", "cat");

        BufferedImage picture = TestImages.noise(20, 16, 5);
        float[] x = model.input().toChannelsFirst(picture);
        Map<String, Volume> expected = residualReference(graph).run(new Volume(1, 10, 10, doubles(x)));
        List<FeatureMap> maps = model.forward(picture, model.spatialTaps());
        for (int i = 0; i < maps.size(); i++) {
            String name = model.spatialTaps().get(i).layerName();
            assertClose(maps.get(i), expected.get(name), name);
        }
        assertClose(model.forward(picture, List.of(model.capability(io.cnnsee.Classifying.class).orElseThrow().classifier())).get(0), expected.get("out"), "probabilities");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(CNN2DFormat.class)
    void classGradientsThroughResidualAddsConcatenationAndBatchNormAgreeWithFiniteDifferences(CNN2DFormat format) {
        ComputationGraph graph = residualNetwork(format);
        Dl4jModel model = Dl4jModels.of(graph, ImageInput.torch(10));
        BufferedImage picture = TestImages.noise(10, 10, 6);
        Volume input = new Volume(1, 10, 10, doubles(model.input().toChannelsFirst(picture)));
        ReferenceCnn reference = residualReference(graph);
        Map<String, Volume> expected = reference.run(input);
        List<Tap> taps = List.of(model.tap("cat"), model.tap("dw"), model.tap("add"), model.tap("c2"), model.tap("act"), model.tap("c1"));
        ClassGradient g = model.classGradient(picture, ClassGradient.MOST_PROBABLE_CLASS, taps);
        int best = 0;
        for (int i = 1; i < 3; i++) {
            best = expected.get("out").v()[i] > expected.get("out").v()[best] ? i : best;
        }
        assertThat(g.classIndex()).isEqualTo(best);
        assertThat((double) g.score()).isCloseTo(expected.get("logits").v()[best], within(1e-4));
        for (int i = 0; i < taps.size(); i++) {
            String name = taps.get(i).layerName();
            assertClose(g.activations().get(i), expected.get(name), name);
            assertClose(g.gradients().get(i).toArray(), reference.gradient(input, name, "logits", best, 1e-5), "d logit / d " + name);
        }
    }

    @Test
    void badTapsClassesAndInputsAreClearErrors() {
        ComputationGraph graph = residualNetwork();
        Dl4jModel model = Dl4jModels.of(graph, ImageInput.torch(10));
        assertThatThrownBy(() -> model.tap("fc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'fc' puts out a flat vector of 6 values, not a spatial map")
                .hasMessageContaining("[c1, bn, act, c2, add, dw, avg, c3, cat]");
        assertThatThrownBy(() -> model.tap("nope")).hasMessageContaining("has no layer 'nope'");
        assertThatThrownBy(() -> model.classGradient(TestImages.noise(10, 10, 1), 3, List.of(model.tap("dw"))))
                .hasMessage("Class 3 is not one of ComputationGraph's classes 0 to 2");
        assertThatThrownBy(() -> Dl4jModels.builder(graph).build())
                .hasMessageContaining("Say how pictures become ComputationGraph's input");
        // The plain network's dense layer takes 54 values: a 16 x 16 input would give it 96.
        assertThatThrownBy(() -> Dl4jModels.of(plainNetwork(), ImageInput.unit(16)))
                .hasMessageContaining("cannot take an input of 3 x 16 x 16")
                .hasMessageContaining("layer out takes 54 values, but that input gives it 96");
    }

    @Test
    void denseOnlyNetworksAreRefusedWithTheReason() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(8).nOut(4).build())
                .layer(new OutputLayer.Builder().nIn(4).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertThatThrownBy(() -> Dl4jModels.of(net, ImageInput.unit(8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("first layer hidden is a DenseLayer, which does not read a picture");
        MultiLayerConfiguration recurrent = new NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.LSTM.Builder().name("memory").nIn(8).nOut(4).build())
                .layer(new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder().nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork rnn = new MultiLayerNetwork(recurrent);
        rnn.init();
        assertThatThrownBy(() -> Dl4jModels.of(rnn, ImageInput.unit(8)))
                .hasMessageContaining("first layer memory is a LSTM, which does not read a picture");
    }

    @Test
    void passesFromSeveralThreadsAtOnceGiveEachPictureItsOwnMaps() throws Exception {
        Dl4jModel model = Dl4jModels.of(residualNetwork(), ImageInput.torch(10));
        List<BufferedImage> pictures = List.of(TestImages.noise(10, 10, 1), TestImages.noise(10, 10, 2),
                TestImages.noise(10, 10, 3), TestImages.noise(10, 10, 4));
        List<float[]> alone = new java.util.ArrayList<>();
        for (BufferedImage p : pictures) {
            alone.add(model.forward(p, List.of(model.tap("cat"))).get(0).toArray());
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<float[]>> futures = new java.util.ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (BufferedImage p : pictures) {
                    futures.add(pool.submit(() -> round(model, p)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get()).containsExactly(alone.get(i % pictures.size()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A Grad-CAM pass and a forward pass, as the inspector makes them, returning the forward maps. */
    private static float[] round(Dl4jModel model, BufferedImage picture) {
        model.classGradient(picture, 0, List.of(model.tap("dw")));
        return model.forward(picture, List.of(model.tap("cat"))).get(0).toArray();
    }

    @Test
    void theMultiLayerNetworkSharesItsParametersWithTheModel() {
        MultiLayerNetwork net = plainNetwork();
        Dl4jModel model = Dl4jModels.of(net, ImageInput.unit(12));
        INDArray w = net.getLayer(0).getParam("W");
        w.muli(2);
        assertThat(model.graph().getLayer("c1").getParam("W").getFloat(0)).isEqualTo(w.getFloat(0));
    }
}
