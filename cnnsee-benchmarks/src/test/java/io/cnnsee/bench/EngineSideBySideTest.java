package io.cnnsee.bench;

import io.cnnsee.Objective;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jZoo;
import io.cnnsee.dl4j.ZooWeights;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineSideBySideTest {

    @Test
    void anEngineTimesEachPassOfItsWorkAndRefusesWorkThatGivesNothing() throws Exception {
        Dl4jModel model = Dl4jZoo.model("squeezenet", ZooWeights.random(1));
        float[] x = model.networkInput(Pictures.noise(224, 224, 1));
        try (SideBySide.Engine engine = EngineSideBySide.engine("gradient", 2, () -> model.inputGradient(x, Objective.classLogit(3)), model)) {
            List<Double> t = engine.run(2);
            assertThat(t).hasSize(2).allSatisfy(ms -> assertThat(ms).isPositive());
            assertThat(engine.name()).isEqualTo("gradient");
        }
        try (SideBySide.Engine nothing = EngineSideBySide.engine("nothing", 1, () -> null, null)) {
            assertThatThrownBy(() -> nothing.run(1)).hasMessage("nothing gave nothing");
        }
    }
}
