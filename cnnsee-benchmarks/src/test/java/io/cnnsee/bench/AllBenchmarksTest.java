package io.cnnsee.bench;

import io.cnnsee.bench.AllBenchmarks.Settings;
import io.cnnsee.bench.AllBenchmarks.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.runner.options.Options;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllBenchmarksTest {

    private static final LocalDateTime NOW = LocalDateTime.of(2026, 11, 26, 7, 5, 9);

    @Test
    void byDefaultRunsEverythingAsAnnotatedIntoAFolderNamedByTheTime() {
        Settings settings = Settings.parse(List.of(), NOW);

        assertThat(settings.out()).isEqualTo(Path.of("benchmark-results", "2026-11-26T07-05-09"));
        assertThat(settings.quick()).isFalse();
        assertThat(settings.steps()).containsExactly(Step.JMH, Step.PAIRED, Step.MEMORY);
        Options jmh = settings.jmhOptions();
        assertThat(jmh.getIncludes()).containsExactly("io\\.cnnsee\\.bench\\.");
        assertThat(jmh.getResult().get()).isEqualTo(Path.of("benchmark-results", "2026-11-26T07-05-09", "jmh.json").toString());
        // Iterations, modes and parameters as the benchmarks' annotations say.
        assertThat(jmh.getWarmupIterations().hasValue()).isFalse();
        assertThat(jmh.getMeasurementIterations().hasValue()).isFalse();
        assertThat(jmh.getBenchModes()).isEmpty();
        assertThat(jmh.getParameter("batch").hasValue()).isFalse();
        assertThat(settings.pairedArguments()).containsExactly("15");
        assertThat(settings.memoryArguments(false)).containsExactly("notop", "500");
        assertThat(settings.memoryArguments(true)).containsExactly("top", "500");
    }

    @Test
    void quickRunsEachBenchmarkOnceWithoutTheSlowestParameters() {
        Settings settings = Settings.parse(List.of("--quick", "--out", "x", "--only", "jmh, Memory", "--include", "Inspect"), NOW);

        assertThat(settings.out()).isEqualTo(Path.of("x"));
        assertThat(settings.steps()).isEqualTo(EnumSet.of(Step.JMH, Step.MEMORY));
        Options jmh = settings.jmhOptions();
        assertThat(jmh.getIncludes()).containsExactly("Inspect");
        assertThat(jmh.getWarmupIterations().get()).isZero();
        assertThat(jmh.getMeasurementIterations().get()).isOne();
        assertThat(jmh.getBenchModes()).containsExactly(Mode.SingleShotTime);
        assertThat(jmh.getParameter("batch").get()).containsExactly("1");
        assertThat(jmh.getParameter("n").get()).containsExactly("2048");
        assertThat(jmh.getForkCount().hasValue()).isFalse(); // forks as annotated: the plain build needs its own JVM
        assertThat(settings.pairedArguments()).containsExactly("1");
        assertThat(settings.memoryArguments(true)).containsExactly("top", "3");
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertThatThrownBy(() -> Settings.parse(List.of("--fast"), NOW)).hasMessage("Unknown argument '--fast'");
        assertThatThrownBy(() -> Settings.parse(List.of("--out"), NOW)).hasMessage("--out needs a value");
        assertThatThrownBy(() -> Settings.parse(List.of("--out", "--quick"), NOW)).hasMessage("--out needs a value");
        assertThatThrownBy(() -> Settings.parse(List.of("--only", "jmh,speed"), NOW))
                .hasMessage("--only takes jmh, paired or memory, not 'speed'");
    }

    @Test
    void resultsGoOnlyIntoANewOrEmptyFolder(@TempDir Path dir) throws Exception {
        Folders.requireNewOrEmpty(dir.resolve("new"));
        Folders.requireNewOrEmpty(dir);
        Files.writeString(dir.resolve("jmh.md"), "earlier");

        assertThatThrownBy(() -> Folders.requireNewOrEmpty(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir + " already holds files: name a new or empty folder with --out, so that earlier results are kept as they are");
        assertThatThrownBy(() -> Folders.requireNewOrEmpty(dir.resolve("jmh.md")))
                .hasMessage(dir.resolve("jmh.md") + " is a file, not a folder: name a new folder with --out");
    }

    @Test
    void pairedProgressNamesEachComparisonOnce() {
        AllBenchmarks.ComparisonNames names = new AllBenchmarks.ComparisonNames();
        List<String> shown = new ArrayList<>();
        for (String line : List.of("native build: linux-x86_64-onednn, loaded: /x/libnd4jcpu.so", "ms, a vs b, round -2: 1.0 vs 2.0",
                "ms, a vs b, round -1: 1.0 vs 2.0", "ms, a vs b, round 0: 1.0 vs 2.0", "GFLOP/s: c vs d, round -2: 3.0 vs 4.0")) {
            Optional.ofNullable(names.apply(line)).ifPresent(shown::add);
        }
        assertThat(shown).containsExactly("ms, a vs b", "GFLOP/s: c vs d");
    }

    @Test
    void jmhResultsMakeTheTableOfPerformanceMd() {
        String table = JmhTable.table(List.of(
                new JmhTable.Row("ForwardBenchmark.forward", "batch=1, top=false", 48.24, 47.6, 53.25, "ms/op", 1),
                new JmhTable.Row("InspectBenchmark.inspectFromTwoThreads", "", 135.66, 132.8, 136.8, "ms/op", 2)));

        assertThat(table).isEqualTo("""
                | benchmark | parameters | median | range | unit | threads |
                | --- | --- | ---: | ---: | --- | ---: |
                | ForwardBenchmark.forward | batch=1, top=false | 48.2 | 47.6 – 53.3 | ms/op | 1 |
                | InspectBenchmark.inspectFromTwoThreads |  | 135.7 | 132.8 – 136.8 | ms/op | 2 |
                """);
    }

    @Test
    void aStepInAJvmOfItsOwnKeepsItsOutputAndLogAndSaysWhenItFails(@TempDir Path dir) throws Exception {
        List<String> failed = new ArrayList<>();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            AllBenchmarks.runJvm(Exits.class, List.of("0"), dir.resolve("ok.md"), dir.resolve("ok.log"), out, line -> null, failed);
            AllBenchmarks.runJvm(Exits.class, List.of("3"), dir.resolve("bad.md"), dir.resolve("bad.log"), out,
                    line -> "seen " + line, failed);
        }

        assertThat(dir.resolve("ok.md")).hasContent("out: 0");
        assertThat(dir.resolve("ok.log")).hasContent("err: 0");
        assertThat(dir.resolve("bad.md")).hasContent("out: 3");
        assertThat(console.toString(StandardCharsets.UTF_8)).isEqualTo("    seen err: 3" + System.lineSeparator());
        assertThat(failed).containsExactly("Exits 3 (exit 3; see bad.log)");
    }

    /** The command itself, briefly: one JMH benchmark and both memory reports, each in JVMs of their own. */
    @Test
    void quickRunKeepsEveryResultInItsFolder(@TempDir Path dir) throws Exception {
        System.setProperty("jmh.ignoreLock", "true"); // not a measurement: a benchmark run elsewhere may go on
        Path out = dir.resolve("results");
        Settings settings = Settings.parse(List.of("--quick", "--out", out.toString(), "--only", "jmh,memory",
                "--include", "InspectBenchmark\\.preprocessing$"), NOW);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream elsewhere = new ByteArrayOutputStream();
        PrintStream systemOut = System.out;
        PrintStream systemErr = System.err;
        int exit;
        boolean restored;
        try (PrintStream progress = new PrintStream(console, true, StandardCharsets.UTF_8);
             PrintStream stray = new PrintStream(elsewhere, true, StandardCharsets.UTF_8)) {
            System.setOut(stray);
            System.setErr(stray);
            exit = AllBenchmarks.run(settings, progress);
            restored = System.out == stray && System.err == stray;
        } finally {
            System.setOut(systemOut);
            System.setErr(systemErr);
        }

        String shown = console.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(shown).isZero();
        assertThat(shown).contains("[1/3] JMH", "    1. InspectBenchmark.preprocessing", "1 results: " + out.resolve("jmh.md"),
                "[2/3] MemoryReport without top, 3 inspections", "[3/3] MemoryReport with top, 3 inspections", "Done in");
        assertThat(Files.readString(out.resolve("machine.md"))).contains("| run | quick:", "| processor |", "| Java |")
                .containsPattern("\\| date \\| \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d) \\|");
        assertThat(Files.readString(out.resolve("jmh.json"))).contains("\"benchmark\" : \"io.cnnsee.bench.InspectBenchmark.preprocessing\"");
        assertThat(Files.readAllLines(out.resolve("jmh.md"))).hasSize(3).element(2).asString()
                .matches("\\| InspectBenchmark\\.preprocessing \\|  \\| [0-9.]+ \\| [0-9.]+ – [0-9.]+ \\| ms/op \\| 1 \\|");
        // What the fork printed (JMH passes it to System.out) is in the log, not between the progress lines.
        assertThat(Files.readString(out.resolve("jmh.log"))).contains("# Benchmark: io.cnnsee.bench.InspectBenchmark.preprocessing")
                .containsPattern("native build: [^,]*, loaded: .*libnd4jcpu\\.so");
        assertThat(shown + elsewhere.toString(StandardCharsets.UTF_8)).doesNotContain("native build");
        assertThat(restored).as("System.out and System.err given back after JMH").isTrue();
        for (String model : List.of("notop", "top")) {
            String memory = Files.readString(out.resolve("memory-" + model + ".md"));
            assertThat(memory).contains("| inspections | heap after GC | resident |", "3 inspections in", "peak heap");
            assertThat(memory.lines().filter(l -> l.matches("\\| [123] \\| [0-9.]+ MB \\| [0-9]+ MB \\|"))).hasSize(3);
        }
        assertThat(out.resolve("paired.md")).doesNotExist();
    }
}
