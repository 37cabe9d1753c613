package io.cnnsee.bench;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.TapInspection;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.render.Png;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * cnnsee's PNG encoder against Java's ImageIO writer at its fastest deflate, on what cnnsee writes:
 * a VGG16 report's five grids and picture, and 1000 palette tiles of 112 x 112 cut from block 1's
 * grid, as the browser explorer and the atlas write them (docs/performance.md: why {@code Png} stays).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class PngBenchmark {

    private List<BufferedImage> report;
    private List<BufferedImage> tiles;

    @Setup
    public void setUp() {
        var model = Vgg16.builder().weights(Vgg16Weights.random(42)).build();
        BufferedImage picture = Pictures.sample();
        Inspection inspection = FeatureMapInspector.builder().model(model).build().run(picture, "sample");
        report = new ArrayList<>();
        BufferedImage grid = null;
        for (TapInspection t : inspection.taps()) {
            // As the report writes it: a palette picture when its colours fit in 256.
            BufferedImage written = t.grid().indexedImage().orElse(t.grid().image());
            report.add(written);
            if (grid == null && written.getColorModel() instanceof IndexColorModel) {
                grid = written;
            }
        }
        report.add(picture);
        if (grid == null) {
            throw new IllegalStateException("No grid of the sample fits a palette: the tiles would not be the explorer's");
        }
        tiles = new ArrayList<>();
        int side = 112;
        while (tiles.size() < 1000) {
            for (int y = 0; y + side <= grid.getHeight() && tiles.size() < 1000; y += side / 2) {
                for (int x = 0; x + side <= grid.getWidth() && tiles.size() < 1000; x += side / 2) {
                    BufferedImage tile = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_INDEXED,
                            (IndexColorModel) grid.getColorModel());
                    tile.setData(grid.getSubimage(x, y, side, side).getRaster().createTranslatedChild(0, 0));
                    tiles.add(tile);
                }
            }
        }
        model.close();
    }

    @Benchmark
    public long reportWithPng() {
        return encode(report, true);
    }

    @Benchmark
    public long reportWithImageIo() {
        return encode(report, false);
    }

    @Benchmark
    public long tilesWithPng() {
        return encode(tiles, true);
    }

    @Benchmark
    public long tilesWithImageIo() {
        return encode(tiles, false);
    }

    private static long encode(List<BufferedImage> pictures, boolean ours) {
        long bytes = 0;
        for (BufferedImage p : pictures) {
            bytes += ours ? Png.encode(p).length : imageIo(p).length;
        }
        return bytes;
    }

    /** ImageIO's PNG writer at quality 0.9, its fastest deflate level. */
    static byte[] imageIo(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.9f);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
