package io.cnnsee.report;

import io.cnnsee.Inspection;
import io.cnnsee.Prediction;
import io.cnnsee.RankedChannel;
import io.cnnsee.TapInspection;
import io.cnnsee.render.GridRenderer;
import io.cnnsee.render.Png;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Writes an {@link Inspection} as a small article: the picture, then per block its dimensions,
 * its number of output images and the grid of its best channels. The HTML has its style inline
 * and shows only the PNG files written beside it, so the folder is the whole report.
 */
public final class ReportWriter {

    /** File name of the HTML report. */
    public static final String HTML = "report.html";
    /** File name of the Markdown report. */
    public static final String MARKDOWN = "report.md";
    /** File name of the inspected picture. */
    public static final String ORIGINAL = "original.png";

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
        Files.createDirectories(directory);

        List<String> gridFiles = new ArrayList<>();
        for (TapInspection t : inspection.taps()) {
            gridFiles.add(uniqueName(fileNameOf(t.tap().layerName()), gridFiles));
        }
        // Encoding is the slow part: the pictures are encoded in parallel, then written in order.
        List<Supplier<byte[]>> pictures = new ArrayList<>();
        pictures.add(() -> Png.encode(inspection.image()));
        inspection.taps().forEach(t -> pictures.add(t.grid()::toPng));
        List<byte[]> encoded = pictures.parallelStream().map(Supplier::get).toList();

        List<Path> images = new ArrayList<>();
        Path original = directory.resolve(ORIGINAL);
        AtomicFiles.write(original, encoded.get(0));
        images.add(original);
        for (int i = 0; i < gridFiles.size(); i++) {
            Path file = directory.resolve(gridFiles.get(i));
            AtomicFiles.write(file, encoded.get(i + 1));
            images.add(file);
        }
        Path md = directory.resolve(MARKDOWN);
        AtomicFiles.write(md, markdown(inspection, gridFiles).getBytes(StandardCharsets.UTF_8));
        Path html = directory.resolve(HTML);
        AtomicFiles.write(html, html(inspection, gridFiles).getBytes(StandardCharsets.UTF_8));
        return new Report(directory, html, md, images);
    }

    /** A file name made only of letters, digits, dot, dash and underscore, ending in .png. */
    static String fileNameOf(String layerName) {
        String safe = layerName.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[.]+", "_");
        if (safe.isEmpty()) {
            safe = "layer";
        }
        return safe + ".png";
    }

    private static String uniqueName(String name, List<String> taken) {
        String candidate = name;
        for (int i = 2; taken.contains(candidate) || candidate.equals(ORIGINAL); i++) {
            candidate = name.substring(0, name.length() - 4) + "_" + i + ".png";
        }
        return candidate;
    }

    /** "Block 1" from "block 1". */
    static String heading(TapInspection t) {
        String name = t.tap().displayName();
        return name.isEmpty() ? t.tap().layerName() : name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
    }

    static String dimensionsLine(TapInspection t) {
        return "Image dimensions: " + t.dimensions() + " px";
    }

    static String countLine(TapInspection t) {
        return "Number of output images at this step: " + t.channelCount();
    }

    private static String shownLine(Inspection inspection, TapInspection t, UnaryOperator<String> escape) {
        return "Shown: the top " + t.ranking().size() + " channels by " + escape.apply(inspection.rankerName())
                + " (channel index and score, best first): "
                + t.ranking().channels().stream().map(ReportWriter::scored).collect(Collectors.joining(", "));
    }

    private static String scored(RankedChannel r) {
        return "#" + r.channel() + " (" + GridRenderer.formatScore(r.score()) + ")";
    }

    private static List<String[]> settings(Inspection inspection) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Model", inspection.modelName()});
        rows.add(new String[] {"Weights", inspection.weights().source()});
        if (!inspection.weights().license().isEmpty()) {
            rows.add(new String[] {"Weights licence", inspection.weights().license()});
        }
        rows.add(new String[] {"Ranker", inspection.rankerName()});
        rows.add(new String[] {"Colormap", inspection.colormap().name()});
        rows.add(new String[] {"Normalization", inspection.normalization().toString()});
        return rows;
    }

    private static String predictionsLine(Inspection inspection) {
        return "The " + inspection.predictions().size() + " most probable classes"
                + (inspection.weights().random() ? " (random weights: these mean nothing)" : "") + ":";
    }

    private static String percent(Prediction p) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * p.probability());
    }

    private static String randomWarning() {
        return "These maps come from a network with random weights: they show the pipeline working, "
                + "not features learned from ImageNet.";
    }

    private static String title(Inspection inspection) {
        return "What " + inspection.modelName() + " sees in " + inspection.source();
    }

    static String html(Inspection inspection, List<String> gridFiles) {
        StringBuilder h = new StringBuilder(4096);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>").append(Html.escape(title(inspection))).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:72rem;margin:2rem auto;")
                .append("padding:0 1rem;color:#222;line-height:1.5}\n")
                .append("img{max-width:100%;image-rendering:pixelated;border:1px solid #ddd}\n")
                .append("img.original{image-rendering:auto;max-height:24rem}\n")
                // Grids fill the column whatever their map size, as in the article; pixels stay square.
                .append("img.grid{width:100%;height:auto}\n")
                .append("table{border-collapse:collapse}td{padding:.1rem .8rem .1rem 0;vertical-align:top}\n")
                .append(".warning{background:#fff3cd;border:1px solid #e0c060;padding:.6rem 1rem}\n")
                .append(".layer{color:#777;font-weight:normal;font-size:.8em}\n.shown{color:#555;font-size:.9em}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(Html.escape(title(inspection))).append("</h1>\n");
        if (inspection.weights().random()) {
            h.append("<p class=\"warning\"><strong>Random weights.</strong> ").append(Html.escape(randomWarning())).append("</p>\n");
        }
        h.append("<p><img class=\"original\" src=\"").append(ORIGINAL).append("\" alt=\"")
                .append(Html.escape(inspection.source())).append("\"></p>\n");
        h.append("<p>Original picture: ").append(inspection.image().getWidth()).append("x")
                .append(inspection.image().getHeight()).append(" px.</p>\n<table>\n");
        for (String[] row : settings(inspection)) {
            h.append("<tr><td>").append(Html.escape(row[0])).append("</td><td>").append(Html.escape(row[1])).append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (!inspection.predictions().isEmpty()) {
            h.append("<section>\n<h2>What the network sees</h2>\n<p>").append(Html.escape(predictionsLine(inspection)))
                    .append("</p>\n<table class=\"predictions\">\n");
            for (Prediction p : inspection.predictions()) {
                h.append("<tr><td>").append(percent(p)).append("</td><td>").append(Html.escape(p.label()))
                        .append("</td><td class=\"layer\">class ").append(p.classIndex()).append("</td></tr>\n");
            }
            h.append("</table>\n</section>\n");
        }
        for (int i = 0; i < inspection.taps().size(); i++) {
            TapInspection t = inspection.taps().get(i);
            h.append("<section>\n<h2>").append(Html.escape(heading(t))).append(" <span class=\"layer\">")
                    .append(Html.escape(t.tap().layerName())).append("</span></h2>\n")
                    .append("<p>").append(Html.escape(dimensionsLine(t))).append("<br>\n")
                    .append(Html.escape(countLine(t))).append("</p>\n")
                    .append("<p><img class=\"grid\" src=\"").append(Html.escape(gridFiles.get(i))).append("\" alt=\"")
                    .append(Html.escape("top channels of " + t.tap().layerName())).append("\"></p>\n")
                    .append("<p class=\"shown\">").append(shownLine(inspection, t, Html::escape)).append("</p>\n</section>\n");
        }
        h.append("<footer><p class=\"shown\">Made with cnnsee.");
        if (!inspection.weights().license().isEmpty()) {
            h.append(" Weights: ").append(Html.escape(inspection.weights().license())).append('.');
        }
        h.append("</p></footer>\n</body>\n</html>\n");
        return h.toString();
    }

    static String markdown(Inspection inspection, List<String> gridFiles) {
        StringBuilder m = new StringBuilder(2048);
        m.append("# ").append(Markdown.escape(title(inspection))).append("\n\n");
        if (inspection.weights().random()) {
            m.append("> **Random weights.** ").append(randomWarning()).append("\n\n");
        }
        m.append("![").append(Markdown.escape(inspection.source())).append("](").append(ORIGINAL).append(")\n\n");
        m.append("Original picture: ").append(inspection.image().getWidth()).append("x")
                .append(inspection.image().getHeight()).append(" px.\n\n");
        for (String[] row : settings(inspection)) {
            m.append("- ").append(row[0]).append(": ").append(Markdown.escape(row[1])).append('\n');
        }
        if (!inspection.predictions().isEmpty()) {
            m.append("\n## What the network sees\n\n").append(predictionsLine(inspection)).append("\n\n")
                    .append("| probability | class | index |\n| ---: | --- | ---: |\n");
            for (Prediction p : inspection.predictions()) {
                m.append("| ").append(percent(p)).append(" | ").append(Markdown.escape(p.label()))
                        .append(" | ").append(p.classIndex()).append(" |\n");
            }
        }
        for (int i = 0; i < inspection.taps().size(); i++) {
            TapInspection t = inspection.taps().get(i);
            m.append("\n## ").append(Markdown.escape(heading(t))).append(" (`").append(t.tap().layerName().replace("`", ""))
                    .append("`)\n\n")
                    .append(dimensionsLine(t)).append("  \n")
                    .append(countLine(t)).append("\n\n")
                    .append("![top channels of ").append(Markdown.escape(t.tap().layerName())).append("](")
                    .append(gridFiles.get(i)).append(")\n\n")
                    .append(shownLine(inspection, t, Markdown::escape)).append('\n');
        }
        if (!inspection.weights().license().isEmpty()) {
            m.append("\nWeights: ").append(Markdown.escape(inspection.weights().license())).append(".\n");
        }
        return m.toString();
    }
}
