package io.cnnsee;

import io.cnnsee.report.Report;
import io.cnnsee.report.ReportWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Predictions: read in the same pass as the taps, most probable first, named, and in the report. */
class PredictionTest {

    /** Seven classes with known probabilities (summing to 1), two of them equal. */
    static final float[] PROBABILITIES = {0.05f, 0.30f, 0.10f, 0.20f, 0.10f, 0.25f, 0.0f};
    static final Tap PROBS = new Tap("classes", "probs", new MapShape(7, 1, 1));

    /** The fake model of the other tests, plus a classifier layer. */
    static final class Classifier implements InspectableModel, Classifying {
        final FakeModel net = new FakeModel();
        final List<List<Tap>> passes = new ArrayList<>();

        @Override
        public String name() {
            return "FakeClassifier";
        }

        @Override
        public WeightsInfo weights() {
            return net.weights();
        }

        @Override
        public MapShape inputShape() {
            return net.inputShape();
        }

        @Override
        public List<Tap> taps() {
            return net.taps();
        }

        @Override
        public Tap tap(String layerName) {
            return layerName.equals("probs") ? PROBS : net.tap(layerName);
        }

        @Override
        public Tap classifier() {
            return PROBS;
        }

        @Override
        public String classLabel(int index) {
            return index == 5 ? "tabby <cat> | striped" : "class " + index;
        }

        @Override
        public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
            passes.add(List.copyOf(taps));
            List<FeatureMap> out = new ArrayList<>();
            List<Tap> convs = taps.stream().filter(t -> !t.equals(PROBS)).toList();
            List<FeatureMap> maps = net.forward(image, convs);
            int next = 0;
            for (Tap t : taps) {
                out.add(t.equals(PROBS) ? FeatureMap.copyOf(PROBS, PROBABILITIES) : maps.get(next++));
            }
            return out;
        }
    }

    static BufferedImage picture() {
        return new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    }

    @Test
    void theTopFiveComeFromTheSamePassMostProbableFirstWithTheirNames() {
        Classifier model = new Classifier();
        Inspection result = FeatureMapInspector.builder().model(model).build().run(picture());

        assertThat(model.passes).hasSize(1);
        assertThat(model.passes.get(0)).containsExactly(FakeModel.A, FakeModel.B, PROBS);
        assertThat(result.taps()).hasSize(2);
        // 0.10 twice: the lower class index first.
        assertThat(result.predictions()).extracting(Prediction::classIndex).containsExactly(1, 5, 3, 2, 4);
        assertThat(result.predictions()).extracting(Prediction::label)
                .containsExactly("class 1", "tabby <cat> | striped", "class 3", "class 2", "class 4");
        assertThat(result.predictions().get(0).probability()).isEqualTo(0.30f);
        assertThat(result.predictions()).isSortedAccordingTo(Prediction.MOST_PROBABLE_FIRST);
    }

    @Test
    void theirNumberIsAnOptionAndZeroReadsNoClassifier() {
        Classifier model = new Classifier();
        assertThat(FeatureMapInspector.builder().model(model).predictions(7).build().run(picture()).predictions())
                .extracting(Prediction::probability).containsExactly(0.30f * 1.0, 0.25f * 1.0, 0.20f * 1.0, 0.10f * 1.0,
                        0.10f * 1.0, 0.05f * 1.0, 0.0);
        Inspection none = FeatureMapInspector.builder().model(model).predictions(0).build().run(picture());
        assertThat(none.predictions()).isEmpty();
        assertThat(model.passes.get(1)).doesNotContain(PROBS);
        assertThatThrownBy(() -> FeatureMapInspector.builder().predictions(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The number of predictions must be at least 0, was -1");
    }

    @Test
    void aModelThatDoesNotClassifyHasNoPredictions() {
        assertThat(FeatureMapInspector.builder().model(new FakeModel()).build().run(picture()).predictions()).isEmpty();
    }

    @Test
    void theReportShowsThemEscapedAboveTheBlocks(@TempDir Path dir) throws Exception {
        Report report = ReportWriter.write(FeatureMapInspector.builder().model(new Classifier()).build().run(picture()), dir);
        String html = Files.readString(report.html());
        assertThat(html).contains("<h2>What the network sees</h2>", "<tr><th>probability</th><th>class</th><th>index</th></tr>",
                "<td>30.0 %</td><td>class 1</td><td>1</td>", "<td>25.0 %</td><td>tabby &lt;cat&gt; | striped</td><td>5</td>");
        assertThat(html.indexOf("What the network sees")).isLessThan(html.indexOf("Block 1"));
        String md = Files.readString(report.markdown());
        assertThat(md).contains("| 25.0 % | tabby \\<cat\\> \\| striped | 5 |");
    }
}
