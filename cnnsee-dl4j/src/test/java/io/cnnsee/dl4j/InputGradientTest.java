package io.cnnsee.dl4j;

import io.cnnsee.ImageInput;
import io.cnnsee.InputGradient;
import io.cnnsee.Objective;
import io.cnnsee.dl4j.ReferenceCnn.Volume;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Map;

import static io.cnnsee.dl4j.Dl4jModelTest.assertClose;
import static io.cnnsee.dl4j.ReferenceCnn.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Gradients with respect to the input picture, against central differences of the plain-Java reference. */
class InputGradientTest {

    @Test
    void aChannelMeanOfAChannelsLastResidualGraphAgreesWithFiniteDifferences() {
        ComputationGraph graph = Dl4jModelTest.residualNetwork();
        Dl4jModel model = Dl4jModels.of(graph, ImageInput.torch(10));
        BufferedImage picture = TestImages.noise(10, 10, 12);
        float[] x = model.networkInput(picture);
        Volume input = new Volume(1, 10, 10, doubles(x));
        ReferenceCnn reference = Dl4jModelTest.residualReference(graph);
        Objective objective = Objective.channelMean("dw", 2);
        InputGradient g = model.inputGradient(x, objective);
        Map<String, Volume> expected = reference.run(input);
        assertThat(g.value()).isCloseTo(ReferenceCnn.channelMean(expected.get("dw"), 2), within(1e-5));
        assertThat(g.shape().toString()).isEqualTo("1 x 10 x 10");
        assertClose(g.gradient(), reference.gradientOf(input, "input", e -> ReferenceCnn.channelMean(e.get("dw"), 2), 1e-5),
                "d mean(dw 2) / d input");
    }

    @Test
    void aWeightedSumOfAClassScoreAndACentreUnitAgreesWithFiniteDifferences() {
        MultiLayerNetwork net = Dl4jModelTest.plainNetwork();
        Dl4jModel model = Dl4jModels.of(net, ImageInput.unit(12));
        float[] x = model.networkInput(TestImages.noise(12, 12, 13));
        Volume input = new Volume(3, 12, 12, doubles(x));
        ReferenceCnn reference = Dl4jModelTest.plainReference(net);
        Objective objective = Objective.classLogit(3).plus(Objective.centreUnit("c2", 1), -0.5);
        InputGradient g = model.inputGradient(x, objective);
        Map<String, Volume> expected = reference.run(input);
        Volume c2 = expected.get("c2");
        double centre = c2.at(1, 1, 1);
        assertThat(g.value()).isCloseTo(expected.get("logits").v()[3] - 0.5 * centre, within(1e-4));
        assertClose(g.gradient(), reference.gradientOf(input, "input",
                e -> e.get("logits").v()[3] - 0.5 * e.get("c2").at(1, 1, 1), 1e-5), "d objective / d input");
    }

    /** Completeness on a real network with ReLUs, pools and batch norm: within 1 % in 64 steps. */
    @Test
    void integratedGradientsAddUpToTheScoresChange() {
        Dl4jModel model = Dl4jModels.of(Dl4jModelTest.residualNetwork(), ImageInput.torch(10));
        io.cnnsee.SaliencyMap ig = io.cnnsee.Saliency.integratedGradients(model, TestImages.noise(10, 10, 21),
                Objective.classLogit(1), null, 64);
        assertThat(Math.abs(ig.scoreDifference())).isGreaterThan(1e-3);
        assertThat(ig.completenessError()).isLessThan(0.01);
        io.cnnsee.SaliencyMap vanilla = io.cnnsee.Saliency.vanilla(model, TestImages.noise(10, 10, 21), Objective.classLogit(1));
        assertThat(vanilla.map()).hasSize(100);
    }

    @Test
    void objectivesTheModelCannotReadAreClearErrors() {
        Dl4jModel model = Dl4jModels.of(Dl4jModelTest.residualNetwork(), ImageInput.torch(10));
        float[] x = new float[100];
        assertThatThrownBy(() -> model.inputGradient(x, Objective.channelMean("nope", 0)))
                .hasMessageContaining("has no layer 'nope'");
        assertThatThrownBy(() -> model.inputGradient(x, Objective.channelMean("dw", 4)))
                .hasMessage("dw has channels 0 to 3, not 4");
        assertThatThrownBy(() -> model.inputGradient(x, Objective.classLogit(3)))
                .hasMessage("Class 3 is not one of ComputationGraph's classes 0 to 2");
        assertThatThrownBy(() -> model.inputGradient(new float[99], Objective.classLogit(0)))
                .hasMessage("ComputationGraph takes inputs of 1 x 10 x 10 = 100 values, not 99");
    }
}
