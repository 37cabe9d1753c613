package io.cnnsee.report;

import io.cnnsee.explore.ExploreWriter;
import io.cnnsee.files.AtomicFiles;

import io.cnnsee.GradCam;
import io.cnnsee.Inspection;
import io.cnnsee.Prediction;
import io.cnnsee.RankedChannel;
import io.cnnsee.TapInspection;
import io.cnnsee.render.GridRenderer;
import io.cnnsee.render.Png;
import io.cnnsee.render.Resize;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Writes an {@link Inspection} as a small article: the picture (scaled down to at most
 * {@link #ORIGINAL_MAX_SIDE} pixels on its longer side), the classes seen and where
 * (Grad-CAM), the first layer's filters, then per block its dimensions, its number of output
 * images, the grid of its best channels and where they fire, each part when the inspection has
 * it. The HTML has its style inline and shows only the PNG files written beside it, so the folder
 * is the whole report.
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
    /** The report's link to its explorer. */
    static final String EXPLORE_LINK = "Browse every channel of these layers, sorted by any ranker, in any colormap";
    /** Screen pixels per weight of the first-layer filter tiles. */
    static final int FILTER_SCALE = 8;
    /** Filter tiles per row. */
    static final int FILTER_COLUMNS = 16;

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

    /**
     * One inspection's part of the report, the names of its picture files and, per tap, its
     * shown channels with their scores (formatted once for both reports).
     */
    private record Column(Inspection inspection, List<String> grids, List<List<String>> overlays, List<List<String>> lookFor,
                          String gradCam,
                          String saliency, String filters, List<String> scores) {
        String label() {
            return inspection.weights().random() ? "Random weights" : "Trained";
        }
    }

    private static Report write(List<Inspection> inspections, Path directory) throws IOException {
        Files.createDirectories(directory);
        Set<String> taken = new HashSet<>(Set.of(ORIGINAL));
        List<Column> columns = new ArrayList<>();
        // Encoding is the slow part: the pictures are encoded together on all cores, then written.
        List<String> files = new ArrayList<>();
        List<BufferedImage> pictures = new ArrayList<>();
        files.add(ORIGINAL);
        BufferedImage picture = inspections.get(0).image(); // a copy: taken once
        BufferedImage scaled = Math.max(picture.getWidth(), picture.getHeight()) > ORIGINAL_MAX_SIDE
                ? Resize.fit(picture, ORIGINAL_MAX_SIDE) : picture;
        pictures.add(scaled);
        String pictureLine = pictureLine(picture, scaled);
        for (int c = 0; c < inspections.size(); c++) {
            Inspection inspection = inspections.get(c);
            String prefix = c == 0 ? "" : "random-";
            List<String> grids = new ArrayList<>();
            List<List<String>> overlays = new ArrayList<>();
            List<List<String>> lookFor = new ArrayList<>();
            for (TapInspection t : inspection.taps()) {
                String base = fileNameOf(t.tap().layerName());
                String grid = unique(prefix + base, taken);
                grids.add(grid);
                files.add(grid);
                pictures.add(t.grid().indexedImage().orElseGet(t.grid()::image)); // a palette encodes in a third of the time
                List<String> names = new ArrayList<>();
                List<BufferedImage> shown = t.overlays();
                for (int r = 0; r < shown.size(); r++) {
                    String name = unique(prefix + base.substring(0, base.length() - 4) + "_overlay_" + (r + 1) + ".png", taken);
                    names.add(name);
                    files.add(name);
                    pictures.add(shown.get(r));
                }
                overlays.add(names);
                List<String> looks = new ArrayList<>();
                for (io.cnnsee.visualize.Visualization v : inspection.visualizations(t.tap().layerName())) {
                    String name = unique(prefix + base.substring(0, base.length() - 4) + "_looks_for_" + v.channel() + ".png", taken);
                    looks.add(name);
                    files.add(name);
                    pictures.add(v.image());
                }
                lookFor.add(looks);
            }
            String gradCam = null;
            BufferedImage heat = inspection.gradCamOverlay().orElse(null);
            if (heat != null) {
                gradCam = unique(prefix + "grad-cam.png", taken);
                files.add(gradCam);
                pictures.add(heat);
            }
            String saliency = null;
            BufferedImage salient = inspection.saliencyOverlay().orElse(null);
            if (salient != null) {
                saliency = unique(prefix + "saliency.png", taken);
                files.add(saliency);
                pictures.add(salient);
            }
            String filters = null;
            if (inspection.firstLayerKernels().isPresent()) {
                filters = unique(prefix + "first-layer-filters.png", taken);
                files.add(filters);
                pictures.add(inspection.firstLayerKernels().get().render(FILTER_SCALE, FILTER_COLUMNS));
            }
            List<String> scores = inspection.taps().stream().map(ReportWriter::scores).toList();
            columns.add(new Column(inspection, grids, overlays, lookFor, gradCam, saliency, filters, scores));
        }
        List<byte[]> encoded = Png.encodeAll(pictures);

        List<Path> images = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = directory.resolve(files.get(i));
            AtomicFiles.write(file, encoded.get(i));
            images.add(file);
        }
        ExploreWriter.write(inspections.get(0), picture, HTML, directory); // the same picture: not copied again
        Path md = directory.resolve(MARKDOWN);
        AtomicFiles.write(md, markdown(columns, pictureLine).getBytes(StandardCharsets.UTF_8));
        Path html = directory.resolve(HTML);
        AtomicFiles.write(html, html(columns, pictureLine).getBytes(StandardCharsets.UTF_8));
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

    private static String unique(String name, Set<String> taken) {
        String candidate = name;
        for (int i = 2; taken.contains(candidate); i++) {
            candidate = name.substring(0, name.length() - 4) + "_" + i + ".png";
        }
        taken.add(candidate);
        return candidate;
    }

    /** "Original picture: 4000x3000 px, shown at 1024x768 px." ({@code shown} is what original.png holds). */
    static String pictureLine(BufferedImage picture, BufferedImage shown) {
        String line = "Original picture: " + picture.getWidth() + "x" + picture.getHeight() + " px";
        return shown.getWidth() == picture.getWidth() && shown.getHeight() == picture.getHeight() ? line + "."
                : line + ", shown at " + shown.getWidth() + "x" + shown.getHeight() + " px.";
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

    private static String shownLine(Column c, int tap, UnaryOperator<String> escape) {
        return "Shown: the top " + c.inspection().taps().get(tap).ranking().size() + " channels by "
                + escape.apply(c.inspection().rankerName()) + " (channel index and score, best first): " + c.scores().get(tap);
    }

    /** "#12 (3.410e+04), #3 (2.950e+04)": needs no escaping in either report. */
    private static String scores(TapInspection t) {
        return t.ranking().channels().stream().map(ReportWriter::scored).collect(Collectors.joining(", "));
    }

    /** "What block 4's channels look for". */
    static String lookForHeading(TapInspection t) {
        return "What " + t.tap().displayName() + "'s channels look for";
    }

    /** Which channels, how the pictures were made, and what random weights make of them. */
    static String lookForLine(Inspection inspection, List<io.cnnsee.visualize.Visualization> looks) {
        io.cnnsee.visualize.Visualization first = looks.get(0);
        return "The picture each of channels " + looks.stream().map(v -> "#" + v.channel()).collect(java.util.stream.Collectors.joining(", "))
                + " excites most, found by gradient ascent in " + first.history().length + " steps (seed " + first.seed()
                + ", Fourier parameterisation, random views), left to right."
                + (inspection.weights().random() ? " With random weights they are coloured noise: there is nothing learned to see." : "");
    }

    private static String overlaysLine(TapInspection t) {
        return "Where the best " + (t.overlays().size() == 1 ? "channel fires" : t.overlays().size() + " channels fire")
                + " in the picture: "
                + t.ranking().channels().subList(0, t.overlays().size()).stream().map(r -> "#" + r.channel())
                        .collect(Collectors.joining(", "));
    }

    private static String scored(RankedChannel r) {
        return "#" + r.channel() + " (" + GridRenderer.formatScore(r.score()) + ")";
    }

    private static List<String[]> settings(List<Column> columns) {
        Inspection first = columns.get(0).inspection();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Model", first.modelName()});
        for (Column c : columns) {
            Inspection i = c.inspection();
            rows.add(new String[] {columns.size() == 1 ? "Weights" : "Weights (" + c.label().toLowerCase(Locale.ROOT) + ")",
                    i.weights().source()});
            if (!i.weights().license().isEmpty()) {
                rows.add(new String[] {"Weights licence", i.weights().license()});
            }
        }
        if (!first.engine().isEmpty()) {
            rows.add(new String[] {"Engine", first.engine()});
        }
        rows.add(new String[] {"Ranker", first.rankerName()});
        rows.add(new String[] {"Colormap", first.colormap().name()});
        rows.add(new String[] {"Normalization", first.normalization().toString()});
        return rows;
    }

    private static String predictionsLine(Inspection inspection) {
        return "The " + inspection.predictions().size() + " most probable classes"
                + (inspection.weights().random() ? " (random weights: these mean nothing)" : "") + ":";
    }

    /** What the saliency map shows, for which class, and for Integrated Gradients how complete it is. */
    static String saliencyLine(Inspection inspection) {
        io.cnnsee.SaliencyMap map = inspection.saliency().orElseThrow();
        int cls = map.objective().terms().get(0).index();
        String label = inspection.predictions().stream().filter(p -> p.classIndex() == cls).findFirst()
                .map(p -> p.label() + " (" + percent(p) + ")").orElse("class " + cls);
        String line = map.method() + " of the score of class " + cls + ", " + label
                + ": brighter where the pixels change the score most.";
        if (!Double.isNaN(map.scoreDifference())) {
            line += String.format(Locale.ROOT, " The attributions add up to %.4g, the score's change from the baseline "
                    + "is %.4g (completeness error %.2f %%).", map.attributionSum(), map.scoreDifference(),
                    100 * map.completenessError());
        }
        return line;
    }

    static String gradCamLine(GradCam cam) {
        return "Grad-CAM at " + cam.tap().layerName() + " for class " + cam.classIndex() + ", " + cam.label()
                + String.format(Locale.ROOT, " (%.1f %%)", 100 * cam.probability())
                + ": from blue, no evidence for the class, to red, the most evidence.";
    }

    static String filtersLine(Inspection inspection) {
        var k = inspection.firstLayerKernels().orElseThrow();
        return "The " + k.count() + " kernels of " + k.layerName() + " (" + k.size() + "x" + k.size()
                + " weights on the red, green and blue pixels), each scaled to its own range: the colours and edges"
                + " the first layer responds to.";
    }

    private static String percent(Prediction p) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * p.probability());
    }

    private static String randomWarning() {
        return "These maps come from a network with random weights: they show the pipeline working, "
                + "not features learned from ImageNet.";
    }

    private static String sanityIntro() {
        return "Sanity check (Adebayo et al. 2018): on the left the trained network, on the right the same network "
                + "with random weights. Patterns that look alike in both columns come from the architecture and the "
                + "picture, not from training.";
    }

    private static String title(List<Column> columns) {
        Inspection first = columns.get(0).inspection();
        return (columns.size() > 1 ? "Sanity check: what " : "What ") + first.modelName() + " sees in " + first.source();
    }

    /** The columns' parts side by side (a table row), or the one part alone. */
    private static void htmlRow(StringBuilder h, List<Column> columns, java.util.function.Function<Column, String> part) {
        if (columns.size() == 1) {
            h.append(part.apply(columns.get(0)));
            return;
        }
        h.append("<table class=\"side\"><tr>");
        for (Column c : columns) {
            h.append("<td>").append(part.apply(c)).append("</td>");
        }
        h.append("</tr></table>\n");
    }

    static String html(List<Column> columns, String pictureLine) {
        Inspection first = columns.get(0).inspection();
        boolean side = columns.size() > 1;
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>").append(Html.escape(title(columns))).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:")
                .append(side ? "96rem" : "72rem").append(";margin:2rem auto;")
                .append("padding:0 1rem;color:#222;line-height:1.5}\n")
                .append("img{max-width:100%;image-rendering:pixelated;border:1px solid #ddd}\n")
                .append("img.original,img.overlay,img.gradcam{image-rendering:auto}\nimg.original{max-height:24rem}\n")
                .append("img.overlay{width:14rem;margin-right:.4rem}\n")
                // Grids fill the column whatever their map size, as in the article; pixels stay square.
                .append("img.grid{width:100%;height:auto}\n")
                .append("table{border-collapse:collapse}td{padding:.1rem .8rem .1rem 0;vertical-align:top}\n")
                .append("table.side{width:100%;table-layout:fixed}table.side td{width:50%}\n")
                .append(".warning{background:#fff3cd;border:1px solid #e0c060;padding:.6rem 1rem}\n")
                .append(".layer{color:#777;font-weight:normal;font-size:.8em}\n.shown{color:#555;font-size:.9em}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(Html.escape(title(columns))).append("</h1>\n");
        if (side) {
            h.append("<p>").append(Html.escape(sanityIntro())).append("</p>\n");
        }
        for (Column c : columns) {
            if (c.inspection().weights().random() && !side) {
                h.append("<p class=\"warning\"><strong>Random weights.</strong> ").append(Html.escape(randomWarning())).append("</p>\n");
            }
        }
        h.append("<p><img class=\"original\" src=\"").append(ORIGINAL).append("\" alt=\"")
                .append(Html.escape(first.source())).append("\"></p>\n");
        h.append("<p>").append(Html.escape(pictureLine)).append("</p>\n<table>\n");
        for (String[] row : settings(columns)) {
            h.append("<tr><td>").append(Html.escape(row[0])).append("</td><td>").append(Html.escape(row[1])).append("</td></tr>\n");
        }
        h.append("</table>\n");
        h.append("<p><a href=\"").append(ExploreWriter.PAGE).append("\">").append(Html.escape(EXPLORE_LINK))
                .append("</a></p>\n");
        if (side) {
            h.append("<table class=\"side\"><tr>");
            for (Column c : columns) {
                h.append("<th>").append(Html.escape(c.label())).append("</th>");
            }
            h.append("</tr></table>\n");
        }
        if (columns.stream().anyMatch(c -> !c.inspection().predictions().isEmpty())) {
            h.append("<section>\n<h2>What the network sees</h2>\n");
            htmlRow(h, columns, c -> {
                StringBuilder p = new StringBuilder("<p>").append(Html.escape(predictionsLine(c.inspection())))
                        .append("</p>\n<table class=\"predictions\">\n");
                for (Prediction pr : c.inspection().predictions()) {
                    p.append("<tr><td>").append(percent(pr)).append("</td><td>").append(Html.escape(pr.label()))
                            .append("</td><td class=\"layer\">class ").append(pr.classIndex()).append("</td></tr>\n");
                }
                return p.append("</table>\n").toString();
            });
            h.append("</section>\n");
        }
        if (columns.stream().anyMatch(c -> c.gradCam() != null)) {
            h.append("<section>\n<h2>Where it sees it</h2>\n");
            htmlRow(h, columns, c -> c.gradCam() == null ? "" : "<p><img class=\"gradcam\" src=\"" + Html.escape(c.gradCam())
                    + "\" alt=\"Grad-CAM\"></p>\n<p class=\"shown\">"
                    + Html.escape(gradCamLine(c.inspection().gradCam().orElseThrow())) + "</p>\n");
            h.append("</section>\n");
        }
        if (columns.stream().anyMatch(c -> c.saliency() != null)) {
            h.append("<section>\n<h2>Which pixels matter</h2>\n");
            htmlRow(h, columns, c -> c.saliency() == null ? "" : "<p><img class=\"gradcam\" src=\"" + Html.escape(c.saliency())
                    + "\" alt=\"saliency\"></p>\n<p class=\"shown\">"
                    + Html.escape(saliencyLine(c.inspection())) + "</p>\n");
            h.append("</section>\n");
        }
        if (columns.stream().anyMatch(c -> c.filters() != null)) {
            h.append("<section>\n<h2>What the first layer looks for</h2>\n");
            htmlRow(h, columns, c -> c.filters() == null ? "" : "<p><img class=\"filters\" src=\"" + Html.escape(c.filters())
                    + "\" alt=\"first-layer filters\"></p>\n<p class=\"shown\">" + Html.escape(filtersLine(c.inspection()))
                    + "</p>\n");
            h.append("</section>\n");
        }
        for (int i = 0; i < first.taps().size(); i++) {
            int tap = i;
            TapInspection t = first.taps().get(i);
            h.append("<section>\n<h2>").append(Html.escape(heading(t))).append(" <span class=\"layer\">")
                    .append(Html.escape(t.tap().layerName())).append("</span></h2>\n")
                    .append("<p>").append(Html.escape(dimensionsLine(t))).append("<br>\n")
                    .append(Html.escape(countLine(t))).append("</p>\n");
            htmlRow(h, columns, c -> {
                TapInspection ct = c.inspection().taps().get(tap);
                StringBuilder p = new StringBuilder("<p><img class=\"grid\" src=\"").append(Html.escape(c.grids().get(tap)))
                        .append("\" alt=\"").append(Html.escape("top channels of " + ct.tap().layerName())).append("\"></p>\n")
                        .append("<p class=\"shown\">").append(shownLine(c, tap, Html::escape)).append("</p>\n");
                if (!ct.overlays().isEmpty()) {
                    p.append("<p>");
                    for (String overlay : c.overlays().get(tap)) {
                        p.append("<img class=\"overlay\" src=\"").append(Html.escape(overlay)).append("\" alt=\"")
                                .append(Html.escape(overlay)).append("\">");
                    }
                    p.append("</p>\n<p class=\"shown\">").append(Html.escape(overlaysLine(ct))).append("</p>\n");
                }
                List<io.cnnsee.visualize.Visualization> looks = c.inspection().visualizations(ct.tap().layerName());
                if (!looks.isEmpty()) {
                    p.append("<h3>").append(Html.escape(lookForHeading(ct))).append("</h3>\n<p>");
                    for (int k = 0; k < looks.size(); k++) {
                        p.append("<img class=\"overlay\" src=\"").append(Html.escape(c.lookFor().get(tap).get(k)))
                                .append("\" alt=\"").append(Html.escape("what channel " + looks.get(k).channel() + " looks for"))
                                .append("\">");
                    }
                    p.append("</p>\n<p class=\"shown\">").append(Html.escape(lookForLine(c.inspection(), looks))).append("</p>\n");
                }
                return p.toString();
            });
            h.append("</section>\n");
        }
        h.append("<footer><p class=\"shown\">Made with cnnsee.");
        for (Column c : columns) {
            if (!c.inspection().weights().license().isEmpty()) {
                h.append(" Weights: ").append(Html.escape(c.inspection().weights().license())).append('.');
            }
        }
        h.append("</p></footer>\n</body>\n</html>\n");
        return h.toString();
    }

    /** The columns' parts as a table row of cells, or the one part as paragraphs. */
    private static void markdownRow(StringBuilder m, List<Column> columns, java.util.function.Function<Column, String> part) {
        if (columns.size() == 1) {
            m.append(part.apply(columns.get(0)));
            return;
        }
        m.append("\n|");
        for (Column c : columns) {
            m.append(' ').append(c.label()).append(" |");
        }
        m.append("\n|");
        columns.forEach(c -> m.append(" --- |"));
        m.append("\n|");
        for (Column c : columns) {
            // A table cell is one line: paragraphs become line breaks.
            m.append(' ').append(part.apply(c).strip().replace("\n\n", "<br>").replace("\n", " ")).append(" |");
        }
        m.append('\n');
    }

    static String markdown(List<Column> columns, String pictureLine) {
        Inspection first = columns.get(0).inspection();
        boolean side = columns.size() > 1;
        StringBuilder m = new StringBuilder(4096);
        m.append("# ").append(Markdown.escape(title(columns))).append("\n\n");
        if (side) {
            m.append(sanityIntro()).append("\n\n");
        } else if (first.weights().random()) {
            m.append("> **Random weights.** ").append(randomWarning()).append("\n\n");
        }
        m.append("![").append(Markdown.escape(first.source())).append("](").append(ORIGINAL).append(")\n\n");
        m.append(pictureLine).append("\n\n");
        for (String[] row : settings(columns)) {
            m.append("- ").append(row[0]).append(": ").append(Markdown.escape(row[1])).append('\n');
        }
        m.append("\n[").append(EXPLORE_LINK).append("](").append(ExploreWriter.PAGE).append(")\n");
        if (columns.stream().anyMatch(c -> !c.inspection().predictions().isEmpty())) {
            m.append("\n## What the network sees\n\n");
            markdownRow(m, columns, c -> {
                StringBuilder p = new StringBuilder(predictionsLine(c.inspection())).append("\n\n");
                if (side) {
                    c.inspection().predictions().forEach(pr -> p.append(percent(pr)).append(' ')
                            .append(Markdown.escape(pr.label())).append(" (class ").append(pr.classIndex()).append(")\n\n"));
                    return p.toString();
                }
                p.append("| probability | class | index |\n| ---: | --- | ---: |\n");
                for (Prediction pr : c.inspection().predictions()) {
                    p.append("| ").append(percent(pr)).append(" | ").append(Markdown.escape(pr.label()))
                            .append(" | ").append(pr.classIndex()).append(" |\n");
                }
                return p.toString();
            });
        }
        if (columns.stream().anyMatch(c -> c.gradCam() != null)) {
            m.append("\n## Where it sees it\n\n");
            markdownRow(m, columns, c -> c.gradCam() == null ? "" : "![Grad-CAM](" + c.gradCam() + ")\n\n"
                    + Markdown.escape(gradCamLine(c.inspection().gradCam().orElseThrow())) + "\n");
        }
        if (columns.stream().anyMatch(c -> c.saliency() != null)) {
            m.append("\n## Which pixels matter\n\n");
            markdownRow(m, columns, c -> c.saliency() == null ? "" : "![saliency](" + c.saliency() + ")\n\n"
                    + Markdown.escape(saliencyLine(c.inspection())) + "\n");
        }
        if (columns.stream().anyMatch(c -> c.filters() != null)) {
            m.append("\n## What the first layer looks for\n\n");
            markdownRow(m, columns, c -> c.filters() == null ? "" : "![first-layer filters](" + c.filters() + ")\n\n"
                    + Markdown.escape(filtersLine(c.inspection())) + "\n");
        }
        for (int i = 0; i < first.taps().size(); i++) {
            int tap = i;
            TapInspection t = first.taps().get(i);
            m.append("\n## ").append(Markdown.escape(heading(t))).append(" (`").append(t.tap().layerName().replace("`", ""))
                    .append("`)\n\n")
                    .append(dimensionsLine(t)).append("  \n")
                    .append(countLine(t)).append("\n\n");
            markdownRow(m, columns, c -> {
                TapInspection ct = c.inspection().taps().get(tap);
                StringBuilder p = new StringBuilder("![top channels of ").append(Markdown.escape(ct.tap().layerName()))
                        .append("](").append(c.grids().get(tap)).append(")\n\n")
                        .append(shownLine(c, tap, Markdown::escape)).append('\n');
                if (!ct.overlays().isEmpty()) {
                    p.append('\n');
                    for (String overlay : c.overlays().get(tap)) {
                        p.append("![").append(overlay).append("](").append(overlay).append(") ");
                    }
                    p.append("\n\n").append(overlaysLine(ct)).append('\n');
                }
                List<io.cnnsee.visualize.Visualization> looks = c.inspection().visualizations(ct.tap().layerName());
                if (!looks.isEmpty()) {
                    p.append("\n### ").append(Markdown.escape(lookForHeading(ct))).append("\n\n");
                    for (int k = 0; k < looks.size(); k++) {
                        p.append("![channel ").append(looks.get(k).channel()).append("](").append(c.lookFor().get(tap).get(k)).append(") ");
                    }
                    p.append("\n\n").append(Markdown.escape(lookForLine(c.inspection(), looks))).append('\n');
                }
                return p.toString();
            });
        }
        for (Column c : columns) {
            if (!c.inspection().weights().license().isEmpty()) {
                m.append("\nWeights: ").append(Markdown.escape(c.inspection().weights().license())).append(".\n");
            }
        }
        return m.toString();
    }
}
