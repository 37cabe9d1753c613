package io.cnnsee.bench;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMap;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.ImageLoader;
import io.cnnsee.Inspection;
import io.cnnsee.Ranking;
import io.cnnsee.Tap;
import io.cnnsee.TapInspection;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Model;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.render.Grid;
import io.cnnsee.render.GridRenderer;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The full {@code inspect} of one picture (VGG16 without top, five taps, sum ranking, five grids
 * of 12) and its steps one by one, each on the results of the step before, computed once in setup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class InspectBenchmark {

    private Vgg16Model model;
    private FeatureMapInspector inspector;
    private BufferedImage picture;
    private List<FeatureMap> maps;
    private List<Ranking> rankings;
    private List<Grid> grids;
    private Inspection inspection;
    private Path reportDir;
    private List<Tap> lastOnly;
    private Path pictureFile;

    @Setup
    public void setUp() throws IOException {
        model = Vgg16.builder().weights(Vgg16Weights.random(42)).build();
        inspector = FeatureMapInspector.builder().model(model).build();
        picture = Pictures.sample();
        inspection = inspector.run(picture, "sample.png");
        maps = inspection.taps().stream().map(TapInspection::featureMap).toList();
        rankings = inspection.taps().stream().map(TapInspection::ranking).toList();
        grids = inspection.taps().stream().map(TapInspection::grid).toList();
        reportDir = Files.createTempDirectory("cnnsee-bench");
        lastOnly = List.of(model.tap("block5_pool"));
        pictureFile = Pictures.sampleFile();
        System.out.println(Machine.nativeBuild());
    }

    /** Reading the sample's PNG file into a picture, as the command line does before inspecting it. */
    @Benchmark
    public BufferedImage reading() {
        return ImageLoader.defaults().read(pictureFile);
    }

    /** Everything {@code FeatureMapInspector.run} does: preprocessing, forward, taps, ranking, rendering. */
    @Benchmark
    public Inspection inspect() {
        return inspector.run(picture, "sample.png");
    }

    /** The same from two threads at once: what the model's lock costs or gains. Time per call per thread. */
    @Benchmark
    @Threads(2)
    public Inspection inspectFromTwoThreads() {
        return inspector.run(picture, "sample.png");
    }

    /** inspect, then the report folder: what the command line does per picture. */
    @Benchmark
    public Report inspectAndWriteReport() throws IOException {
        return ReportWriter.write(inspector.run(picture, "sample.png"), reportDir);
    }

    @Benchmark
    public float[] preprocessing() {
        return model.networkInput(picture);
    }

    /** Preprocessing, the pass and the copy of the five taps out of the engine. */
    @Benchmark
    public List<FeatureMap> forward() {
        return model.forward(picture, model.taps());
    }

    /**
     * The same pass reading only block5_pool (25 088 values) instead of the five taps (6.1 million):
     * {@link #forward} minus this is what taking the taps out costs (oneDNN's reorders of the five
     * outputs into channel-major order, and their copy into the feature maps' Java arrays).
     */
    @Benchmark
    public List<FeatureMap> forwardWithoutTaps() {
        return model.forward(picture, lastOnly);
    }

    @Benchmark
    public List<Ranking> ranking() {
        List<Ranking> out = new ArrayList<>(maps.size());
        for (FeatureMap map : maps) {
            out.add(ChannelRanker.SUM.top(map, 12));
        }
        return out;
    }

    @Benchmark
    public List<Grid> rendering() {
        GridRenderer renderer = GridRenderer.defaults();
        List<Grid> out = new ArrayList<>(maps.size());
        for (int i = 0; i < maps.size(); i++) {
            out.add(renderer.render(maps.get(i), rankings.get(i)));
        }
        return out;
    }

    @Benchmark
    public int pngEncoding() {
        int bytes = 0;
        for (Grid grid : grids) {
            bytes += grid.toPng().length;
        }
        return bytes;
    }

    /** The report folder from a finished inspection: original picture, five PNGs, Markdown, HTML. */
    @Benchmark
    public Report reportWriting() throws IOException {
        return ReportWriter.write(inspection, reportDir);
    }

    @TearDown
    public void tearDown() throws IOException {
        model.close();
        Folders.delete(reportDir);
    }
}
