package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.WeightsInfo;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitRelu;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.Darknet19;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.VGG19;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * The convolutional networks of Deeplearning4j's model zoo that cnnsee offers besides its own
 * VGG16 ({@link Vgg16}): {@code vgg19}, {@code resnet50}, {@code squeezenet}, {@code darknet19},
 * 1000 ImageNet classes each. Their ImageNet weights are downloaded on first use into the same
 * cache as VGG16's, with progress, and checked with the zoo's Adler-32 checksums:
 * <pre>{@code
 * Dl4jModel resnet = Dl4jZoo.model("resnet50", ZooWeights.imagenet());
 * Dl4jModel untrained = Dl4jZoo.model("resnet50", ZooWeights.random(42));
 * }</pre>
 */
public final class Dl4jZoo {

    private static final Logger LOG = LoggerFactory.getLogger(Dl4jZoo.class);
    private static final String ZOO_URL = "https://dl4jdata.blob.core.windows.net/";
    private static final int CLASSES = 1000;

    /** A zoo network: how to build it, the input its ImageNet weights were trained with. */
    @SuppressWarnings("rawtypes") // Deeplearning4j's ZooModel is declared generic and used raw throughout
    private record Entry(String name, String displayName, LongFunction<ZooModel> make, ImageInput input, String inputNote) {
    }

    /**
     * Random weights use He initialisation, whatever the zoo's training default (ResNet50's normal
     * of deviation 0.5 overflows floats 50 layers deep).
     */
    private static final Map<String, Entry> ENTRIES = Map.of(
            "vgg19", new Entry("vgg19", "VGG19", seed -> VGG19.builder().seed(seed).numClasses(CLASSES).build(),
                    ImageInput.caffe(224), "converted from Keras: BGR, ImageNet means subtracted"),
            "resnet50", new Entry("resnet50", "ResNet50", seed -> ResNet50.builder().seed(seed).numClasses(CLASSES)
                    .weightInit(new WeightInitRelu()).build(),
                    ImageInput.caffe(224), "converted from Keras: BGR, ImageNet means subtracted"),
            "squeezenet", new Entry("squeezenet", "SqueezeNet", seed -> SqueezeNet.builder().seed(seed).numClasses(CLASSES).build(),
                    ImageInput.caffe(227), "converted from Keras (keras-squeezenet): BGR, ImageNet means subtracted"),
            "darknet19", new Entry("darknet19", "Darknet19", seed -> Darknet19.builder().seed(seed).numClasses(CLASSES).build(),
                    ImageInput.unit(224), "Darknet's: RGB scaled to 0..1"));

    /** The names {@link #model} takes, in the order the command line lists them. */
    public static final List<String> NAMES = List.of("vgg19", "resnet50", "squeezenet", "darknet19");

    static {
        NativeBuild.select();
    }

    private Dl4jZoo() {
    }

    /** Whether {@code name} is one of {@link #NAMES}, in any case. */
    public static boolean has(String name) {
        return name != null && ENTRIES.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** The input the zoo's ImageNet weights of {@code name} expect, and why. */
    public static ImageInput input(String name) {
        return entry(name).input();
    }

    /** The zoo's ImageNet weights file of {@code name}, with its address and checksum. */
    @SuppressWarnings("rawtypes")
    public static OfficialWeightsFile weightsFile(String name) {
        Entry e = entry(name);
        ZooModel zoo = e.make().apply(0);
        String url = zoo.pretrainedUrl(PretrainedType.IMAGENET);
        String file = url.substring(url.lastIndexOf('/') + 1);
        return OfficialWeightsFile.zoo(e.displayName(), file, zoo.pretrainedChecksum(PretrainedType.IMAGENET),
                List.of(URI.create(url.startsWith("http") ? url : ZOO_URL + url)));
    }

    /** {@code name} with {@code weights}, taking pictures as its ImageNet weights expect. */
    public static Dl4jModel model(String name, ZooWeights weights) {
        return model(name, weights, input(name));
    }

    /**
     * {@code name} with {@code weights} and pictures made input as {@code input} says.
     *
     * @throws IllegalArgumentException    naming the zoo's networks when {@code name} is none of them
     * @throws WeightsUnavailableException when the ImageNet weights can be neither found nor fetched
     */
    public static Dl4jModel model(String name, ZooWeights weights, ImageInput input) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(input, "input");
        Entry e = entry(name);
        long start = System.nanoTime();
        Model network;
        WeightsInfo info;
        if (weights.isRandom()) {
            network = e.make().apply(weights.seed()).init();
            info = WeightsInfo.random(weights.seed());
        } else {
            OfficialWeightsFile official = weightsFile(name);
            Path file = weights.locate(official);
            network = restore(file, e.displayName(), e.make().apply(0).modelType());
            info = new WeightsInfo("ImageNet (Deeplearning4j zoo " + file.getFileName() + ")",
                    "Weights of Deeplearning4j's model zoo (" + e.inputNote() + "); see its documentation for their terms", false);
        }
        ComputationGraph graph = network instanceof MultiLayerNetwork m ? Dl4jModels.toGraph(m) : (ComputationGraph) network;
        if (e.name().equals("vgg19")) {
            graph = Dl4jModels.renamed(graph, kerasVggNames(graph));
        }
        Dl4jModels.Builder builder = Dl4jModels.builder(graph);
        Dl4jModel model = builder.name(e.displayName()).input(input).weights(info).build();
        LOG.info("Loaded {} with {} in {} ms", e.displayName(), info.source(), (System.nanoTime() - start) / 1_000_000);
        return model;
    }

    /**
     * The zoo's VGG19 numbers its layers "0" to "24": renamed with Keras' names,
     * {@code block1_conv1} ... {@code block5_pool}, {@code fc1}, {@code fc2}, {@code predictions}.
     */
    static Map<String, String> kerasVggNames(ComputationGraph graph) {
        Map<String, String> names = new java.util.HashMap<>();
        int block = 1;
        int conv = 0;
        int dense = 0;
        for (int index : graph.topologicalSortOrder()) {
            var v = graph.getVertices()[index];
            if (!v.hasLayer()) {
                continue;
            }
            var layer = v.getLayer().conf().getLayer();
            if (layer instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer) {
                names.put(v.getVertexName(), "block" + block + "_conv" + ++conv);
            } else if (layer instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer) {
                names.put(v.getVertexName(), "block" + block++ + "_pool");
                conv = 0;
            } else if (layer instanceof org.deeplearning4j.nn.conf.layers.OutputLayer) {
                names.put(v.getVertexName(), "predictions");
            } else if (layer instanceof org.deeplearning4j.nn.conf.layers.DenseLayer) {
                names.put(v.getVertexName(), "fc" + ++dense);
            }
        }
        return names;
    }

    private static Model restore(Path file, String displayName, Class<? extends Model> type) {
        try {
            return type == MultiLayerNetwork.class ? ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false)
                    : ModelSerializer.restoreComputationGraph(file.toFile(), false);
        } catch (IOException | RuntimeException ex) {
            throw new WeightsFormatException("Cannot restore " + displayName + " from " + file + ": " + ex.getMessage()
                    + ". Delete it to download it again", ex);
        }
    }

    private static Entry entry(String name) {
        Entry e = name == null ? null : ENTRIES.get(name.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("Unknown zoo model '" + name + "': choose one of " + NAMES
                    + " (or vgg16, cnnsee's own)");
        }
        return e;
    }
}
