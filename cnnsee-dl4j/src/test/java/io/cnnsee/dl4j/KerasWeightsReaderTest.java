package io.cnnsee.dl4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KerasWeightsReaderTest {

    static final Vgg16Architecture NOTOP = new Vgg16Architecture(new int[] {2, 3, 4, 4, 5}, 32, false, 0, 0);
    static final Vgg16Architecture TOP = new Vgg16Architecture(new int[] {2, 3, 4, 4, 5}, 32, true, 6, 3);

    @TempDir
    Path dir;

    @Test
    void readsEveryLayerWithItsKerasShapeAndValues() {
        Map<String, LayerWeights> written = KerasWeightsWriter.randomWeights(TOP, 3);
        Path file = dir.resolve("top.h5");
        KerasWeightsWriter.write(file, TOP, written);

        Map<String, LayerWeights> read = KerasWeightsReader.read(file, TOP);
        assertThat(read.keySet()).containsExactly("block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2",
                "block3_conv1", "block3_conv2", "block3_conv3", "block4_conv1", "block4_conv2", "block4_conv3",
                "block5_conv1", "block5_conv2", "block5_conv3", "fc1", "fc2", "predictions");
        for (String layer : read.keySet()) {
            assertThat(read.get(layer).kernelShape()).isEqualTo(written.get(layer).kernelShape());
            assertThat(read.get(layer).kernel()).isEqualTo(written.get(layer).kernel());
            assertThat(read.get(layer).bias()).isEqualTo(written.get(layer).bias());
        }
        assertThat(read.get("block2_conv1").kernelShape()).containsExactly(3, 3, 2, 3);
        assertThat(read.get("fc1").kernelShape()).containsExactly(5, 6);
    }

    @Test
    void aNetworkWithoutTopReadsTheConvLayersOfAFileWithTop() {
        Path file = dir.resolve("top.h5");
        KerasWeightsWriter.write(file, TOP, KerasWeightsWriter.randomWeights(TOP, 3));
        assertThat(KerasWeightsReader.read(file, NOTOP)).hasSize(13);
    }

    @Test
    void aNetworkWithTopNeedsTheFileWithTop() {
        Path file = dir.resolve("notop.h5");
        KerasWeightsWriter.write(file, NOTOP, KerasWeightsWriter.randomWeights(NOTOP, 3));
        assertThatThrownBy(() -> KerasWeightsReader.read(file, TOP))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("Weights file " + file + " has no layer fc1")
                .hasMessageContaining("a network with top needs vgg16_weights_tf_dim_ordering_tf_kernels.h5");
    }

    @Test
    void aLayerOfTheWrongShapeIsNamedWithBothShapes() {
        Vgg16Architecture wider = new Vgg16Architecture(new int[] {2, 3, 7, 4, 5}, 32, false, 0, 0);
        Path file = dir.resolve("wider.h5");
        KerasWeightsWriter.write(file, wider, KerasWeightsWriter.randomWeights(wider, 3));
        assertThatThrownBy(() -> KerasWeightsReader.read(file, NOTOP))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessage("Weights file " + file + ": layer block3_conv1 weight block3_conv1/kernel:0 has shape "
                        + "[3, 3, 3, 7], expected [3, 3, 3, 4]");
    }

    @Test
    void aFileOfAnotherModelSaysWhichLayerIsMissing() {
        Path file = dir.resolve("other.h5");
        KerasWeightsWriter.write(file, NOTOP, KerasWeightsWriter.randomWeights(NOTOP, 3),
                name -> name.replace("block5_conv3", "conv_last"));
        assertThatThrownBy(() -> KerasWeightsReader.read(file, NOTOP))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageStartingWith("Weights file " + file + " has no layer block5_conv3 (it has [input_1, ")
                .hasMessageEndingWith("conv_last, block5_pool]): is it a VGG16 weights file?");
    }

    @Test
    void aTruncatedOrForeignFileGivesAClearError() throws Exception {
        Path file = dir.resolve("full.h5");
        KerasWeightsWriter.write(file, NOTOP, KerasWeightsWriter.randomWeights(NOTOP, 3));
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = dir.resolve("truncated.h5");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> KerasWeightsReader.read(truncated, NOTOP))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageStartingWith("Weights file " + truncated);

        Path text = dir.resolve("weights.h5");
        Files.writeString(text, "this is not HDF5");
        assertThatThrownBy(() -> KerasWeightsReader.read(text, NOTOP))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageStartingWith("Weights file " + text + " is not a readable Keras HDF5 weights file");

        assertThatThrownBy(() -> KerasWeightsReader.read(dir.resolve("missing.h5"), NOTOP))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessage("Weights file " + dir.resolve("missing.h5") + " does not exist or is not a file");
    }
}
