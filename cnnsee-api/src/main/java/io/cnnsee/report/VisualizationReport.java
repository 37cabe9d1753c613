package io.cnnsee.report;

import io.cnnsee.WeightsInfo;
import io.cnnsee.files.AtomicFiles;
import io.cnnsee.render.Png;
import io.cnnsee.visualize.Visualization;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * "What this block's channels look for": one PNG tile per channel, a grid of them, and a page
 * (HTML and Markdown) that says how they were made, with random weights said at the top.
 */
public final class VisualizationReport {

    /** Tiles to a row in the grid. */
    private static final int COLUMNS = 8;
    /** The side small pictures are shown at, about. */
    private static final int SHOWN = 192;

    private VisualizationReport() {
    }

    /**
     * Writes {@code visualizations} (of one layer) into {@code dir}: {@code channel-<k>.png},
     * {@code grid.png}, {@code visualize.html}, {@code visualize.md}; returns the HTML's path.
     *
     * @param settings how they were made, one line for the page (steps, size, seed, penalties)
     */
    public static Path write(List<Visualization> visualizations, String modelName, WeightsInfo weights, String settings,
                             Path dir) throws IOException {
        Objects.requireNonNull(visualizations, "visualizations");
        if (visualizations.isEmpty()) {
            throw new IllegalArgumentException("Nothing to write: no visualisation");
        }
        Files.createDirectories(dir);
        String layer = visualizations.get(0).tap().layerName();
        for (Visualization v : visualizations) {
            AtomicFiles.write(dir.resolve("channel-" + v.channel() + ".png"), Png.encode(v.image()));
        }
        AtomicFiles.write(dir.resolve("grid.png"), Png.encode(grid(visualizations)));
        String note = weights.random()
                ? "These pictures come from a network with random weights: they look like coloured noise, as there is "
                + "nothing learned to see. With trained weights, channels of early layers show edges and colours, later "
                + "ones textures, patterns and parts of objects (Olah et al., Distill 2017)."
                : "";
        StringBuilder md = new StringBuilder("# What " + layer + "'s channels look for\n\n");
        String title = Html.escape("What " + layer + "'s channels look for");
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(title).append("</title>\n<style>body{font-family:system-ui,sans-serif;"
                        + "max-width:72rem;margin:2rem auto;padding:0 1rem}img{image-rendering:auto;border:1px solid #ddd}"
                        + "figure{display:inline-block;margin:.3rem;text-align:center}.note{background:#fff3cd;padding:.6rem 1rem}"
                        + "figure img{image-rendering:pixelated}"
                        + "</style>\n</head>\n<body>\n<h1>").append(title).append("</h1>\n");
        if (!note.isEmpty()) {
            md.append("> **Random weights.** ").append(note).append("\n\n");
            html.append("<p class=\"note\"><strong>Random weights.</strong> ").append(Html.escape(note)).append("</p>\n");
        }
        String how = "Each picture is the one that most excites its channel of " + layer + " in " + modelName + " ("
                + weights.source() + "): found by gradient ascent on the channel's " + describe(visualizations.get(0))
                + ", the picture parameterised in decorrelated colour and 1/f-scaled Fourier space and seen at every step "
                + "through a random shift, zoom and rotation (Lucid's choices). " + settings + ".";
        md.append(how).append("\n\n![grid](grid.png)\n\n| channel | objective at the start | at the end |\n| ---: | ---: | ---: |\n");
        html.append("<p>").append(Html.escape(how)).append("</p>\n<p><img src=\"grid.png\" alt=\"grid\"></p>\n");
        for (Visualization v : visualizations) {
            md.append(String.format(Locale.ROOT, "| %d | %.4g | %.4g |%n", v.channel(), v.first(), v.last()));
            html.append(String.format(Locale.ROOT, "<figure><img src=\"channel-%d.png\" alt=\"channel %d\" width=\"%d\">"
                    + "<figcaption>#%d: %.4g → %.4g</figcaption></figure>%n", v.channel(), v.channel(),
                    shownWidth(v.image().getWidth()), v.channel(), v.first(), v.last()));
        }
        html.append("</body>\n</html>\n");
        AtomicFiles.write(dir.resolve("visualize.md"), md.toString().getBytes(StandardCharsets.UTF_8));
        Path page = dir.resolve("visualize.html");
        AtomicFiles.write(page, html.toString().getBytes(StandardCharsets.UTF_8));
        return page;
    }

    /** A small picture shown enlarged by a whole factor to about 192 pixels (sharp, as pixelated), a large one as it is. */
    static int shownWidth(int width) {
        return width * Math.max(1, SHOWN / width);
    }

    private static String describe(Visualization v) {
        return v.objective().terms().get(0).kind() == io.cnnsee.Objective.Kind.CENTRE_UNIT ? "centre unit" : "mean";
    }

    /** The tiles in rows of {@value #COLUMNS}, 4 pixels apart, on white. */
    static BufferedImage grid(List<Visualization> visualizations) {
        int side = visualizations.get(0).image().getWidth();
        int columns = Math.min(COLUMNS, visualizations.size());
        int rows = (visualizations.size() + columns - 1) / columns;
        int gap = 4;
        BufferedImage grid = new BufferedImage(columns * (side + gap) - gap, rows * (side + gap) - gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int i = 0; i < visualizations.size(); i++) {
                g.drawImage(visualizations.get(i).image(), (i % columns) * (side + gap), (i / columns) * (side + gap), null);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }
}
