package io.cnnsee.bench;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.ImageLoader;
import io.cnnsee.Inspection;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.render.Png;
import io.cnnsee.report.Report;
import io.cnnsee.report.ReportWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A photograph as a phone takes it (4000 x 3000, read from a JPEG file): what reading, inspecting
 * and the report cost when the picture has 89 times the sample's pixels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class PhotographBenchmark {

    private Vgg16Model model;
    private FeatureMapInspector inspector;
    private BufferedImage photograph;
    private Path photographFile;
    private Inspection inspection;
    private Path reportDir;

    @Setup
    public void setUp() throws IOException {
        model = Vgg16.builder().weights(Vgg16Weights.random(42)).build();
        inspector = FeatureMapInspector.builder().model(model).build();
        photographFile = Pictures.photographFile();
        photograph = ImageLoader.defaults().read(photographFile); // as Java decodes a JPEG: 8-bit BGR
        inspection = inspector.run(photograph, "photograph.jpg");
        reportDir = Files.createTempDirectory("cnnsee-bench");
        System.out.println(Machine.nativeBuild());
    }

    /** Reading the JPEG file into a picture, as the command line does. */
    @Benchmark
    public BufferedImage reading() {
        return ImageLoader.defaults().read(photographFile);
    }

    /** {@code inspect} of the photograph as decoded. */
    @Benchmark
    public Inspection inspect() {
        return inspector.run(photograph, "photograph.jpg");
    }

    /** The report folder from a finished inspection; its original.png is the photograph scaled to 1024 x 768. */
    @Benchmark
    public Report reportWriting() throws IOException {
        return ReportWriter.write(inspection, reportDir);
    }

    /** The photograph encoded at full size: what the report's original.png cost before it was scaled down. */
    @Benchmark
    public int fullSizeEncoding() {
        return Png.encode(photograph).length;
    }

    @TearDown
    public void tearDown() throws IOException {
        model.close();
        Folders.delete(reportDir);
        Files.deleteIfExists(photographFile);
    }
}
