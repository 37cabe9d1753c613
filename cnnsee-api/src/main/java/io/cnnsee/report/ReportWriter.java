package io.cnnsee.report;

import io.cnnsee.Inspection;
import io.cnnsee.explore.ExploreWriter;
import io.cnnsee.files.AtomicFiles;
import io.cnnsee.render.Png;
import io.cnnsee.render.Resize;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes an {@link Inspection} as a small article: the picture (scaled down to at most
 * {@link #ORIGINAL_MAX_SIDE} pixels on its longer side), the classes seen and where
 * (Grad-CAM), the first layer's filters, then per block its dimensions, its number of output
 * images, the grid of its best channels and where they fire, each part when the inspection has
 * it. The HTML has its style inline and shows only the PNG files written beside it, so the folder
 * is the whole report. {@link ReportPictures} names the pictures, {@link ReportDescription} says
 * what the report says, once, and {@link HtmlRenderer} and {@link MarkdownRenderer} write it.
 *
 * <p>{@link #writeSanityCheck} writes the same report for two inspections side by side, the
 * second with random weights (Adebayo et al. 2018, "Sanity checks for saliency maps"): what looks
 * the same in both columns does not come from training.
 */
public final class ReportWriter {

    /** File name of the HTML report. */
    public static final String HTML = "report.html";
    /** File name of the Markdown report. */
    public static final String MARKDOWN = "report.md";
    /** File name of the inspected picture. */
    public static final String ORIGINAL = "original.png";
    /**
     * The longest side, in pixels, of the picture as the report shows it ({@value}): a larger
     * picture is scaled down for {@link #ORIGINAL}, and the report gives both sizes. The network
     * sees 224 x 224; a lossless copy of a 12-megapixel photograph would be about 9 MB and take
     * longer to encode than the inspection.
     */
    public static final int ORIGINAL_MAX_SIDE = 1024;

    private ReportWriter() {
    }

    /**
     * Writes the report of {@code inspection} into {@code directory}, creating it if needed.
     * Pictures are written first and the two reports last, each file atomically, so a report that
     * exists never points at a missing picture.
     */
    public static Report write(Inspection inspection, Path directory) throws IOException {
        Objects.requireNonNull(inspection, "inspection");
        Objects.requireNonNull(directory, "directory");
        return write(List.of(inspection), directory);
    }

    /**
     * Writes the sanity check of {@code trained} into {@code directory}: its report with that of
     * {@code randomised} beside it, block by block.
     *
     * @param randomised the same picture through the same layers of a model with random weights
     * @throws IllegalArgumentException if {@code randomised} does not have random weights, or the
     *                                  two did not inspect the same layers
     */
    public static Report writeSanityCheck(Inspection trained, Inspection randomised, Path directory) throws IOException {
        Objects.requireNonNull(trained, "trained");
        Objects.requireNonNull(randomised, "randomised");
        Objects.requireNonNull(directory, "directory");
        if (!randomised.weights().random()) {
            throw new IllegalArgumentException("A sanity check compares with random weights, but the second inspection's"
                    + " weights are " + randomised.weights().source());
        }
        List<String> left = trained.taps().stream().map(t -> t.tap().layerName()).toList();
        List<String> right = randomised.taps().stream().map(t -> t.tap().layerName()).toList();
        if (!left.equals(right)) {
            throw new IllegalArgumentException("A sanity check compares the same layers, but the inspections show "
                    + left + " and " + right);
        }
        return write(List.of(trained, randomised), directory);
    }

    private static Report write(List<Inspection> inspections, Path directory) throws IOException {
        Files.createDirectories(directory);
        // The one copy of the picture the writers take: the explorer reads this one too.
        BufferedImage picture = inspections.get(0).image();
        BufferedImage shown = Math.max(picture.getWidth(), picture.getHeight()) > ORIGINAL_MAX_SIDE
                ? Resize.fit(picture, ORIGINAL_MAX_SIDE) : picture;
        ReportPictures pictures = new ReportPictures(shown);
        List<ReportColumn> columns = new ArrayList<>();
        for (int c = 0; c < inspections.size(); c++) {
            columns.add(pictures.add(inspections.get(c), c == 0 ? "" : "random-"));
        }
        // Encoding is the slow part: the pictures are encoded together on all cores, then written.
        List<byte[]> encoded = Png.encodeAll(pictures.pictures());
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < encoded.size(); i++) {
            Path file = directory.resolve(pictures.files().get(i));
            AtomicFiles.write(file, encoded.get(i));
            images.add(file);
        }
        ExploreWriter.write(inspections.get(0), picture, HTML, directory);
        ReportDocument document = ReportDescription.of(columns, ReportDescription.pictureLine(picture, shown));
        Path md = directory.resolve(MARKDOWN);
        AtomicFiles.write(md, MarkdownRenderer.render(document).getBytes(StandardCharsets.UTF_8));
        Path html = directory.resolve(HTML);
        AtomicFiles.write(html, HtmlRenderer.render(document).getBytes(StandardCharsets.UTF_8));
        return new Report(directory, html, md, images);
    }
}
