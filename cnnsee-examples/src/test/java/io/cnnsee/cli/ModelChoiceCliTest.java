package io.cnnsee.cli;

import io.cnnsee.dl4j.KerasModelWriter;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.cnnsee.cli.CnnseeCliTest.CHELSEA;
import static io.cnnsee.cli.CnnseeCliTest.cnnsee;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code --model}: a zoo network, a user's ModelSerializer zip and Keras file, and what goes wrong with them. */
class ModelChoiceCliTest {

    @TempDir
    static Path dir;

    static Path zip;
    static Path labels;

    /** A user's own classifier of 3 classes over 32 x 32 pictures, saved by ModelSerializer. */
    @BeforeAll
    static void saveAModel() throws Exception {
        zip = saveModelTo(dir);
        labels = labelsIn(dir);
    }

    /** The classifier's three class names, written into {@code folder}. */
    static Path labelsIn(Path folder) throws Exception {
        return Files.writeString(folder.resolve("labels.txt"), "cat\ndog\nteapot\n");
    }

    /** The classifier saved into {@code folder} as {@code mine.zip}. */
    static Path saveModelTo(Path folder) throws Exception {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv_a").nOut(6).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder().name("pool_a").kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv_b").nOut(8).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder().name("classes").nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(32, 32, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Path file = folder.resolve("mine.zip");
        ModelSerializer.writeModel(net, file.toFile(), false);
        return file;
    }

    @Test
    void aZooNetworkIsInspectedAndExplained() throws Exception {
        Path out = dir.resolve("zoo");
        CnnseeCliTest.Run run = cnnsee("inspect", CHELSEA.toString(), "--model", "squeezenet", "--weights", "random",
                "--grad-cam", "--filters", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Loading squeezenet (random weights, seed 42: not trained)", "Loaded SqueezeNet",
                "Taps: ");
        String html = Files.readString(out.resolve("chelsea").resolve("report.html"));
        assertThat(html).contains("What SqueezeNet sees in chelsea.png", "Random weights", "Grad-CAM at ");
    }

    @Test
    void aModelSerializerZipWithItsLabelsIsInspectedExplainedAndSanityChecked() throws Exception {
        Path out = dir.resolve("mine");
        CnnseeCliTest.Run run = cnnsee("inspect", CHELSEA.toString(), "--model", zip.toString(), "--input", "unit",
                "--input-size", "32", "--labels", labels.toString(), "--grad-cam", "--ranker", "grad-cam", "--sanity-check", "--filters",
                "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Loaded mine.zip", "weights from mine.zip",
                "Taps: conv_a (6 x 32 x 32), conv_b (8 x 16 x 16)",
                "Sanity check: mine.zip with random weights (seed 42) beside it");
        assertThat(run.err()).containsPattern("sees (cat|dog|teapot) \\(");
        String html = Files.readString(out.resolve("chelsea").resolve("report.html"));
        assertThat(html).contains("Sanity check: what mine.zip sees in chelsea.png", "conv_b");
    }

    @Test
    void saliencyOfEachKindIsAHeatMapInTheReport() throws Exception {
        for (String method : List.of("vanilla", "smoothgrad", "integrated-gradients", "guided-backprop", "guided-gradcam",
                "fullgrad")) {
            Path out = dir.resolve("saliency-" + method);
            CnnseeCliTest.Run run = cnnsee("inspect", CHELSEA.toString(), "--model", zip.toString(), "--input", "unit",
                    "--input-size", "32", "--labels", labels.toString(), "--saliency", method, "--out", out.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            Path report = out.resolve("chelsea");
            String html = Files.readString(report.resolve("report.html"));
            assertThat(html).contains("<h2>Which pixels matter</h2>", "src=\"saliency.png\"", "of the score of class ");
            assertThat(javax.imageio.ImageIO.read(report.resolve("saliency.png").toFile()).getWidth()).isEqualTo(448);
            if (method.equals("integrated-gradients")) {
                assertThat(html).contains("Integrated Gradients", "completeness error");
            }
        }
        assertThat(cnnsee("inspect", "a.png", "--saliency", "occlusion").err())
                .contains("Unknown saliency 'occlusion': choose vanilla, smoothgrad, integrated-gradients, guided-backprop,"
                        + " guided-gradcam or fullgrad");
        assertThat(cnnsee("inspect", CHELSEA.toString(), "--saliency", "vanilla", "--weights", "random").err())
                .contains("Saliency needs a model that classifies, and VGG16 does not classify");
    }

    @Test
    void aKerasModelFileIsInspected() throws Exception {
        KerasModelWriter k = new KerasModelWriter("mine", false, 4);
        k.layer("InputLayer", "input_1", KerasModelWriter.input(40, 40, 3));
        k.layer("Conv2D", "first", KerasModelWriter.conv(4, 3, 2, "same", 1, "relu"), "input_1");
        k.weight("first", "kernel", 0.3, 0, 3, 3, 3, 4);
        k.weight("first", "bias", 0.1, 0, 4);
        k.layer("GlobalAveragePooling2D", "gap", Map.of("data_format", "channels_last"), "first");
        k.layer("Dense", "predictions", KerasModelWriter.dense(2, "softmax"), "gap");
        k.weight("predictions", "kernel", 0.3, 0, 4, 2);
        k.weight("predictions", "bias", 0.1, 0, 2);
        Path h5 = dir.resolve("mine.h5");
        k.write(h5);
        Path out = dir.resolve("keras");
        CnnseeCliTest.Run run = cnnsee("inspect", CHELSEA.toString(), "--model", h5.toString(), "--input", "tensorflow",
                "--input-size", "40", "--grad-cam", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Taps: first (4 x 20 x 20)", "sees class ");
        assertThat(out.resolve("chelsea").resolve("first.png")).exists();
    }

    /**
     * A file written by Keras 3 itself (an EfficientNet-like block of shared/fixtures/keras: Rescaling,
     * Normalization, swish, squeeze-excitation): its size read from the file, run on oneDNN alone,
     * Grad-CAM and the sanity check's random twin.
     */
    @Test
    void aKeras3FileIsInspectedWithItsDeclaredSize() throws Exception {
        Path keras = Path.of(ModelChoiceCliTest.class.getResource("/keras/squeeze_excite_k3.keras").toURI());
        Path out = dir.resolve("keras3");
        CnnseeCliTest.Run run = cnnsee("inspect", CHELSEA.toString(), "--model", keras.toString(), "--input", "raw",
                "--grad-cam", "--sanity-check", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Taps: se_excite (8 x 8 x 8)", "sees class ");
        String report = Files.readString(out.resolve("chelsea").resolve("report.md"));
        assertThat(report).contains("Engine: oneDNN runs all 10 layers, forward and backward",
                "Weights (random weights): random weights \\(seed 42\\)", "Grad-CAM at se\\_excite for class ");
        assertThat(out.resolve("chelsea").resolve("se_excite.png")).exists();
    }

    /** A file written by PyTorch's ONNX exporter (mobilenet-like blocks): its logits become probabilities, and Grad-CAM runs. */
    @Test
    void anOnnxFileFromPyTorchIsInspected() throws Exception {
        Path onnx = Path.of(ModelChoiceCliTest.class.getResource("/onnx/mobilenet_like_opset17.onnx").toURI());
        Path out = dir.resolve("onnx");
        CnnseeCliTest.Run run = cnnsee("inspect", CHELSEA.toString(), "--model", onnx.toString(), "--input", "torch",
                "--grad-cam", "--cam", "gradcam++,layercam,eigencam,scorecam,ablationcam", "--faithfulness", "8", "--road",
                "--saliency", "fullgrad", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Taps: /Relu_2 (16 x 16 x 16)", "sees class ");
        assertThat(out.resolve("chelsea").resolve("cam-gradcamplusplus.png")).exists();
        assertThat(Files.readString(out.resolve("chelsea").resolve("report.html"))).contains("<h2>How each method sees it</h2>",
                "Left to right: Grad-CAM++, LayerCAM, Eigen-CAM, Score-CAM, Ablation-CAM, at /Relu_2 for class ",
                "<h2>How faithful each map is</h2>", "<th>insertion - deletion</th>", "<th>ROAD</th>", "<td>FullGrad</td>",
                "<h2>Which pixels matter</h2>");
        CnnseeCliTest.Run unknown = cnnsee("inspect", CHELSEA.toString(), "--model", onnx.toString(), "--input", "torch",
                "--cam", "gradcam,fullgrad");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("cnnsee: 'fullgrad' is a saliency method in cnnsee, a map at the picture's"
                + " resolution rather than one layer's: ask for it with --saliency fullgrad");
        String report = Files.readString(out.resolve("chelsea").resolve("report.md"));
        assertThat(report).contains("weights from the ONNX \\(opset 17\\) model mobilenet\\_like\\_opset17.onnx",
                "Engine: oneDNN runs all 22 layers, forward and backward; the model ends in logits: its probabilities are their "
                        + "softmax, which cnnsee adds", "Grad-CAM at /Relu\\_2 for class ");
    }

    @Test
    void withoutInputTheCommandSaysWhatAKnownArchitectureTakes() throws Exception {
        Path keras = Path.of(ModelChoiceCliTest.class.getResource("/keras/squeeze_excite_k3.keras").toURI());
        CnnseeCliTest.Run run = cnnsee("inspect", CHELSEA.toString(), "--model", keras.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--model " + keras + " needs --input", "This one takes raw (its first layer, Rescaling, "
                + "scales the pixels itself)");
        Path onnx = Path.of(ModelChoiceCliTest.class.getResource("/onnx/mobilenet_like_opset17.onnx").toURI());
        assertThat(cnnsee("inspect", CHELSEA.toString(), "--model", onnx.toString()).err())
                .contains("A PyTorch model from torchvision takes torch");
    }

    @Test
    void aKeras3H5FileIsReadToo() throws Exception {
        Path h5 = Path.of(ModelChoiceCliTest.class.getResource("/keras/depthwise_separable_k3.h5").toURI());
        CnnseeCliTest.Run run = cnnsee("inspect", CHELSEA.toString(), "--model", h5.toString(), "--input", "tensorflow",
                "--out", dir.resolve("k3h5").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Taps: ");
        assertThat(run.err()).doesNotContain("HDF5-DIAG", "Exception");
    }

    @Test
    void choicesThatDoNotFitAreUsageErrorsBeforeAnythingLoads() {
        assertThat(cnnsee("inspect", "a.png", "--model", "mobilenet").err())
                .contains("--model: 'mobilenet' is neither a network cnnsee knows (vgg16, vgg19, resnet50, squeezenet, darknet19) nor a file (.onnx, .keras, .h5, .zip)");
        CnnseeCliTest.Run noInput = cnnsee("inspect", "a.png", "--model", zip.toString());
        assertThat(noInput.exitCode()).isEqualTo(2);
        assertThat(noInput.err()).contains("--model " + zip + " needs --input: how its training pictures were scaled");
        assertThat(cnnsee("inspect", "a.png", "--model", zip.toString(), "--input", "unit", "--weights", "random").err())
                .contains("--weights: a model file brings its own weights");
        assertThat(cnnsee("inspect", "a.png", "--model", zip.toString(), "--input", "imagenet").err())
                .contains("Unknown input preset 'imagenet': choose one of [caffe, torch, tensorflow, unit, raw]");
        assertThat(cnnsee("inspect", "a.png", "--model", zip.toString(), "--input", "unit", "--input-size", "big").err())
                .contains("--input-size must be SIZE or HEIGHTxWIDTH in pixels");
        assertThat(cnnsee("inspect", "a.png", "--input", "torch").err())
                .contains("--input and --input-size describe another network's input");
    }

    @Test
    void modelsThatCannotBeUsedSayWhy() throws Exception {
        Path wrongLabels = Files.writeString(dir.resolve("two.txt"), "cat\ndog\n");
        CnnseeCliTest.Run labelsRun = cnnsee("inspect", CHELSEA.toString(), "--model", zip.toString(), "--input", "unit",
                "--input-size", "32", "--labels", wrongLabels.toString(), "--out", dir.resolve("x").toString());
        assertThat(labelsRun.exitCode()).isEqualTo(1);
        assertThat(labelsRun.err()).contains("The label file " + wrongLabels + " has 2 names, but the network has 3 classes");
        CnnseeCliTest.Run size = cnnsee("inspect", CHELSEA.toString(), "--model", zip.toString(), "--input", "unit",
                "--input-size", "48", "--out", dir.resolve("y").toString());
        assertThat(size.exitCode()).isEqualTo(1);
        assertThat(size.err()).contains("mine.zip cannot take an input of 3 x 48 x 48", "layer classes takes 2048 values, but that input gives it 4608");
        Path notAModel = Files.writeString(dir.resolve("notes.h5"), "hello");
        assertThat(cnnsee("inspect", CHELSEA.toString(), "--model", notAModel.toString(), "--input", "unit",
                "--input-size", "32").err()).contains("neither a zip (ModelSerializer) nor an HDF5 file");
        CnnseeCliTest.Run classRun = cnnsee("inspect", CHELSEA.toString(), "--model", zip.toString(), "--input", "unit",
                "--input-size", "32", "--grad-cam", "--class", "3", "--out", dir.resolve("z").toString());
        assertThat(classRun.exitCode()).isEqualTo(2);
        assertThat(classRun.err()).contains("cnnsee: The explained class 3 is not one of mine.zip's classes, 0 to 2");
        CnnseeCliTest.Run noSize = cnnsee("inspect", CHELSEA.toString(), "--model", zip.toString(), "--input", "unit");
        assertThat(noSize.exitCode()).isEqualTo(1);
        assertThat(noSize.err()).contains("--model " + zip + " does not say what size of picture it takes: give --input-size");
    }
}
