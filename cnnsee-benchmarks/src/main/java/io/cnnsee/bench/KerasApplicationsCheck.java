package io.cnnsee.bench;

import io.cnnsee.ImageInput;
import io.cnnsee.MapShape;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.GraphModel;
import io.cnnsee.dl4j.GraphModelBuilder;
import io.cnnsee.dl4j.KerasModels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Every keras.applications network from its configuration as Keras 3 or tf-keras writes it (no
 * weights: {@code shared/fixtures/keras-applications}), built by cnnsee with random weights: what
 * runs outside oneDNN, and how long a forward pass takes with the default taps and with the class
 * scores alone, 2 threads. TensorFlow cannot be installed here, so there is nothing beside it.
 * <pre>
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.KerasApplicationsCheck ../shared/fixtures/keras-applications [PASSES]
 * </pre>
 */
public final class KerasApplicationsCheck {

    private KerasApplicationsCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println(Machine.describe(false));
        System.out.println("| network | written by | input | layers outside oneDNN | ms, default taps | ms, class scores only |");
        System.out.println("| --- | --- | --- | --- | ---: | ---: |");
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(f -> f.toString().endsWith(".json.gz")).sorted(Comparator.comparing(Path::toString)).toList();
        }
        for (Path f : files) {
            String[] parts = f.getFileName().toString().split("\\.");
            GraphModelBuilder b = KerasModels.untrained(f, 1);
            MapShape declared = b.declaredInput().orElse(new MapShape(3, 224, 224));
            try (GraphModel model = b.input(ImageInput.raw(declared.height()).withSize(declared.height(), declared.width())).build()) {
                float[] x = new float[3 * declared.height() * declared.width()];
                SplittableRandom random = new SplittableRandom(1);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextDouble(255);
                }
                List<Tap> classes = List.of(model.classifier());
                model.forward(x, model.taps());
                model.forward(x, classes);
                List<Double> taps = new ArrayList<>();
                List<Double> scores = new ArrayList<>();
                for (int p = 0; p < passes; p++) {
                    long t0 = System.nanoTime();
                    model.forward(x, model.taps());
                    taps.add((System.nanoTime() - t0) / 1e6);
                    t0 = System.nanoTime();
                    model.forward(x, classes);
                    scores.add((System.nanoTime() - t0) / 1e6);
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %dx%d | %s | %.1f | %.1f |%n", parts[0], parts[1].equals("keras3") ? "Keras 3"
                        : "tf-keras", declared.height(), declared.width(), model.fallbackLayers().isEmpty() ? "none"
                        : String.valueOf(model.fallbackLayers().size()), TorchvisionCheck.median(taps), TorchvisionCheck.median(scores));
            } catch (RuntimeException e) {
                System.out.println("| " + parts[0] + " | " + parts[1] + " | | failed: " + e.getMessage().replace("|", "/") + " | | |");
            }
        }
    }
}
