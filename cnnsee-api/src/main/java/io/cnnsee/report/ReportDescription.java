package io.cnnsee.report;

import io.cnnsee.ClassActivationMap;
import io.cnnsee.Faithfulness;
import io.cnnsee.GradCam;
import io.cnnsee.Inspection;
import io.cnnsee.Prediction;
import io.cnnsee.RankedChannel;
import io.cnnsee.SaliencyMap;
import io.cnnsee.TapInspection;
import io.cnnsee.explore.ExploreWriter;
import io.cnnsee.render.GridRenderer;
import io.cnnsee.report.ReportDocument.Block;
import io.cnnsee.report.ReportDocument.ColumnLabels;
import io.cnnsee.report.ReportDocument.Footer;
import io.cnnsee.report.ReportDocument.Heading;
import io.cnnsee.report.ReportDocument.Inline;
import io.cnnsee.report.ReportDocument.Kind;
import io.cnnsee.report.ReportDocument.LayerName;
import io.cnnsee.report.ReportDocument.LineBreak;
import io.cnnsee.report.ReportDocument.Link;
import io.cnnsee.report.ReportDocument.Look;
import io.cnnsee.report.ReportDocument.Paragraph;
import io.cnnsee.report.ReportDocument.Picture;
import io.cnnsee.report.ReportDocument.Pictures;
import io.cnnsee.report.ReportDocument.Section;
import io.cnnsee.report.ReportDocument.Setting;
import io.cnnsee.report.ReportDocument.Settings;
import io.cnnsee.report.ReportDocument.SideBySide;
import io.cnnsee.report.ReportDocument.Strong;
import io.cnnsee.report.ReportDocument.Table;
import io.cnnsee.report.ReportDocument.TableColumn;
import io.cnnsee.report.ReportDocument.Text;
import io.cnnsee.report.ReportDocument.Wording;
import io.cnnsee.visualize.Visualization;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What a report says about its inspections, as a {@link ReportDocument}: the picture, the
 * settings, the classes seen and where, the first layer's filters, then per block its
 * dimensions, its number of output images, the grid of its best channels, where they fire and
 * what they look for, each part when the inspection has it. Two inspections (a sanity check)
 * stand side by side, part by part.
 */
final class ReportDescription {

    /** The report's link to its explorer. */
    static final String EXPLORE_LINK = "Browse every channel of these layers, sorted by any ranker, in any colormap";

    private ReportDescription() {
    }

    /** @param pictureLine what {@link #pictureLine} says of the picture as written */
    static ReportDocument of(List<ReportColumn> columns, String pictureLine) {
        Inspection first = columns.get(0).inspection();
        boolean side = columns.size() > 1;
        List<Block> blocks = new ArrayList<>();
        if (side) {
            blocks.add(paragraph(Kind.PLAIN, new Wording(sanityIntro())));
        } else if (first.weights().random()) {
            blocks.add(paragraph(Kind.WARNING, new Strong("Random weights."), new Wording(" " + randomWarning())));
        }
        blocks.add(new Pictures(List.of(new Picture(Look.ORIGINAL, ReportWriter.ORIGINAL, new Text(first.source())))));
        blocks.add(paragraph(Kind.PLAIN, new Wording(pictureLine)));
        blocks.add(new Settings(settings(columns)));
        blocks.add(paragraph(Kind.PLAIN, new Link(EXPLORE_LINK, ExploreWriter.PAGE)));
        if (side) {
            blocks.add(new ColumnLabels(columns.stream().map(ReportColumn::label).toList()));
        }
        section(blocks, columns, "What the network sees", c -> !c.inspection().predictions().isEmpty(), ReportDescription::predictions);
        section(blocks, columns, "Where it sees it", c -> c.gradCam() != null, c -> List.of(
                picture(Look.MAP, c.gradCam(), new Wording("Grad-CAM")),
                paragraph(Kind.CAPTION, new Text(gradCamLine(c.inspection().gradCam().orElseThrow())))));
        section(blocks, columns, "How each method sees it", c -> !c.cams().isEmpty(), c -> List.of(
                new Pictures(cams(c)),
                paragraph(Kind.CAPTION, new Text(camsLine(c.inspection())))));
        if (side && !first.classActivationMaps().isEmpty()
                && columns.get(1).inspection().classActivationMaps().size() == first.classActivationMaps().size()) {
            blocks.add(new Section(List.of(new Wording("How much each map depends on training")), List.of(
                    sanityTable(first, columns.get(1).inspection()), paragraph(Kind.CAPTION, new Wording(SANITY_LINE)))));
        }
        section(blocks, columns, "How faithful each map is", c -> !c.inspection().faithfulness().isEmpty(), c -> List.of(
                faithfulnessTable(c.inspection().faithfulness()),
                paragraph(Kind.CAPTION, new Wording(FAITHFULNESS_LINE))));
        section(blocks, columns, "Which pixels matter", c -> c.saliency() != null, c -> List.of(
                picture(Look.MAP, c.saliency(), new Wording("saliency")),
                paragraph(Kind.CAPTION, new Text(saliencyLine(c.inspection())))));
        section(blocks, columns, "What the first layer looks for", c -> c.filters() != null, c -> List.of(
                picture(Look.FILTERS, c.filters(), new Wording("first-layer filters")),
                paragraph(Kind.CAPTION, new Text(filtersLine(c.inspection())))));
        for (int i = 0; i < first.taps().size(); i++) {
            int tap = i;
            TapInspection t = first.taps().get(i);
            List<Block> body = new ArrayList<>();
            body.add(paragraph(Kind.PLAIN, new Wording(dimensionsLine(t)), new LineBreak(), new Wording(countLine(t))));
            body.addAll(row(columns, c -> tap(c, tap)));
            blocks.add(new Section(List.of(new Text(heading(t)), new Wording(" "), new LayerName(t.tap().layerName())), body));
        }
        blocks.add(new Footer(columns.stream().map(c -> c.inspection().weights().license()).filter(l -> !l.isEmpty())
                .map(l -> List.<Inline>of(new Wording("Weights: "), new Text(l), new Wording("."))).toList()));
        return new ReportDocument(title(columns), side, blocks);
    }

    /** A section of {@code part} of each column, when one of them has it. */
    private static void section(List<Block> blocks, List<ReportColumn> columns, String heading, Predicate<ReportColumn> has,
                                Function<ReportColumn, List<Block>> part) {
        if (columns.stream().anyMatch(has)) {
            blocks.add(new Section(List.of(new Wording(heading)), row(columns, c -> has.test(c) ? part.apply(c) : List.of())));
        }
    }

    /** The columns' parts side by side, or the one part alone. */
    private static List<Block> row(List<ReportColumn> columns, Function<ReportColumn, List<Block>> part) {
        if (columns.size() == 1) {
            return part.apply(columns.get(0));
        }
        return List.of(new SideBySide(columns.stream().map(ReportColumn::label).toList(), columns.stream().map(part).toList()));
    }

    private static List<Block> predictions(ReportColumn c) {
        List<List<Inline>> rows = c.inspection().predictions().stream().map(p -> List.<Inline>of(new Wording(percent(p)),
                new Text(p.label()), new Wording(Integer.toString(p.classIndex())))).toList();
        return List.of(paragraph(Kind.PLAIN, new Wording(predictionsLine(c.inspection()))),
                new Table(List.of(new TableColumn("probability", true), new TableColumn("class", false),
                        new TableColumn("index", true)), rows));
    }

    /** A tap's grid, its ranked channels, where the best fire and what they look for. */
    private static List<Block> tap(ReportColumn c, int tap) {
        Inspection inspection = c.inspection();
        TapInspection t = inspection.taps().get(tap);
        List<Block> part = new ArrayList<>();
        part.add(picture(Look.GRID, c.grids().get(tap), new Text("top channels of " + t.tap().layerName())));
        part.add(paragraph(Kind.CAPTION, new Wording("Shown: the top " + t.ranking().size() + " channels by "),
                new Text(inspection.rankerName()), new Wording(" (channel index and score, best first): " + scores(t))));
        if (!t.overlays().isEmpty()) {
            part.add(new Pictures(c.overlays().get(tap).stream().map(o -> new Picture(Look.THUMBNAIL, o, new Wording(o))).toList()));
            part.add(paragraph(Kind.CAPTION, new Wording(overlaysLine(t))));
        }
        List<Visualization> looks = inspection.visualizations(t.tap().layerName());
        if (!looks.isEmpty()) {
            part.add(new Heading(3, List.of(new Text(lookForHeading(t)))));
            List<Picture> shown = new ArrayList<>();
            for (int k = 0; k < looks.size(); k++) {
                shown.add(new Picture(Look.THUMBNAIL, c.lookFor().get(tap).get(k),
                        new Wording("what channel " + looks.get(k).channel() + " looks for")));
            }
            part.add(new Pictures(shown));
            part.add(paragraph(Kind.CAPTION, new Text(lookForLine(inspection, looks))));
        }
        return part;
    }

    private static Paragraph paragraph(Kind kind, Inline... text) {
        return new Paragraph(kind, List.of(text));
    }

    private static Pictures picture(Look look, String file, Inline alt) {
        return new Pictures(List.of(new Picture(look, file, alt)));
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

    /** "#12 (3.410e+04), #3 (2.950e+04)": needs no escaping in either report. */
    private static String scores(TapInspection t) {
        return t.ranking().channels().stream().map(ReportDescription::scored).collect(Collectors.joining(", "));
    }

    private static String scored(RankedChannel r) {
        return "#" + r.channel() + " (" + GridRenderer.formatScore(r.score()) + ")";
    }

    /** "What block 4's channels look for". */
    static String lookForHeading(TapInspection t) {
        return "What " + t.tap().displayName() + "'s channels look for";
    }

    /** Which channels, how the pictures were made, and what random weights make of them. */
    static String lookForLine(Inspection inspection, List<Visualization> looks) {
        Visualization first = looks.get(0);
        return "The picture each of channels " + looks.stream().map(v -> "#" + v.channel()).collect(Collectors.joining(", "))
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

    private static List<Setting> settings(List<ReportColumn> columns) {
        Inspection first = columns.get(0).inspection();
        List<Setting> rows = new ArrayList<>();
        rows.add(new Setting("Model", first.modelName()));
        for (ReportColumn c : columns) {
            Inspection i = c.inspection();
            rows.add(new Setting(columns.size() == 1 ? "Weights" : "Weights (" + c.label().toLowerCase(Locale.ROOT) + ")",
                    i.weights().source()));
            if (!i.weights().license().isEmpty()) {
                rows.add(new Setting("Weights licence", i.weights().license()));
            }
        }
        if (!first.engine().isEmpty()) {
            rows.add(new Setting("Engine", first.engine()));
        }
        rows.add(new Setting("Ranker", first.rankerName()));
        rows.add(new Setting("Colormap", first.colormap().name()));
        rows.add(new Setting("Normalization", first.normalization().toString()));
        return rows;
    }

    private static String predictionsLine(Inspection inspection) {
        return "The " + inspection.predictions().size() + " most probable classes"
                + (inspection.weights().random() ? " (random weights: these mean nothing)" : "") + ":";
    }

    /** What the saliency map shows, for which class, and for Integrated Gradients how complete it is. */
    static String saliencyLine(Inspection inspection) {
        SaliencyMap map = inspection.saliency().orElseThrow();
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

    static final String FAITHFULNESS_LINE = "Most faithful first, by insertion less deletion. Deletion: the class's"
            + " probability as the pixels the map ranks highest are removed first, the area under the curve (lower is"
            + " better). Insertion: as they are given first (higher is better). Average drop: how much the probability"
            + " falls on the picture times the map (lower is better); up: whether it rises instead; ROAD, when asked"
            + " for: least less most relevant removed, the holes imputed (higher is better) (docs/explanations.md).";

    static final String SANITY_LINE = "Spearman's rank correlation of each method's map for the trained network and for"
            + " the same network with random weights (Adebayo et al. 2018): near 1, the map does not depend on what"
            + " the network learned, and explains the architecture rather than the training; near 0 or below, it does.";

    /** Per method, how alike its trained and randomised maps order the picture. */
    private static Table sanityTable(Inspection trained, Inspection randomised) {
        List<List<Inline>> rows = new ArrayList<>();
        for (int i = 0; i < trained.classActivationMaps().size(); i++) {
            ClassActivationMap t = trained.classActivationMaps().get(i);
            ClassActivationMap r = randomised.classActivationMaps().get(i);
            rows.add(List.of(new Text(t.method()), new Wording(String.format(Locale.ROOT, "%.2f",
                    Faithfulness.rankCorrelation(t.heatmap().toArray(), r.heatmap().toArray())))));
        }
        return new Table(List.of(new TableColumn("method", false), new TableColumn("rank correlation", true)), rows);
    }

    /** One row per map, the most faithful first. */
    private static Table faithfulnessTable(List<Faithfulness.Scores> scores) {
        boolean road = scores.stream().allMatch(s -> s.roadScores().isPresent());
        List<List<Inline>> rows = new ArrayList<>();
        scores.stream().sorted(java.util.Comparator.comparingDouble(Faithfulness.Scores::difference).reversed()).forEach(s -> {
            List<Inline> row = new ArrayList<>(List.of(new Text(s.method()),
                    new Wording(String.format(Locale.ROOT, "%.3f", s.deletion().area())),
                    new Wording(String.format(Locale.ROOT, "%.3f", s.insertion().area())),
                    new Wording(String.format(Locale.ROOT, "%+.3f", s.difference())),
                    new Wording(String.format(Locale.ROOT, "%.1f %%", 100 * s.averageDrop())),
                    new Wording(s.increase() ? "yes" : "no")));
            if (road) {
                row.add(new Wording(String.format(Locale.ROOT, "%+.3f", s.roadScores().orElseThrow().score())));
            }
            rows.add(row);
        });
        List<TableColumn> columns = new ArrayList<>(List.of(new TableColumn("method", false), new TableColumn("deletion", true),
                new TableColumn("insertion", true), new TableColumn("insertion - deletion", true),
                new TableColumn("average drop", true), new TableColumn("up", false)));
        if (road) {
            columns.add(new TableColumn("ROAD", true));
        }
        return new Table(columns, rows);
    }

    private static List<Picture> cams(ReportColumn c) {
        List<Picture> pictures = new ArrayList<>();
        for (int i = 0; i < c.cams().size(); i++) {
            pictures.add(new Picture(Look.THUMBNAIL, c.cams().get(i),
                    new Text(c.inspection().classActivationMaps().get(i).method())));
        }
        return pictures;
    }

    /** Which maps these are, in order, of which class and layer. */
    static String camsLine(Inspection inspection) {
        List<ClassActivationMap> maps = inspection.classActivationMaps();
        ClassActivationMap first = maps.get(0);
        return "Left to right: " + String.join(", ", maps.stream().map(ClassActivationMap::method).toList()) + ", at "
                + first.tap().layerName() + " for class " + first.classIndex() + ", " + first.label()
                + String.format(Locale.ROOT, " (%.1f %%)", 100 * first.probability())
                + ": each from blue, no evidence for the class, to red, its own most.";
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

    private static String title(List<ReportColumn> columns) {
        Inspection first = columns.get(0).inspection();
        return (columns.size() > 1 ? "Sanity check: what " : "What ") + first.modelName() + " sees in " + first.source();
    }
}
