package io.cnnsee.dl4j;

import io.cnnsee.dl4j.onnx.OnnxFile;
import io.cnnsee.dl4j.onnx.OnnxGraphReader;

import java.nio.file.Path;
import java.util.Objects;

/**
 * ONNX models from their files, as {@code torch.onnx.export} writes them (PyTorch's models,
 * torchvision's), read straight into the engine. A model that ends in logits gets their softmax
 * as its probabilities, in a layer named {@code softmax(<output>)}.
 *
 * <pre>{@code
 * try (GraphModel model = OnnxModels.builder(Path.of("resnet50.onnx")).input(ImageInput.torch(224)).build()) {
 *     Inspection inspection = FeatureMapInspector.builder(model).build().inspect(picture);
 * }
 * }</pre>
 */
public final class OnnxModels {

    static {
        NativeBuild.select(); // before ND4J loads its natives (their OpenMP is oneDNN's)
    }

    private OnnxModels() {
    }

    /** Whether {@code file} is named as an ONNX model is ({@code .onnx}). */
    public static boolean isOnnx(Path file) {
        return file.getFileName() != null && file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
    }

    /**
     * A builder for the model in {@code file}.
     *
     * @throws io.cnnsee.ModelFileException saying what is wrong, when it is not an ONNX model with one image input
     */
    public static GraphModelBuilder builder(Path file) {
        Objects.requireNonNull(file, "file");
        return ModelFiles.reading(file, () -> open(file));
    }

    private static GraphModelBuilder open(Path file) {
        OnnxFile onnx = OnnxFile.open(file);
        return new GraphModelBuilder(file, "ONNX (opset " + onnx.opset() + ")", OnnxGraphReader.declaredInput(onnx), (input, seed) -> {
            OnnxGraphReader.Result r = OnnxGraphReader.read(onnx, input, seed);
            return new GraphModelBuilder.Read(r.network(), r.layers(), r.aliases(), () -> { }, r.addedSoftmax()
                    ? "the model ends in logits: its probabilities are their softmax, which cnnsee adds" : "");
        });
    }
}
