package io.cnnsee.examples;

import io.cnnsee.Channel;
import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.report.ReportWriter;

import java.nio.file.Path;

/**
 * A ranker of your own: the channels that respond most to the centre of the picture. A ranker is
 * one method, {@code double score(Channel)}; it sees the whole channel and its tap.
 *
 * <pre>java -cp cnnsee-examples/target/cnnsee.jar io.cnnsee.examples.CustomRankerExample [picture] [--random]</pre>
 */
public final class CustomRankerExample {

    private CustomRankerExample() {
    }

    /** Mean activation in the central half of the map (a quarter of its area). */
    static double centre(Channel channel) {
        int h = channel.height();
        int w = channel.width();
        double sum = 0;
        int n = 0;
        for (int y = h / 4; y < h - h / 4; y++) {
            for (int x = w / 4; x < w - w / 4; x++) {
                sum += channel.get(y, x);
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    public static void main(String[] args) throws Exception {
        Path picture = Path.of(args.length > 0 ? args[0] : "cnnsee-examples/images/chelsea.png");
        boolean random = args.length > 1 && args[1].equals("--random");

        ChannelRanker centre = ChannelRanker.named("centre", CustomRankerExample::centre);
        Inspection result = FeatureMapInspector.builder()
                .model(Vgg16.builder().weights(random ? Vgg16Weights.random(42) : Vgg16Weights.imagenet()).build())
                .ranker(centre)
                .build()
                .run(picture);

        System.out.println(ReportWriter.write(result, Path.of("reports", "custom-ranker")).html());
    }
}
