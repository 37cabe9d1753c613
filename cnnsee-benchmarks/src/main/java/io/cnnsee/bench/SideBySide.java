package io.cnnsee.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.cnnsee.FeatureMap;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * VGG16's five block taps for one 224 x 224 picture, on 2 threads, in cnnsee (its oneDNN pass,
 * Winograd and direct), ONNX Runtime Java and PyTorch (channels last, oneDNN; a Python process of
 * its own), interleaved in rounds in one run, so that the machine's drift from minute to minute
 * falls on all alike. Each pass copies the five taps out as float arrays. Random weights: the same
 * work as trained ones.
 * <pre>
 * /usr/bin/python3 cnnsee-benchmarks/scripts/torch_vgg16.py export vgg16-taps.onnx   # once, benchmark-only
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.SideBySide vgg16-taps.onnx [ROUNDS] [PASSES]
 * </pre>
 * Without Python and torch ({@code -Dcnnsee.python=...} names another interpreter), the PyTorch
 * row is left out and the reason printed.
 */
public final class SideBySide {

    private static final String SCRIPT = "cnnsee-benchmarks/scripts/torch_vgg16.py";

    private SideBySide() {
    }

    /** One engine: a pass with the taps copied out, timed by itself. */
    interface Engine extends AutoCloseable {
        String name();

        /** The milliseconds of {@code passes} passes, one by one. */
        List<Double> run(int passes) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SideBySide VGG16_TAPS.onnx [ROUNDS=12] [PASSES=5]   (the ONNX file from " + SCRIPT + " export)");
            System.exit(2);
        }
        Path onnx = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        List<Engine> engines = new ArrayList<>();
        engines.add(cnnsee(ConvolutionAlgorithm.WINOGRAD));
        engines.add(cnnsee(ConvolutionAlgorithm.DIRECT));
        engines.add(onnxRuntime(onnx));
        try {
            engines.add(PyTorch.start(Path.of(SCRIPT)));
        } catch (IOException e) {
            System.err.println("PyTorch left out: " + e.getMessage());
        }
        Map<String, List<Double>> times = interleave(engines, rounds, passes);
        System.out.println(Machine.describe(false));
        System.out.println(Machine.nativeBuild());
        System.out.println();
        System.out.println(table("VGG16, 224 x 224, five taps copied out, 2 threads", times, rounds, passes));
    }

    /**
     * Every engine's pass times over {@code rounds} rounds of {@code passes} passes, after two
     * rounds of warming up, the engines taking every place in turn; then closes them.
     */
    static Map<String, List<Double>> interleave(List<Engine> engines, int rounds, int passes) throws Exception {
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (Engine e : engines) {
            if (times.put(e.name(), new ArrayList<>()) != null) {
                throw new IllegalArgumentException("Two engines are named " + e.name() + ": their times would mix");
            }
        }
        for (int r = -2; r < rounds; r++) {
            for (int i = 0; i < engines.size(); i++) {
                Engine e = engines.get(Math.floorMod(i + r, engines.size()));
                List<Double> t = e.run(passes);
                if (r >= 0) {
                    times.get(e.name()).addAll(t);
                }
                System.err.printf(Locale.ROOT, "round %d, %s: median %.1f ms%n", r, e.name(), Paired.quantile(t, 0.5));
            }
        }
        for (Engine e : engines) {
            e.close();
        }
        return times;
    }

    /** Median and quartiles per engine, and each median against cnnsee's first. */
    static String table(String title, Map<String, List<Double>> times, int rounds, int passes) {
        StringBuilder s = new StringBuilder("| " + title + " | median ms | quartiles | against cnnsee |\n"
                + "| --- | ---: | ---: | ---: |\n");
        double base = Double.NaN;
        for (var e : times.entrySet()) {
            double median = Paired.quantile(e.getValue(), 0.5);
            if (Double.isNaN(base)) {
                base = median;
            }
            s.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f – %.1f | %.2f |%n", e.getKey(), median,
                    Paired.quantile(e.getValue(), 0.25), Paired.quantile(e.getValue(), 0.75), median / base));
        }
        return s.append(String.format(Locale.ROOT, "%n%d rounds of %d passes each, the engines taking turns in every order.%n",
                rounds, passes)).toString();
    }

    static Engine cnnsee(ConvolutionAlgorithm convolutions) {
        Vgg16Model model = Vgg16.builder().convolutions(convolutions).weights(Vgg16Weights.random(42)).build();
        BufferedImage picture = Pictures.noise(224, 224, 1);
        String name = "cnnsee " + convolutions.name().toLowerCase(Locale.ROOT);
        return new Engine() {
            public String name() {
                return name;
            }

            public List<Double> run(int passes) {
                return timed(passes, () -> model.forward(picture, model.taps()), 5);
            }

            public void close() {
                model.close();
            }
        };
    }

    /** The milliseconds of each of {@code passes} calls of {@code pass}, which must give {@code taps} maps. */
    static List<Double> timed(int passes, java.util.function.Supplier<List<FeatureMap>> pass, int taps) {
        List<Double> t = new ArrayList<>();
        for (int i = 0; i < passes; i++) {
            long start = System.nanoTime();
            List<FeatureMap> maps = pass.get();
            t.add((System.nanoTime() - start) / 1e6);
            if (maps.size() != taps) {
                throw new IllegalStateException(taps + " taps expected, not " + maps.size());
            }
        }
        return t;
    }

    static Engine onnxRuntime(Path onnx) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(2);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        OrtSession session = env.createSession(onnx.toString(), options);
        float[] input = new float[3 * 224 * 224];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextDouble();
        }
        String inputName = session.getInputNames().iterator().next();
        String name = "ONNX Runtime Java " + env.getVersion();
        return new Engine() {
            public String name() {
                return name;
            }

            public List<Double> run(int passes) throws OrtException {
                List<Double> t = new ArrayList<>();
                for (int i = 0; i < passes; i++) {
                    long start = System.nanoTime();
                    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 3, 224, 224});
                         OrtSession.Result result = session.run(Map.of(inputName, x))) {
                        for (var output : result) {
                            FloatBuffer values = ((OnnxTensor) output.getValue()).getFloatBuffer();
                            float[] copy = new float[values.remaining()];
                            values.get(copy);
                        }
                    }
                    t.add((System.nanoTime() - start) / 1e6);
                }
                return t;
            }

            public void close() throws OrtException {
                session.close();
                options.close();
            }
        };
    }

    /** PyTorch in a Python process of its own, asked for passes line by line. */
    static final class PyTorch implements Engine {
        private final Process process;
        private final PrintWriter in;
        private final BufferedReader out;
        private final String name;

        private PyTorch(Process process, BufferedReader out, String ready) {
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            this.out = out;
            this.name = "PyTorch " + ready.replaceFirst("^ready torch (\\S+),.*", "$1") + " (channels last)";
        }

        static PyTorch start(Path script) throws IOException {
            if (!Files.isRegularFile(script)) {
                throw new IOException(script + " not found from " + Path.of("").toAbsolutePath());
            }
            // Debian's python3 has Debian's torch; another python3 first on the PATH (pyenv) may not.
            String python = System.getProperty("cnnsee.python",
                    Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
            Process p = new ProcessBuilder(python, script.toString(), "serve").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String ready = reader.readLine();
            if (ready == null || !ready.startsWith("ready")) {
                p.destroy();
                throw new IOException("python3 " + script + " serve did not start (needs Debian's python3-torch and python3-torchvision)");
            }
            return new PyTorch(p, reader, ready);
        }

        public String name() {
            return name;
        }

        public List<Double> run(int passes) throws IOException {
            in.println(passes);
            String line = out.readLine();
            if (line == null) {
                throw new IOException("the PyTorch process ended");
            }
            List<Double> t = new ArrayList<>();
            for (String v : line.trim().split(" ")) {
                t.add(Double.parseDouble(v));
            }
            return t;
        }

        public void close() {
            in.close();
            process.destroy();
        }
    }
}
