package io.cnnsee.examples;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.TapInspection;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.report.ReportWriter;

import java.nio.file.Path;

/**
 * The original article in a few lines: one picture, the five blocks of VGG16, in each the 12
 * channels with the largest sum of activations, coloured with viridis.
 *
 * <pre>java -cp cnnsee-examples/target/cnnsee.jar io.cnnsee.examples.InspectImage [picture] [--random]</pre>
 */
public final class InspectImage {

    private InspectImage() {
    }

    public static void main(String[] args) throws Exception {
        Path picture = Path.of(args.length > 0 ? args[0] : "cnnsee-examples/images/chelsea.png");
        boolean random = args.length > 1 && args[1].equals("--random");

        // FeatureMapInspector.inspect(picture) alone uses the ImageNet weights (downloaded on first use).
        Inspection result = random
                ? FeatureMapInspector.builder()
                        .model(Vgg16.builder().weights(Vgg16Weights.random(42)).build())
                        .build().run(picture)
                : FeatureMapInspector.inspect(picture);

        for (TapInspection block : result.taps()) {
            System.out.printf("%s: Image dimensions: %s px, Number of output images at this step: %d%n",
                    block.tap().displayName(), block.dimensions(), block.channelCount());
        }
        System.out.println(ReportWriter.write(result, Path.of("reports", "inspect-image")).html());
    }
}
