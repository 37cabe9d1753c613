package io.cnnsee.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** JMH's results as the Markdown table of docs/performance.md: median and range of the measured iterations. */
final class JmhTable {

    private static final String PACKAGE = "io.cnnsee.bench.";

    /** One benchmark with one set of parameters. */
    record Row(String benchmark, String parameters, double median, double min, double max, String unit, int threads) {
    }

    private JmhTable() {
    }

    static String markdown(Collection<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult result : results) {
            Statistics statistics = result.getPrimaryResult().getStatistics();
            rows.add(new Row(name(result.getParams()), parameters(result.getParams()), statistics.getPercentile(50),
                    statistics.getMin(), statistics.getMax(), result.getPrimaryResult().getScoreUnit(),
                    result.getParams().getThreads()));
        }
        return table(rows);
    }

    static String table(List<Row> rows) {
        StringBuilder md = new StringBuilder("| benchmark | parameters | median | range | unit | threads |\n"
                + "| --- | --- | ---: | ---: | --- | ---: |\n");
        for (Row row : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f – %.1f | %s | %d |%n", row.benchmark(),
                    row.parameters(), row.median(), row.min(), row.max(), row.unit(), row.threads()));
        }
        return md.toString();
    }

    /** "ForwardBenchmark.forward (batch=1, top=false)". */
    static String describe(BenchmarkParams params) {
        String parameters = parameters(params);
        return name(params) + (parameters.isEmpty() ? "" : " (" + parameters + ")");
    }

    private static String name(BenchmarkParams params) {
        String name = params.getBenchmark();
        return name.startsWith(PACKAGE) ? name.substring(PACKAGE.length()) : name;
    }

    private static String parameters(BenchmarkParams params) {
        List<String> pairs = new ArrayList<>();
        for (String key : params.getParamsKeys()) {
            pairs.add(key + "=" + params.getParam(key));
        }
        return String.join(", ", pairs);
    }
}
