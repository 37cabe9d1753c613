package io.cnnsee.examples;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMap;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.Ranking;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.files.AtomicFiles;
import io.cnnsee.render.Grid;
import io.cnnsee.render.GridRenderer;
import io.cnnsee.report.Html;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One block, ranked by several rankers, side by side in one page: which channels "matter"
 * depends on what you ask. The forward pass runs once; only the ranking changes.
 *
 * <pre>java -cp cnnsee-examples/target/cnnsee.jar io.cnnsee.examples.CompareRankers [picture] [layer] [--random]</pre>
 */
public final class CompareRankers {

    private CompareRankers() {
    }

    public static void main(String[] args) throws Exception {
        Path picture = Path.of(args.length > 0 ? args[0] : "cnnsee-examples/images/chelsea.png");
        String layer = args.length > 1 ? args[1] : "block3_conv3";
        boolean random = args.length > 2 && args[2].equals("--random");
        Path out = Path.of("reports", "compare-rankers");

        Inspection result = FeatureMapInspector.builder()
                .model(Vgg16.builder().weights(random ? Vgg16Weights.random(42) : Vgg16Weights.imagenet()).build())
                .taps(layer)
                .build()
                .run(picture);
        FeatureMap map = result.tap(layer).featureMap();
        GridRenderer renderer = GridRenderer.builder().columns(4).build();

        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Rankers compared</title><style>body{font-family:sans-serif}figure{display:inline-block;"
                + "margin:1rem}img{image-rendering:pixelated;max-width:28rem}</style></head><body>\n<h1>"
                + Html.escape(layer + " of " + result.source() + ", ranked six ways") + "</h1>\n<p>"
                + Html.escape("Weights: " + result.weights().source()) + "</p>\n");
        for (ChannelRanker ranker : List.of(ChannelRanker.SUM, ChannelRanker.MEAN, ChannelRanker.MAX,
                ChannelRanker.L2, ChannelRanker.VARIANCE, ChannelRanker.ACTIVE_FRACTION)) {
            Ranking ranking = ranker.top(map, 12);
            Grid grid = renderer.render(map, ranking);
            String file = layer + "-" + ranker.name() + ".png";
            grid.writePng(out.resolve(file));
            html.append("<figure><img src=\"").append(Html.escape(file)).append("\" alt=\"\"><figcaption>")
                    .append(Html.escape(ranker.name() + ": channels " + java.util.Arrays.toString(ranking.indices())))
                    .append("</figcaption></figure>\n");
        }
        html.append("</body></html>\n");
        Path page = out.resolve("compare.html");
        AtomicFiles.write(page, html.toString().getBytes(StandardCharsets.UTF_8));
        System.out.println(page);
    }
}
