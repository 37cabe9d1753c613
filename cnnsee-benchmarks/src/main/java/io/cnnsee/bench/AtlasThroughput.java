package io.cnnsee.bench;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.InspectableModel;
import io.cnnsee.atlas.AtlasSummary;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.spark.SparkAtlas;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pictures a second of the atlas on Spark's local[*] against the same pictures through today's
 * single-process inspector (`FeatureMapInspector.run` one after another: pass, five taps, ranking,
 * grids), VGG16 with random weights, the two taking turns in rounds in one JVM. Spark's context is
 * made once, before the rounds.
 * <pre>
 * java @cnnsee-spark/java17-opens.txt -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.AtlasThroughput [PICTURES=120] [ROUNDS=3]
 * </pre>
 */
public final class AtlasThroughput {

    private AtlasThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 120;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.println(table(n, rounds));
    }

    /** The comparison as a Markdown table. */
    static String table(int n, int rounds) throws Exception {
        Path dir = Files.createTempDirectory("cnnsee-atlas-throughput");
        try {
            List<Path> pictures = pictures(dir, n);
            InspectableModel model = randomVgg16();
            FeatureMapInspector inspector = FeatureMapInspector.builder().model(model).build();
            SparkAtlas.useInThisJvm("vgg16-random", model);
            // The factory travels to executors (here none: local tasks use the model above).
            SparkAtlas atlas = SparkAtlas.builder(AtlasThroughput::randomVgg16, "vgg16-random").top(9).build();
            SparkConf conf = new SparkConf().setMaster("local[*]").setAppName("atlas throughput").set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
            List<Double> inspectorRates = new ArrayList<>();
            List<Double> sparkRates = new ArrayList<>();
            List<String> names = pictures.stream().map(Path::toString).toList();
            try (JavaSparkContext sc = new JavaSparkContext(conf)) {
                for (int r = -1; r < rounds; r++) { // round -1 warms both up
                    boolean sparkFirst = r % 2 == 0;
                    double a = 0;
                    double b = 0;
                    for (int side = 0; side < 2; side++) {
                        long start = System.nanoTime();
                        if (sparkFirst == (side == 0)) {
                            AtlasSummary s = atlas.run(sc, names);
                            if (s.pictures() != n) {
                                throw new IllegalStateException(s.pictures() + " pictures collected of " + n);
                            }
                            b = n / ((System.nanoTime() - start) / 1e9);
                        } else {
                            for (Path p : pictures) {
                                inspector.run(p);
                            }
                            a = n / ((System.nanoTime() - start) / 1e9);
                        }
                    }
                    if (r >= 0) {
                        inspectorRates.add(a);
                        sparkRates.add(b);
                    }
                    System.err.printf(Locale.ROOT, "round %d: inspector %.2f, atlas on local[*] %.2f pictures a second%n", r, a, b);
                }
            }
            model.close();
            double inspect = Paired.quantile(inspectorRates, 0.5);
            double spark = Paired.quantile(sparkRates, 0.5);
            return String.format(Locale.ROOT, "| %d pictures, VGG16, 2 cores | pictures a second, median of %d rounds |%n"
                    + "| --- | ---: |%n| single-process inspector, one after another | %.2f |%n| atlas on Spark local[*] | %.2f |%n"
                    + "| atlas / inspector | %.2f |%n", n, rounds, inspect, spark, spark / inspect);
        } finally {
            Folders.delete(dir);
        }
    }

    static InspectableModel randomVgg16() {
        return Vgg16.builder().weights(Vgg16Weights.random(42)).build();
    }

    /** {@code n} copies of the sample picture (noise of its size without it), as PNG files. */
    static List<Path> pictures(Path dir, int n) throws Exception {
        BufferedImage sample = Pictures.sample();
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path file = dir.resolve(String.format(Locale.ROOT, "p%05d.png", i));
            if (i == 0) {
                ImageIO.write(sample, "png", file.toFile());
            } else {
                Files.copy(out.get(0), file);
            }
            out.add(file);
        }
        return out;
    }
}
