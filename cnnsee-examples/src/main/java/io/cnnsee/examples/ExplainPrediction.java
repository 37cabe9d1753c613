package io.cnnsee.examples;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.GradCam;
import io.cnnsee.Inspection;
import io.cnnsee.Prediction;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.report.Report;
import io.cnnsee.report.ReportWriter;

import java.nio.file.Path;

/**
 * Why the network decided: the classes it sees, where it sees the first (Grad-CAM), each block's
 * channels that mattered for it (Grad-CAM ranking) and where they fire, the first layer's
 * filters, and the sanity check: the same report with random weights beside it.
 *
 * <pre>java -cp cnnsee-examples/target/cnnsee.jar io.cnnsee.examples.ExplainPrediction [picture] [--random]</pre>
 *
 * Needs VGG16 with its top (553 MB of ImageNet weights, downloaded on first use); with
 * {@code --random} the network is untrained and there is no sanity check to make.
 */
public final class ExplainPrediction {

    private ExplainPrediction() {
    }

    public static void main(String[] args) throws Exception {
        Path picture = Path.of(args.length > 0 ? args[0] : "cnnsee-examples/images/chelsea.png");
        boolean random = args.length > 1 && args[1].equals("--random");
        Path out = Path.of("reports", "explain-prediction");

        FeatureMapInspector.Builder options = FeatureMapInspector.builder()
                .gradCam(true)                       // where the most probable class is seen, at block5_conv3
                .ranker(ChannelRanker.GRAD_CAM)      // each block's channels that mattered for it
                .overlays(3)                         // and where the best three fire in the picture
                .firstLayerFilters(true);
        try (Vgg16Model model = Vgg16.builder().includeTop(true)
                .weights(random ? Vgg16Weights.random(42) : Vgg16Weights.imagenet()).build()) {
            Inspection result = options.model(model).build().run(picture);
            for (Prediction p : result.predictions()) {
                System.out.printf("%5.1f %%  %s%n", 100 * p.probability(), p.label());
            }
            GradCam cam = result.gradCam().orElseThrow();
            System.out.println("Grad-CAM of '" + cam.label() + "' at " + cam.tap().layerName());

            Report report;
            if (random) {
                report = ReportWriter.write(result, out);
            } else {
                // The sanity check: what looks alike in both columns does not come from training.
                try (Vgg16Model untrained = Vgg16.builder().includeTop(true).weights(Vgg16Weights.random(42)).build()) {
                    Inspection baseline = options.model(untrained).build().run(picture);
                    report = ReportWriter.writeSanityCheck(result, baseline, out);
                }
            }
            System.out.println(report.html());
        }
    }
}
