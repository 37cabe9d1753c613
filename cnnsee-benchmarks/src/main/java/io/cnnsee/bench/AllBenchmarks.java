package io.cnnsee.bench;

import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Every measurement of docs/performance.md in one command, each in JVMs of its own, the outputs kept
 * in one folder:
 *
 * <pre>java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.AllBenchmarks [--quick] [--out DIR]</pre>
 *
 * JMH (every benchmark, about 25 minutes), then {@link Paired} (about 4) and {@link MemoryReport}
 * without and with top (about 2). Run it from the repository's root, so that the benchmarks inspect
 * the README's sample picture. {@code --quick} runs every benchmark once, briefly: to see that the
 * command works, not for numbers.
 */
public final class AllBenchmarks {

    /** What the command runs. */
    enum Step {
        JMH, PAIRED, MEMORY
    }

    static final String USAGE = """
            Usage: java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.AllBenchmarks [options]
              --out DIR         where the results go (default: benchmark-results/<date and time>); a new or empty folder
              --quick           every benchmark once, briefly: checks that everything runs (its numbers mean nothing)
              --only STEPS      some of jmh, paired, memory, comma-separated (default: all three)
              --include REGEX   only the JMH benchmarks whose names match, as JMH's own argument
              --help            this text""";

    /** The command's arguments, read. */
    record Settings(Path out, boolean quick, Set<Step> steps, String include) {

        static Settings parse(List<String> args, LocalDateTime now) {
            Path out = null;
            boolean quick = false;
            Set<Step> steps = EnumSet.allOf(Step.class);
            String include = "io\\.cnnsee\\.bench\\.";
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--quick" -> quick = true;
                    case "--out" -> out = Path.of(value(args, ++i, arg));
                    case "--include" -> include = value(args, ++i, arg);
                    case "--only" -> {
                        steps = EnumSet.noneOf(Step.class);
                        for (String name : value(args, ++i, arg).split(",")) {
                            try {
                                steps.add(Step.valueOf(name.trim().toUpperCase(Locale.ROOT)));
                            } catch (IllegalArgumentException e) {
                                throw new IllegalArgumentException("--only takes jmh, paired or memory, not '" + name.trim() + "'");
                            }
                        }
                    }
                    default -> throw new IllegalArgumentException("Unknown argument '" + arg + "'");
                }
            }
            if (out == null) {
                out = Path.of("benchmark-results", now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss", Locale.ROOT)));
            }
            return new Settings(out, quick, steps, include);
        }

        private static String value(List<String> args, int i, String option) {
            if (i >= args.size() || args.get(i).startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.get(i);
        }

        /** JMH's options: every benchmark as annotated, or, quick, each once. */
        Options jmhOptions() {
            ChainedOptionsBuilder options = new OptionsBuilder().include(include)
                    .resultFormat(ResultFormatType.JSON).result(out.resolve("jmh.json").toString());
            if (quick) {
                // One call per benchmark, in a fork still (the plain-build benchmarks need their own JVM);
                // the slowest parameters left out: a batch of 8 through Deeplearning4j's layers takes 10 s.
                options.warmupIterations(0).measurementIterations(1).mode(Mode.SingleShotTime)
                        .param("batch", "1").param("n", "2048");
            }
            return options.build();
        }

        /** The arguments of Paired's main. */
        List<String> pairedArguments() {
            return List.of(quick ? "1" : "15");
        }

        /** The arguments of MemoryReport's main, for the model without or with top. */
        List<String> memoryArguments(boolean top) {
            return List.of(top ? "top" : "notop", quick ? "3" : "500");
        }
    }

    private AllBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
                System.out.println(USAGE);
                return;
            }
            settings = Settings.parse(List.of(args), LocalDateTime.now());
            Folders.requireNewOrEmpty(settings.out());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(settings, System.out));
    }

    /** Runs what {@code settings} asks for, reporting progress to {@code console}; returns the exit code. */
    static int run(Settings settings, PrintStream console) throws IOException, InterruptedException {
        Path out = settings.out();
        Files.createDirectories(out);
        Files.writeString(out.resolve("machine.md"), Machine.describe(settings.quick()));
        if (!Files.isRegularFile(Pictures.SAMPLE)) {
            console.println("Note: " + Pictures.SAMPLE + " is not under " + Path.of("").toAbsolutePath()
                    + ", so the benchmarks inspect noise of its size; run from the repository's root to measure the sample.");
        }
        console.println("Results go to " + out.toAbsolutePath() + (settings.quick() ? " (quick: the numbers mean nothing)" : ""));
        List<String> failed = new ArrayList<>();
        long start = System.nanoTime();
        int count = settings.steps().contains(Step.MEMORY) ? settings.steps().size() + 1 : settings.steps().size();
        int index = 0;
        if (settings.steps().contains(Step.JMH)) {
            console.printf("[%d/%d] JMH, every benchmark in a fork of its own (%s): %s%n", ++index, count,
                    settings.quick() ? "a few minutes" : "about 25 minutes", out.resolve("jmh.log"));
            PrintStream systemOut = System.out;
            PrintStream systemErr = System.err;
            try (PrintStream log = new PrintStream(Files.newOutputStream(out.resolve("jmh.log")), true, StandardCharsets.UTF_8)) {
                // JMH writes what its forks print to this JVM's System.out and System.err: into the log with the rest.
                System.setOut(log);
                System.setErr(log);
                Collection<RunResult> results = new Runner(settings.jmhOptions(), new JmhProgress(log, console)).run();
                Files.writeString(out.resolve("jmh.md"), JmhTable.markdown(results));
                console.println("    " + results.size() + " results: " + out.resolve("jmh.md"));
            } catch (RunnerException e) {
                failed.add("JMH (" + e.getMessage() + "; see jmh.log)");
            } finally {
                System.setOut(systemOut);
                System.setErr(systemErr);
            }
        }
        if (settings.steps().contains(Step.PAIRED)) {
            console.printf("[%d/%d] Paired, the comparisons round by round (%s): %s%n", ++index, count,
                    settings.quick() ? "about a minute" : "about 4 minutes", out.resolve("paired.md"));
            runJvm(Paired.class, settings.pairedArguments(), out.resolve("paired.md"), out.resolve("paired.log"), console,
                    new ComparisonNames(), failed);
        }
        if (settings.steps().contains(Step.MEMORY)) {
            for (boolean top : new boolean[] {false, true}) {
                String name = top ? "memory-top" : "memory-notop";
                List<String> arguments = settings.memoryArguments(top);
                console.printf("[%d/%d] MemoryReport %s, %s inspections: %s%n", ++index, count,
                        top ? "with top" : "without top", arguments.get(1), out.resolve(name + ".md"));
                runJvm(MemoryReport.class, arguments, out.resolve(name + ".md"), out.resolve(name + ".log"), console,
                        line -> null, failed);
            }
        }
        console.printf(Locale.ROOT, "Done in %.1f minutes.%n", (System.nanoTime() - start) / 60e9);
        if (!failed.isEmpty()) {
            console.println("Failed: " + String.join(", ", failed));
            return 1;
        }
        return 0;
    }

    /**
     * Runs {@code main}'s class in a JVM of its own with this one's class path: its output into
     * {@code output}, its log into {@code log}, and what {@code progress} makes of each log line
     * (null for nothing) on the console.
     */
    static void runJvm(Class<?> main, List<String> arguments, Path output, Path log, PrintStream console,
                       UnaryOperator<String> progress, List<String> failed) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectOutput(output.toFile()).start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
             Writer logFile = Files.newBufferedWriter(log)) {
            for (String line; (line = err.readLine()) != null; ) {
                logFile.write(line);
                logFile.write('\n');
                String shown = progress.apply(line);
                if (shown != null) {
                    console.println("    " + shown);
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0) {
            failed.add(main.getSimpleName() + " " + String.join(" ", arguments) + " (exit " + exit + "; see " + log.getFileName() + ")");
        }
    }

    /** Paired's log names each comparison once per round: shows each comparison once, as it starts. */
    static final class ComparisonNames implements UnaryOperator<String> {
        private String last;

        @Override
        public String apply(String line) {
            int round = line.lastIndexOf(", round ");
            if (round < 0) {
                return null;
            }
            String name = line.substring(0, round);
            if (name.equals(last)) {
                return null;
            }
            last = name;
            return name;
        }
    }
}
