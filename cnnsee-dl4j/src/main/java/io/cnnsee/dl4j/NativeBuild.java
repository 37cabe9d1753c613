package io.cnnsee.dl4j;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses which of ND4J's native builds JavaCPP loads, before it loads one.
 *
 * <p>ND4J ships its natives in builds told apart by a suffix ({@code linux-x86_64},
 * {@code linux-x86_64-onednn}, {@code linux-x86_64-onednn-avx512}, ...), and JavaCPP loads the plain
 * one unless the system property {@code org.bytedeco.javacpp.platform.extension} names another.
 * The oneDNN builds make VGG16's convolutions 5 to 10 times faster (docs/performance.md), so this
 * sets the property to the best build on the class path that the processor can run, unless the
 * user set it. It must run before ND4J's first use; once ND4J is loaded it changes nothing.
 */
public final class NativeBuild {

    /** JavaCPP's system property naming the build suffix. */
    public static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";

    private static final Logger LOG = LoggerFactory.getLogger(NativeBuild.class);

    /** Best first; each with the processor feature it needs ("" for none). */
    private static final List<String[]> PREFERENCE = List.of(
            new String[] {"-onednn-avx512", "avx512f"},
            new String[] {"-onednn-avx2", "avx2"},
            new String[] {"-onednn", ""},
            new String[] {"-avx512", "avx512f"},
            new String[] {"-avx2", "avx2"});

    private static volatile String chosen;

    private NativeBuild() {
    }

    /** Sets {@link #PROPERTY} if the user has not; returns the suffix in force ("" for the plain build). */
    public static synchronized String select() {
        String set = System.getProperty(PROPERTY);
        if (set != null) {
            chosen = set;
            return set;
        }
        String platform = platform();
        String cpuFlags = cpuFlags();
        for (String[] candidate : PREFERENCE) {
            boolean cpuCan = candidate[1].isEmpty() || cpuFlags.contains(" " + candidate[1] + " ");
            if (cpuCan && present(platform + candidate[0])) {
                System.setProperty(PROPERTY, candidate[0]);
                LOG.debug("Using ND4J's {}{} native build", platform, candidate[0]);
                chosen = candidate[0];
                return candidate[0];
            }
        }
        chosen = "";
        return "";
    }

    /** The build chosen by {@link #select()}, e.g. "linux-x86_64-onednn"; empty before. */
    public static Optional<String> selected() {
        String c = chosen;
        return c == null ? Optional.empty() : Optional.of(platform() + c);
    }

    /**
     * Proof of what runs: the path of the ND4J native library this process has loaded, read from
     * the operating system's list of mapped files (Linux only); empty elsewhere or before loading.
     */
    public static Optional<String> loadedLibrary() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(maps)) {
            return lines.filter(l -> l.endsWith("/libnd4jcpu.so")).map(l -> l.substring(l.indexOf('/'))).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean present(String build) {
        String resource = "org/nd4j/linalg/cpu/nativecpu/bindings/" + build + "/" + System.mapLibraryName("jnind4jcpu");
        ClassLoader loader = NativeBuild.class.getClassLoader();
        return loader != null && loader.getResource(resource) != null;
    }

    /** JavaCPP's platform name, without loading anything native. */
    static String platform() {
        String property = System.getProperty("org.bytedeco.javacpp.platform");
        return property != null ? property : org.bytedeco.javacpp.Loader.getPlatform();
    }

    /** The processor's feature flags, space-separated and padded ("" where unknown: then no build needing one is chosen). */
    static String cpuFlags() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "";
        }
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> " " + l.substring(l.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT) + " ").orElse("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
