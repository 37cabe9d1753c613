package io.cnnsee.bench;

import io.cnnsee.serve.Browser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The explorer's latency benchmark runs, briefly, in chromium: its numbers are docs/explorer.md's, from the command. */
class ExplorerBenchmarksTest {

    @Test
    void theLatencyTableComparesThePageWithInspect() throws Exception {
        Assumptions.assumeTrue(Browser.available() || System.getenv("CNNSEE_REQUIRE_BROWSER") != null,
                "no chromium: apt-get install chromium chromium-driver");
        String table = ExplorerLatency.table(1, 4);
        assertThat(table).contains("| inspect (FeatureMapInspector.run: pass, 5 taps, ranking, grids) | ",
                "| explorer: picture chosen to first layer's tiles painted | ", "| explorer / inspect | ",
                "| layer switch, median of 18 (every layer, each round) | ", "4 clients uploading at once: 4 of 4 answered 201");
    }
}
