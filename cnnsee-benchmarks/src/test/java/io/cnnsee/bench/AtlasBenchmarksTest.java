package io.cnnsee.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The atlas' two measurements run, briefly: their numbers are docs/atlas.md's, from the commands. */
class AtlasBenchmarksTest {

    @Test
    void theDriverMemoryTableHasARowPerSize() throws Exception {
        String table = AtlasDriverMemory.table(List.of(100, 300));
        assertThat(table).contains("| 100 | ", "| 300 | ", " MB |");
    }

    @Test
    void theThroughputComparesTheInspectorWithTheAtlasOnSpark() throws Exception {
        String table = AtlasThroughput.table(4, 1);
        assertThat(table).contains("| single-process inspector, one after another | ", "| atlas on Spark local[*] | ",
                "| atlas / inspector | ");
    }
}
