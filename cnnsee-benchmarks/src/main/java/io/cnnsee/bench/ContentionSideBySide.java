package io.cnnsee.bench;

import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.Dl4jZoo;
import io.cnnsee.dl4j.ZooWeights;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The zoo ResNet50's forward pass on a quiet machine and beside two busy processes (each a core's
 * worth of spinning), with OpenMP's default wait policy and with {@code OMP_WAIT_POLICY=PASSIVE}:
 * whether a busy machine slows cnnsee in proportion or by many times. OpenMP reads the policy from
 * the environment when it starts, so each setting runs in a JVM of its own; the four take turns in
 * every round.
 * <pre>
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.ContentionSideBySide [ROUNDS] [PASSES]
 * </pre>
 */
public final class ContentionSideBySide {

    private ContentionSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Integer.parseInt(args[1]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        Map<String, List<Double>> times = new LinkedHashMap<>();
        String[] policies = {"default", "PASSIVE"};
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 4; i++) {
                int k = (i + r) % 4;
                String policy = policies[k % 2];
                boolean busy = k >= 2;
                String name = (busy ? "beside two busy processes" : "quiet") + ", OMP_WAIT_POLICY " + policy;
                List<Double> t = run(policy, busy, passes);
                times.computeIfAbsent(name, n -> new ArrayList<>()).addAll(t);
                System.err.printf(Locale.ROOT, "round %d, %s: median %.1f ms%n", r, name, Paired.quantile(t, 0.5));
            }
        }
        System.out.println(Machine.describe(false));
        StringBuilder s = new StringBuilder("| ResNet50 (zoo) forward, five taps, 2 threads | median ms | upper quartile ms |\n| --- | ---: | ---: |\n");
        for (var e : times.entrySet()) {
            s.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", e.getKey(), Paired.quantile(e.getValue(), 0.5),
                    Paired.quantile(e.getValue(), 0.75)));
        }
        System.out.println(s.append(String.format(Locale.ROOT, "%n%d rounds of %d passes each, the four settings taking turns.%n",
                rounds, passes)));
    }

    /** One setting in a JVM of its own, beside two spinning processes where {@code busy}. */
    private static List<Double> run(String policy, boolean busy, int passes) throws Exception {
        List<Process> load = new ArrayList<>();
        try {
            if (busy) {
                for (int i = 0; i < 2; i++) {
                    load.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
                }
            }
            ProcessBuilder pb = new ProcessBuilder(Path.java(), "-cp", System.getProperty("java.class.path"),
                    ContentionSideBySide.class.getName(), "child", Integer.toString(passes));
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            if (!policy.equals("default")) {
                pb.environment().put("OMP_WAIT_POLICY", policy);
            } else {
                pb.environment().remove("OMP_WAIT_POLICY");
            }
            Process child = pb.start();
            List<Double> t = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("pass ")) {
                        t.add(Double.parseDouble(line.substring(5)));
                    }
                }
            }
            if (child.waitFor() != 0 || t.size() != passes) {
                throw new IllegalStateException("the child JVM (" + policy + ") gave " + t.size() + " of " + passes + " passes");
            }
            return t;
        } finally {
            load.forEach(Process::destroyForcibly);
        }
    }

    /** Warms up, then prints each pass's milliseconds. */
    private static void child(int passes) {
        Dl4jModel model = Dl4jZoo.model("resnet50", ZooWeights.random(42));
        BufferedImage picture = Pictures.noise(224, 224, 1);
        for (int i = 0; i < 10; i++) {
            model.forward(picture, model.taps());
        }
        for (int i = 0; i < passes; i++) {
            long start = System.nanoTime();
            model.forward(picture, model.taps());
            System.out.printf(Locale.ROOT, "pass %.3f%n", (System.nanoTime() - start) / 1e6);
        }
        model.close();
    }

    /** Where this JVM's java is. */
    private static final class Path {
        static String java() {
            return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }
}
