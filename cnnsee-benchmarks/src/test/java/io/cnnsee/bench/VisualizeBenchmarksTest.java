package io.cnnsee.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The side-by-side visualisation benchmark runs, briefly: its numbers are docs/visualize.md's, from the command. */
class VisualizeBenchmarksTest {

    @Test
    void theTableSplitsAStepAndComparesTheBatch() {
        String table = VisualizeSideBySide.table(1, 1, 1);
        assertThat(table).contains("| forward pass to the layer (cnnsee's oneDNN pass) | ",
                "| of which backward (gradient less forward) | ", "| one channel's step (1 steps timed together) | ",
                "| batch / one after another, median of the rounds' ratios (range) | **");
        assertThat(table.lines().filter(l -> l.startsWith("|")).count()).isEqualTo(11);
    }
}
