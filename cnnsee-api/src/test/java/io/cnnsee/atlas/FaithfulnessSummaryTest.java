package io.cnnsee.atlas;

import io.cnnsee.Faithfulness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Means worked out by hand. Method A: deletion 0.2 and 0.4, insertion 0.9 and 0.5 (differences
 * 0.7 and 0.1: mean 0.4, sample deviation 0.3 sqrt 2, standard error 0.3); method B: differences
 * 0.3 and 0.2. A is best on the first picture, B on the second; A ranks first by its mean.
 */
class FaithfulnessSummaryTest {

    static Faithfulness.Scores scores(String method, double deletion, double insertion, double drop, boolean up, Double road) {
        return new Faithfulness.Scores(method, new Faithfulness.Curve("deletion", new double[] {1, 0}, deletion),
                new Faithfulness.Curve("insertion", new double[] {0, 1}, insertion), drop, up,
                road == null ? null : new Faithfulness.Road(List.of(50), new double[] {0.5}, new double[] {0.5 + road}, road));
    }

    static FaithfulnessSummary first() {
        FaithfulnessSummary s = new FaithfulnessSummary("conv", 8);
        s.add(List.of(scores("A", 0.2, 0.9, 0.10, true, 0.3), scores("B", 0.3, 0.6, 0.30, false, null)));
        return s;
    }

    static FaithfulnessSummary second() {
        FaithfulnessSummary s = new FaithfulnessSummary("conv", 8);
        s.add(List.of(scores("A", 0.4, 0.5, 0.20, false, 0.1), scores("B", 0.1, 0.3, 0.50, false, null)));
        s.skip("broken.png", "not a picture");
        return s;
    }

    @Test
    void meansStandardErrorsAndBestCountsAreTheHandWorkedOnes() {
        FaithfulnessSummary s = first();
        s.merge(second());
        assertThat(s.pictures()).isEqualTo(2);
        assertThat(s.skipped()).isEqualTo(1);
        assertThat(s.skippedReasons()).containsEntry("broken.png", "not a picture");
        List<FaithfulnessSummary.MethodMean> means = s.means();
        assertThat(means).extracting(FaithfulnessSummary.MethodMean::method).containsExactly("A", "B");
        FaithfulnessSummary.MethodMean a = means.get(0);
        assertThat(a.pictures()).isEqualTo(2);
        assertThat(a.deletion()).isCloseTo(0.3, within(1e-12));
        assertThat(a.insertion()).isCloseTo(0.7, within(1e-12));
        assertThat(a.difference()).isCloseTo(0.4, within(1e-12));
        assertThat(a.differenceError()).isCloseTo(0.3, within(1e-12));
        assertThat(a.averageDrop()).isCloseTo(0.15, within(1e-12));
        assertThat(a.increase()).isEqualTo(0.5);
        assertThat(a.road()).isCloseTo(0.2, within(1e-12));
        assertThat(a.best()).isEqualTo(1);
        FaithfulnessSummary.MethodMean b = means.get(1);
        assertThat(b.difference()).isCloseTo(0.25, within(1e-12));
        assertThat(b.differenceError()).isCloseTo(0.05, within(1e-12));
        assertThat(b.increase()).isZero();
        assertThat(b.road()).isNaN();
        assertThat(b.best()).isEqualTo(1);
    }

    @Test
    void theTableAndTheCsvSayTheSame() {
        FaithfulnessSummary s = first();
        s.merge(second());
        assertThat(FaithfulnessPage.csv(s)).isEqualTo("method,pictures,insertion_minus_deletion,standard_error,deletion,insertion,"
                + "average_drop,confidence_up,road,best\n"
                + "\"A\",2,0.400000,0.300000,0.300000,0.700000,0.150000,0.500000,0.200000,1\n"
                + "\"B\",2,0.250000,0.050000,0.200000,0.450000,0.400000,0.000000,,1\n");
        assertThat(FaithfulnessPage.section(s)).contains("over 2 pictures with curves of 8 steps",
                "<tr><td>A</td><td>+0.400 &plusmn; 0.300</td><td>0.300</td><td>0.700</td><td>15.0 %</td><td>50 %</td>"
                        + "<td>+0.200</td><td>1 of 2</td></tr>",
                "<tr><td>B</td><td>+0.250 &plusmn; 0.050</td><td>0.200</td><td>0.450</td><td>40.0 %</td><td>0 %</td>"
                        + "<td></td><td>1 of 2</td></tr>");
    }

    @Test
    void byDefaultTheMethodsWithoutExtraPassesAreScored() {
        assertThat(FaithfulnessSurvey.DEFAULT_METHODS).extracting(io.cnnsee.CamMethod::name).containsExactly("Grad-CAM",
                "Grad-CAM++", "XGrad-CAM", "HiResCAM", "LayerCAM", "Eigen-CAM", "EigenGrad-CAM");
    }

    @Test
    void summariesOfAnotherLayerDoNotMerge() {
        assertThatThrownBy(() -> first().merge(new FaithfulnessSummary("other", 8)))
                .hasMessage("Faithfulness summaries of another layer or number of steps do not merge");
        assertThatThrownBy(() -> first().add(List.of())).hasMessage("A picture needs at least one method's scores");
    }
}
