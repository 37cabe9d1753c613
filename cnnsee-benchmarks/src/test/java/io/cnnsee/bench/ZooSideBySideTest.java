package io.cnnsee.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ZooSideBySideTest {

    @Test
    void cnnseesEngineTimesEachPassOfTheZooNetworksDefaultTaps() throws Exception {
        try (SideBySide.Engine engine = ZooSideBySide.cnnsee("squeezenet")) {
            List<Double> t = engine.run(2);
            assertThat(t).hasSize(2).allSatisfy(ms -> assertThat(ms).isPositive());
            assertThat(engine.name()).isEqualTo("cnnsee squeezenet (compiled to oneDNN)");
        }
    }
}
