package io.cnnsee.bench;

import io.cnnsee.dl4j.NativeBuild;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What the numbers were measured on, as a Markdown table: they mean little without it. */
final class Machine {

    private Machine() {
    }

    static String describe(boolean quick) {
        Runtime runtime = Runtime.getRuntime();
        String flags = field("/proc/cpuinfo", "flags").orElse("");
        String processor = field("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch"))
                + ", " + runtime.availableProcessors() + " cores seen by Java"
                + (flags.isEmpty() ? "" : ", AVX-512 " + (List.of(flags.split(" ")).contains("avx512f") ? "yes" : "no"));
        String memory = field("/proc/meminfo", "MemTotal")
                .map(kb -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(kb.replaceAll("[^0-9]", "")) / 1048576.0))
                .orElse("not known");
        String picture = Files.isRegularFile(Pictures.SAMPLE) ? Pictures.SAMPLE.toString()
                : "noise of the sample's size (" + Pictures.SAMPLE + " not found from " + Path.of("").toAbsolutePath() + ")";
        return "| | |\n| --- | --- |\n"
                + row("date", ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                + row("run", quick ? "quick: every benchmark once, to check that it runs; the numbers mean nothing" : "full")
                + row("processor", processor)
                + row("memory", memory)
                + row("system", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"))
                + row("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
                + row("picture", picture);
    }

    /**
     * "native build: linux-x86_64-onednn, loaded: /.../libnd4jcpu.so", which each JVM that measures
     * prints once (JMH keeps it in jmh.log) to tie its numbers to the build it ran.
     */
    static String nativeBuild() {
        return "native build: " + NativeBuild.selected().orElse("?") + ", loaded: " + NativeBuild.loadedLibrary().orElse("(not known)");
    }

    private static String row(String key, String value) {
        return "| " + key + " | " + value + " |\n";
    }

    /** The value after the colon of the first line of {@code file} starting with {@code key}. */
    private static Optional<String> field(String file, String key) {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(path)) {
            return lines.filter(l -> l.startsWith(key)).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
