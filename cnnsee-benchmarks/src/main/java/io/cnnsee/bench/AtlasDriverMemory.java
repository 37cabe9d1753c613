package io.cnnsee.bench;

import io.cnnsee.ImageInput;
import io.cnnsee.InspectableModel;
import io.cnnsee.atlas.AtlasSummary;
import io.cnnsee.dl4j.Dl4jModels;
import io.cnnsee.spark.SparkAtlas;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The driver's heap after atlases of 1,000 and 20,000 small generated pictures on Spark's
 * local[*] (a small network: the point is what the driver keeps, which should not grow with the
 * pictures): the heap in use after a collection, after each run.
 * <pre>
 * java @cnnsee-spark/java17-opens.txt -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.AtlasDriverMemory [1000 20000]
 * </pre>
 */
public final class AtlasDriverMemory {

    private AtlasDriverMemory() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            sizes.add(Integer.parseInt(a));
        }
        System.out.println(table(sizes.isEmpty() ? List.of(1000, 20000) : sizes));
    }

    static InspectableModel small() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(16).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .setInputType(InputType.convolutional(16, 16, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return Dl4jModels.of(net, ImageInput.unit(16));
    }

    static String table(List<Integer> sizes) throws Exception {
        Path dir = Files.createTempDirectory("cnnsee-atlas-memory");
        try {
            // 50 distinct small pictures, named again and again: the driver sees every name.
            List<String> distinct = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < 50; i++) {
                BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < 256; p++) {
                    image.setRGB(p % 16, p / 16, random.nextInt(1 << 24));
                }
                Path file = dir.resolve("p" + i + ".png");
                ImageIO.write(image, "png", file.toFile());
                distinct.add(file.toString());
            }
            StringBuilder out = new StringBuilder("| pictures | driver heap in use after the run and a collection |\n| ---: | ---: |\n");
            SparkConf conf = new SparkConf().setMaster("local[*]").setAppName("atlas memory").set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
            try (JavaSparkContext sc = new JavaSparkContext(conf)) {
                SparkAtlas atlas = SparkAtlas.builder(AtlasDriverMemory::small, "small").top(9).build();
                for (int n : sizes) {
                    List<String> names = new ArrayList<>(Collections.nCopies(n / distinct.size() + 1, distinct).stream()
                            .flatMap(List::stream).limit(n).toList());
                    AtlasSummary summary = atlas.run(sc, names);
                    if (summary.pictures() != n) {
                        throw new IllegalStateException(summary.pictures() + " of " + n);
                    }
                    names = null;
                    summary = null;
                    out.append(String.format(Locale.ROOT, "| %d | %.1f MB |%n", n, heapAfterCollection() / 1e6));
                }
            }
            return out.toString();
        } finally {
            Folders.delete(dir);
        }
    }

    private static long heapAfterCollection() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
