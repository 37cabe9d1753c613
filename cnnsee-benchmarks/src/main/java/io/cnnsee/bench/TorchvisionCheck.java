package io.cnnsee.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.cnnsee.ImageInput;
import io.cnnsee.MapShape;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.GraphModel;
import io.cnnsee.dl4j.OnnxModels;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * torchvision's networks as PyTorch exports them to ONNX, read by cnnsee: whether each reads, what
 * runs outside oneDNN, cnnsee's block outputs and logits against PyTorch's own (error relative to
 * each tensor's largest value), top-5 equal, and the forward pass with the default taps beside ONNX
 * Runtime Java on the same file and input, 2 threads each, interleaved in rounds. Benchmark-only:
 * <pre>
 * /usr/bin/python3 cnnsee-benchmarks/scripts/torchvision_models.py /tmp/tv     # once: random weights, seed 0
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.TorchvisionCheck /tmp/tv [ROUNDS] [PASSES]
 * </pre>
 */
public final class TorchvisionCheck {

    private TorchvisionCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.println(Machine.describe(false));
        System.out.println("| network | read | outside oneDNN | worst block (of its largest) | logits (of largest) | top-5 equal "
                + "| cnnsee ms, default taps | cnnsee ms, logits only | ONNX Runtime ms | cnnsee (taps) / ORT |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(f -> f.toString().endsWith(".onnx")).sorted(Comparator.comparing(Path::toString)).toList();
        }
        for (Path onnx : files) {
            System.out.println(row(onnx, rounds, passes));
        }
    }

    private static String row(Path onnx, int rounds, int passes) throws Exception {
        String name = onnx.getFileName().toString().replace(".onnx", "");
        JsonNode meta = new ObjectMapper().readTree(onnx.resolveSibling(name + ".taps.json").toFile());
        int size = meta.get("size").asInt();
        float[] input = floats(onnx.resolveSibling(name + ".input.f32"));
        float[] logits = floats(onnx.resolveSibling(name + ".logits.f32"));
        GraphModel model;
        try {
            model = OnnxModels.builder(onnx).input(ImageInput.torch(size)).build();
        } catch (IllegalArgumentException e) {
            return "| " + name + " | no: " + e.getMessage().replace("|", "/") + " | | | | | | | | |";
        }
        try (model) {
            List<Tap> taps = new ArrayList<>();
            List<float[]> expected = new ArrayList<>();
            var fields = meta.get("taps").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                String prefix = "/" + e.getKey() + "/";
                Tap last = null;
                for (Tap t : model.allTaps()) {
                    if (t.layerName().startsWith(prefix)) {
                        last = t;
                    }
                }
                if (last != null) {
                    taps.add(last);
                    expected.add(floats(onnx.resolveSibling(name + "." + e.getKey() + ".f32")));
                }
            }
            taps.add(Tap.of("logits", new MapShape(logits.length, 1, 1)));
            expected.add(logits);
            float[][] got = model.forward(input, taps);
            double worstTap = 0;
            for (int i = 0; i < taps.size() - 1; i++) {
                worstTap = Math.max(worstTap, relative(got[i], expected.get(i)));
            }
            double logitError = relative(got[taps.size() - 1], logits);
            boolean top5 = Arrays.equals(top5(got[taps.size() - 1]), top5(logits));
            List<String> outside = model.fallbackLayers();

            List<Tap> defaults = model.taps();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(2);
                options.setInterOpNumThreads(1);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                try (OrtSession session = env.createSession(onnx.toString(), options)) {
                    String in = session.getInputNames().iterator().next();
                    float[] ortLogits = ort(env, session, in, input, size);
                    double ortError = relative(ortLogits, logits);
                    List<Double> ours = new ArrayList<>();
                    List<Double> oursLogits = new ArrayList<>();
                    List<Double> theirs = new ArrayList<>();
                    List<Tap> logitsOnly = List.of(taps.get(taps.size() - 1));
                    model.forward(input, defaults);
                    model.forward(input, logitsOnly);
                    for (int r = 0; r < rounds; r++) {
                        for (int p = 0; p < passes; p++) {
                            long t0 = System.nanoTime();
                            model.forward(input, defaults);
                            ours.add((System.nanoTime() - t0) / 1e6);
                        }
                        for (int p = 0; p < passes; p++) {
                            long t0 = System.nanoTime();
                            model.forward(input, logitsOnly);
                            oursLogits.add((System.nanoTime() - t0) / 1e6);
                        }
                        for (int p = 0; p < passes; p++) {
                            long t0 = System.nanoTime();
                            ort(env, session, in, input, size);
                            theirs.add((System.nanoTime() - t0) / 1e6);
                        }
                    }
                    double a = median(ours);
                    double b = median(theirs);
                    return String.format(Locale.ROOT, "| %s | yes | %s | %.1e | %.1e | %s | %.1f | %.1f | %.1f%s | %.2f |", name,
                            outside.isEmpty() ? "none" : outside.size() + " (" + String.join(", ", outside.subList(0, Math.min(3, outside.size())))
                                    + (outside.size() > 3 ? " ..." : "") + ")", worstTap, logitError, top5 ? "yes" : "no", a, median(oursLogits), b,
                            ortError > 1e-3 ? String.format(Locale.ROOT, " (its logits off by %.1e)", ortError) : "", a / b);
                }
            }
        }
    }

    private static float[] ort(OrtEnvironment env, OrtSession session, String in, float[] input, int size) throws Exception {
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 3, size, size});
             OrtSession.Result result = session.run(Map.of(in, x))) {
            FloatBuffer values = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] copy = new float[values.remaining()];
            values.get(copy);
            return copy;
        }
    }

    static float[] floats(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    /** The largest difference, relative to the largest magnitude of {@code expected}. */
    static double relative(float[] got, float[] expected) {
        if (got.length != expected.length) {
            return Double.POSITIVE_INFINITY;
        }
        double largest = 1e-12;
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            largest = Math.max(largest, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(got[i] - expected[i]));
        }
        return worst / largest;
    }

    static int[] top5(float[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (x, y) -> Float.compare(v[y], v[x]));
        return new int[] {idx[0], idx[1], idx[2], idx[3], idx[4]};
    }

    static double median(List<Double> t) {
        List<Double> s = new ArrayList<>(t);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
