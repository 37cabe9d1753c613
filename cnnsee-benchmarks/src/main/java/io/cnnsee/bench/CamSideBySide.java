package io.cnnsee.bench;

import io.cnnsee.CamInput;
import io.cnnsee.CamMethod;
import io.cnnsee.ClassGradient;
import io.cnnsee.Faithfulness;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What perturbation explanations cost on the engine's batches, beside the same number of
 * single-picture passes, interleaved in one run as {@link SideBySide} does: Score-CAM at VGG16's
 * block5_conv3 (512 masked pictures, the masks made and scored in batches) against 512 class-score
 * passes one picture at a time; a deletion curve of 224 steps (225 pictures) against 225 single
 * passes. VGG16 with its top, random weights, 224 x 224, 2 threads.
 * <pre>
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.CamSideBySide [ROUNDS]
 * </pre>
 */
public final class CamSideBySide {

    private CamSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        BufferedImage picture = Pictures.noise(224, 224, 1);
        try (Vgg16Model vgg16 = Vgg16.builder().includeTop(true).weights(Vgg16Weights.random(42)).build()) {
            float[] x = vgg16.networkInput(picture);
            Tap block5 = vgg16.tap("block5_conv3");
            ClassGradient gradient = vgg16.classGradient(picture, ClassGradient.MOST_PROBABLE_CLASS, List.of(block5));
            CamInput input = CamInput.of(gradient, block5, "most probable").withScorer(vgg16, x);
            float[] saliency = CamMethod.GRAD_CAM.compute(input).upsampled(224, 224);
            int cls = gradient.classIndex();

            List<SideBySide.Engine> score = new ArrayList<>();
            score.add(EngineSideBySide.engine("512 single-picture passes, one by one", 1, () -> singles(vgg16, x, 512), null));
            score.add(EngineSideBySide.engine("Score-CAM at block5_conv3: 512 masked pictures (batches)", 1,
                    () -> CamMethod.SCORE_CAM.compute(input), null));
            List<SideBySide.Engine> deletion = new ArrayList<>();
            deletion.add(EngineSideBySide.engine("225 single-picture passes, one by one", 1, () -> singles(vgg16, x, 225), null));
            deletion.add(EngineSideBySide.engine("Deletion curve, 224 steps (batches)", 1,
                    () -> Faithfulness.deletion(vgg16, x, saliency, cls, 224), null));
            List<SideBySide.Engine> all = new ArrayList<>(score);
            all.addAll(deletion);
            Map<String, List<Double>> times = SideBySide.interleave(all, rounds, 1);
            System.out.println(Machine.describe(false));
            System.out.println(Machine.nativeBuild());
            System.out.println();
            System.out.println(SideBySide.table("Score-CAM, VGG16, 224 x 224, 2 threads", part(times, 0, 2), rounds, 1));
            System.out.println(SideBySide.table("Deletion curve, VGG16, 224 x 224, 2 threads", part(times, 2, 4), rounds, 1));
        }
    }

    /** {@code n} passes of one picture each, reading the class scores. */
    private static Object singles(Vgg16Model model, float[] x, int n) {
        Object last = null;
        for (int i = 0; i < n; i++) {
            last = model.classScores(List.of(x));
        }
        return last;
    }

    private static Map<String, List<Double>> part(Map<String, List<Double>> times, int from, int to) {
        Map<String, List<Double>> part = new java.util.LinkedHashMap<>();
        times.entrySet().stream().skip(from).limit(to - from).forEach(e -> part.put(e.getKey(), e.getValue()));
        return part;
    }
}
