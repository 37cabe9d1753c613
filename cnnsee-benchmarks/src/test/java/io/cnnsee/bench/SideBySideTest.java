package io.cnnsee.bench;

import io.cnnsee.dl4j.ConvolutionAlgorithm;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SideBySideTest {

    @Test
    void theTableGivesMediansQuartilesAndEachAgainstTheFirst() {
        Map<String, List<Double>> times = new LinkedHashMap<>();
        times.put("cnnsee", List.of(50.0, 60.0, 70.0, 80.0, 90.0));
        times.put("other", List.of(100.0, 120.0, 140.0, 160.0, 180.0));
        String table = SideBySide.table("a network", times, 1, 5);
        assertThat(table).contains("| a network | median ms | quartiles | against cnnsee |","| cnnsee | 70.0 | 60.0 – 80.0 | 1.00 |", "| other | 140.0 | 120.0 – 160.0 | 2.00 |",
                "1 rounds of 5 passes each");
    }

    @Test
    void cnnseesEngineTimesEachPassOfTheFiveTaps() throws Exception {
        try (SideBySide.Engine engine = SideBySide.cnnsee(ConvolutionAlgorithm.DIRECT)) {
            List<Double> t = engine.run(2);
            assertThat(t).hasSize(2).allSatisfy(ms -> assertThat(ms).isPositive());
            assertThat(engine.name()).isEqualTo("cnnsee direct");
        }
    }
}
