package io.cnnsee.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PairedTest {

    @Test
    void quantilesInterpolateBetweenTheSortedValues() {
        List<Double> values = List.of(4.0, 1.0, 3.0, 2.0);
        assertThat(Paired.quantile(values, 0.5)).isEqualTo(2.5);
        assertThat(Paired.quantile(values, 0.25)).isCloseTo(1.75, within(1e-12));
        assertThat(Paired.quantile(values, 0.75)).isCloseTo(3.25, within(1e-12));
        assertThat(Paired.quantile(values, 0)).isEqualTo(1.0);
        assertThat(Paired.quantile(values, 1)).isEqualTo(4.0);
        assertThat(Paired.quantile(List.of(7.0), 0.5)).isEqualTo(7.0);
        assertThat(values).containsExactly(4.0, 1.0, 3.0, 2.0); // not sorted in place
    }

    @Test
    void comparesRoundByRoundAlternatingWhichGoesFirstAndLeavesTheWarmUpOut() {
        List<String> calls = new ArrayList<>();
        // One warm-up round (its 100s must not count), then three: ratios 2, 4 and 3.
        DoubleSupplier first = recorder("first", calls, 100, 2, 4, 6);
        DoubleSupplier second = recorder("second", calls, 100, 1, 1, 2);

        String row = Paired.compare("thing vs other", 3, 1, first, second, false);

        assertThat(calls).containsExactly("second", "first", "first", "second", "second", "first", "first", "second");
        assertThat(row).isEqualTo("| thing vs other | 4.0 | 1.0 | 3.00 (2.50 – 3.50) | 3 |");
        assertThat(Paired.compare("as share", 3, 1, recorder("a", new ArrayList<>(), 100, 2, 4, 6),
                recorder("b", new ArrayList<>(), 100, 1, 1, 2), true))
                .isEqualTo("| as share | 4.0 | 1.0 | 3.00 (2.50 – 3.50): +200 % | 3 |");
    }

    private static DoubleSupplier recorder(String name, List<String> calls, double... values) {
        Iterator<Double> next = java.util.Arrays.stream(values).boxed().iterator();
        return () -> {
            calls.add(name);
            return next.next();
        };
    }
}
