package io.cnnsee.atlas;

import io.cnnsee.FeatureMap;
import io.cnnsee.ImageLoader;
import io.cnnsee.InspectableModel;
import io.cnnsee.MapShape;
import io.cnnsee.ReceptiveField;
import io.cnnsee.ReceptiveFields;
import io.cnnsee.Tap;
import io.cnnsee.files.AtomicFiles;
import io.cnnsee.render.Colormap;
import io.cnnsee.render.Overlay;
import io.cnnsee.render.Png;
import io.cnnsee.render.Resize;
import io.cnnsee.report.Html;
import io.cnnsee.report.ReportWriter;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The atlas as pages to look at, from the file system without a server: {@code index.html} with,
 * per layer, every channel shown by its best patches; a page per channel with its pictures, the
 * patch each strongest unit sees (its receptive field, from the network's strides and kernels),
 * the channel's map over each picture, and its statistics. The pictures of the examples are read
 * and passed through the model once more, each once. Written into a folder of its own beside the
 * target and moved into place whole: an interrupted run leaves no half atlas.
 */
public final class AtlasWriter {

    private static final int PATCH = 96;
    private static final int THUMB = 40;
    private static final int OVERLAY = 192;

    private AtlasWriter() {
    }

    /** Writes {@code atlas} of {@code model}'s taps into {@code out} (replacing an earlier atlas there); returns index.html. */
    public static Path write(AtlasSummary atlas, InspectableModel model, Path out) throws IOException {
        return write(atlas, model, out, false);
    }

    /**
     * As {@link #write(AtlasSummary, InspectableModel, Path)}; with {@code reports}, also the full
     * report of every example picture (as {@code cnnsee inspect} writes it) under {@code reports/},
     * linked from the channels' pages.
     */
    public static Path write(AtlasSummary atlas, InspectableModel model, Path out, boolean reports) throws IOException {
        return write(atlas, model, out, reports, List.of());
    }

    /**
     * As {@link #write(AtlasSummary, InspectableModel, Path, boolean)}, with, on the page of each
     * channel that has one, the picture it looks for ({@code pictures}, made by
     * {@link io.cnnsee.visualize.FeatureVisualizer}) beside the pictures that excite it most.
     *
     * @throws IllegalArgumentException if a picture is of a layer the atlas does not hold
     */
    public static Path write(AtlasSummary atlas, InspectableModel model, Path out, boolean reports,
                             List<io.cnnsee.visualize.Visualization> pictures) throws IOException {
        return write(atlas, model, out, reports, pictures, null);
    }

    /**
     * As {@link #write(AtlasSummary, InspectableModel, Path, boolean, List)}, with, when
     * {@code faithfulness} is not null, a table on the index of how faithful each explanation
     * method was over the pictures ({@link FaithfulnessSurvey}), and the same as faithfulness.csv.
     */
    public static Path write(AtlasSummary atlas, InspectableModel model, Path out, boolean reports,
                             List<io.cnnsee.visualize.Visualization> pictures, FaithfulnessSummary faithfulness)
            throws IOException {
        for (io.cnnsee.visualize.Visualization v : pictures) {
            if (!atlas.layers().contains(v.tap().layerName())) {
                throw new IllegalArgumentException("The atlas holds " + atlas.layers() + ", not " + v.tap().layerName()
                        + ", whose channel " + v.channel() + " was visualised");
            }
        }
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path work = Files.createTempDirectory(parent, "." + target.getFileName() + ".part-");
        try {
            writeInto(atlas, model, work, reports, pictures, faithfulness);
            if (Files.exists(target)) {
                if (!Files.isRegularFile(target.resolve("index.html"))) {
                    throw new IOException(target + " exists and is not an atlas: choose another folder");
                }
                Path old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
                Files.delete(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
                delete(old);
            } else {
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            if (Files.exists(work)) {
                delete(work);
            }
        }
        return target.resolve("index.html");
    }

    private static void writeInto(AtlasSummary atlas, InspectableModel model, Path dir, boolean reports,
                                  List<io.cnnsee.visualize.Visualization> pictures, FaithfulnessSummary faithfulness)
            throws IOException {
        List<Tap> taps = new ArrayList<>();
        for (String layer : atlas.layers()) {
            taps.add(model.tap(layer));
        }
        MapShape input = model.inputShape();
        // Each example picture once through the model: its patches and overlays for every channel that kept it.
        Map<String, List<int[]>> wanted = new HashMap<>(); // picture -> {tap, channel, rank}
        for (int t = 0; t < taps.size(); t++) {
            List<ChannelSummary> channels = atlas.channels(taps.get(t).layerName());
            for (int c = 0; c < channels.size(); c++) {
                List<Example> examples = channels.get(c).examples();
                for (int r = 0; r < examples.size(); r++) {
                    wanted.computeIfAbsent(examples.get(r).picture(), p -> new ArrayList<>()).add(new int[] {t, c, r});
                }
            }
        }
        ImageLoader loader = ImageLoader.defaults();
        Map<String, String> reportOf = new HashMap<>();
        io.cnnsee.FeatureMapInspector inspector = reports ? io.cnnsee.FeatureMapInspector.builder().model(model).build() : null;
        for (var e : wanted.entrySet()) {
            BufferedImage picture = loader.read(Path.of(e.getKey()));
            if (inspector != null) {
                String folder = "reports/" + reportOf.size() + "-" + Path.of(e.getKey()).getFileName().toString()
                        .replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[.]+", "_");
                ReportWriter.write(inspector.run(picture, Path.of(e.getKey()).getFileName().toString()), dir.resolve(folder));
                reportOf.put(e.getKey(), folder + "/report.html");
            }
            BufferedImage view = model.inputView(picture);
            List<FeatureMap> maps = model.forward(picture, taps);
            BufferedImage overlayBase = Resize.enlarged(view, OVERLAY);
            for (int[] w : e.getValue()) {
                Tap tap = taps.get(w[0]);
                Example ex = atlas.channels(tap.layerName()).get(w[1]).examples().get(w[2]);
                Path folder = Files.createDirectories(dir.resolve(folderOf(tap)));
                Rectangle bounds = patchBounds(view, input, ex,
                        model.capability(ReceptiveFields.class).flatMap(r -> r.receptiveField(tap)));
                BufferedImage patch = ImageLoader.copyRgb(view.getSubimage(bounds.x, bounds.y, bounds.width, bounds.height));
                AtomicFiles.write(folder.resolve(w[1] + "-" + w[2] + ".png"), Png.encode(Resize.enlarged(patch, PATCH)));
                BufferedImage overlay = Overlay.blend(overlayBase, maps.get(w[0]).channel(w[1]), Colormap.VIRIDIS, 0.5);
                outline(overlay, bounds, (double) overlay.getWidth() / view.getWidth(), (double) overlay.getHeight() / view.getHeight());
                AtomicFiles.write(folder.resolve(w[1] + "-" + w[2] + "-map.png"), Png.encode(overlay));
            }
        }
        for (Tap tap : taps) {
            List<ChannelSummary> channels = atlas.channels(tap.layerName());
            Path folder = Files.createDirectories(dir.resolve(folderOf(tap)));
            for (int c = 0; c < channels.size(); c++) {
                io.cnnsee.visualize.Visualization looks = null;
                for (io.cnnsee.visualize.Visualization v : pictures) {
                    if (v.tap().layerName().equals(tap.layerName()) && v.channel() == c) {
                        looks = v;
                        AtomicFiles.write(folder.resolve(c + "-looks-for.png"), Png.encode(v.image()));
                    }
                }
                AtomicFiles.write(folder.resolve("channel-" + c + ".html"),
                        channelPage(atlas, model, tap, c, channels.get(c), reportOf, looks).getBytes(StandardCharsets.UTF_8));
            }
        }
        if (faithfulness != null) {
            AtomicFiles.write(dir.resolve(FaithfulnessPage.CSV), FaithfulnessPage.csv(faithfulness).getBytes(StandardCharsets.UTF_8));
        }
        AtomicFiles.write(dir.resolve("index.html"), index(atlas, model, taps, faithfulness).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Where in the (viewed) picture the example's unit looks: its receptive field in the network's
     * input, scaled to the view; the whole view when the model does not say.
     */
    static Rectangle patchBounds(BufferedImage view, MapShape input, Example ex, Optional<ReceptiveField> field) {
        if (field.isEmpty()) {
            return new Rectangle(0, 0, view.getWidth(), view.getHeight());
        }
        ReceptiveField rf = field.get();
        double sy = (double) view.getHeight() / input.height();
        double sx = (double) view.getWidth() / input.width();
        int y0 = Math.max(0, rf.start(ex.y()));
        int y1 = Math.min(input.height(), rf.start(ex.y()) + rf.size());
        int x0 = Math.max(0, rf.start(ex.x()));
        int x1 = Math.min(input.width(), rf.start(ex.x()) + rf.size());
        int px = (int) Math.floor(x0 * sx);
        int py = (int) Math.floor(y0 * sy);
        int pw = Math.max(1, Math.min(view.getWidth() - px, (int) Math.ceil((x1 - x0) * sx)));
        int ph = Math.max(1, Math.min(view.getHeight() - py, (int) Math.ceil((y1 - y0) * sy)));
        return new Rectangle(px, py, pw, ph);
    }

    /** The patch's place on the map: a white frame just outside it, a black one inside, seen on any colour. */
    private static void outline(BufferedImage map, Rectangle patch, double sx, double sy) {
        int x0 = (int) Math.floor(patch.x * sx);
        int y0 = (int) Math.floor(patch.y * sy);
        int x1 = Math.min(map.getWidth(), (int) Math.ceil((patch.x + patch.width) * sx));
        int y1 = Math.min(map.getHeight(), (int) Math.ceil((patch.y + patch.height) * sy));
        frame(map, x0 - 1, y0 - 1, x1 + 1, y1 + 1, 0xFFFFFF);
        frame(map, x0, y0, x1, y1, 0x000000);
    }

    /** The border pixels of [x0, x1) x [y0, y1) that lie in the picture. */
    private static void frame(BufferedImage image, int x0, int y0, int x1, int y1, int rgb) {
        for (int x = x0; x < x1; x++) {
            dot(image, x, y0, rgb);
            dot(image, x, y1 - 1, rgb);
        }
        for (int y = y0; y < y1; y++) {
            dot(image, x0, y, rgb);
            dot(image, x1 - 1, y, rgb);
        }
    }

    private static void dot(BufferedImage image, int x, int y, int rgb) {
        if (x >= 0 && y >= 0 && x < image.getWidth() && y < image.getHeight()) {
            image.setRGB(x, y, rgb);
        }
    }

    /** {@code text} starting with a capital, as a sentence of its own ("weights from ..." becomes "Weights from ..."). */
    static String sentence(String text) {
        return text.isEmpty() ? text : text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
    }

    private static String folderOf(Tap tap) {
        return tap.layerName().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static final String STYLE = "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}"
            + "img{image-rendering:auto;vertical-align:middle;border:1px solid #ddd}.row{margin:.15rem 0;white-space:nowrap}"
            + ".row a{text-decoration:none;color:#555;display:inline-block;width:4rem}.note{background:#fff3cd;padding:.6rem 1rem}"
            + ".bar{display:inline-block;width:9px;background:#3b528b;margin-right:1px;vertical-align:bottom}"
            + "td,th{padding:.2rem .5rem;text-align:left}</style>\n";

    private static String head(String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + Html.escape(title)
                + "</title>\n" + STYLE + "</head>\n<body>\n<h1>" + Html.escape(title) + "</h1>\n";
    }

    private static String randomNote(InspectableModel model) {
        return model.weights().random() ? "<p class=\"note\"><strong>Random weights.</strong> These channels come from a "
                + "network with random weights: what excites them shows no learned features.</p>\n" : "";
    }

    private static String index(AtlasSummary atlas, InspectableModel model, List<Tap> taps, FaithfulnessSummary faithfulness) {
        StringBuilder h = new StringBuilder(head("What excites " + model.name() + "'s channels"));
        h.append(randomNote(model));
        h.append("<p>").append(atlas.pictures()).append(" pictures, each channel shown by the ").append(atlas.k())
                .append(" that excite it most by its ").append(Html.escape(atlas.statistic()))
                .append(", each as the patch its strongest unit sees. ").append(Html.escape(sentence(model.weights().source())))
                .append(".</p>\n");
        if (faithfulness != null) {
            h.append(FaithfulnessPage.section(faithfulness));
        }
        for (Tap tap : taps) {
            h.append("<h2>").append(Html.escape(tap.layerName())).append(" <small>").append(tap.shape())
                    .append("</small></h2>\n");
            List<ChannelSummary> channels = atlas.channels(tap.layerName());
            for (int c = 0; c < channels.size(); c++) {
                String page = folderOf(tap) + "/channel-" + c + ".html";
                h.append("<div class=\"row\"><a href=\"").append(page).append("\">#").append(c).append("</a>");
                for (int r = 0; r < channels.get(c).examples().size(); r++) {
                    h.append("<a href=\"").append(page).append("\"><img src=\"").append(folderOf(tap)).append('/').append(c)
                            .append('-').append(r).append(".png\" width=\"").append(THUMB).append("\" alt=\"\"></a>");
                }
                h.append("</div>\n");
            }
        }
        if (atlas.skipped() > 0) {
            h.append("<h2>Skipped pictures</h2>\n<p>").append(atlas.skipped()).append(" could not be used:</p>\n<ul>\n");
            atlas.skippedReasons().forEach((p, why) -> h.append("<li>").append(Html.escape(p)).append(": ")
                    .append(Html.escape(why)).append("</li>\n"));
            h.append("</ul>\n");
        }
        return h.append("</body>\n</html>\n").toString();
    }

    private static String channelPage(AtlasSummary atlas, InspectableModel model, Tap tap, int c, ChannelSummary s,
                                      Map<String, String> reportOf, io.cnnsee.visualize.Visualization looks) {
        StringBuilder h = new StringBuilder(head(tap.layerName() + ", channel " + c));
        h.append(randomNote(model)).append("<p><a href=\"../index.html\">All channels</a></p>\n");
        h.append(String.format(Locale.ROOT, "<p>Over %d pictures its %s averages %.4g; it is active (above 0) in %.1f %% "
                + "of them.</p>%n", s.count(), Html.escape(atlas.statistic()), s.mean(), 100 * s.activeShare()));
        long[] histogram = s.histogram();
        long most = 1;
        for (long v : histogram) {
            most = Math.max(most, v);
        }
        int first = -1;
        int last = -1;
        for (int i = 0; i < histogram.length; i++) {
            if (histogram[i] > 0) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first >= 0) {
            h.append("<p>Scores, in powers of two").append(first == 0 ? " (the first bar: 0 or less)" : "").append(":<br>");
            for (int i = first; i <= last; i++) {
                h.append("<span class=\"bar\" title=\"").append(i == 0 ? "0 or less" : String.format(Locale.ROOT,
                        "%.3g to %.3g", ChannelSummary.binStart(i), 2 * ChannelSummary.binStart(i))).append(": ")
                        .append(histogram[i]).append("\" style=\"height:").append(2 + 60 * histogram[i] / most)
                        .append("px\"></span>");
            }
            h.append("</p>\n");
        }
        if (looks != null) {
            h.append("<h2>What it looks for</h2>\n<p><img src=\"").append(c).append("-looks-for.png\" width=\"224\" alt=\"")
                    .append("the picture channel ").append(c).append(" looks for\"></p>\n<p>The picture that excites it most, found by")
                    .append(" gradient ascent in ").append(looks.history().length).append(" steps (seed ").append(looks.seed())
                    .append(", Fourier parameterisation, random views)").append(model.weights().random()
                            ? ": with random weights, coloured noise." : ".").append(" Below, the pictures of the collection that do.</p>\n");
        }
        h.append("<table>\n<tr><th>patch (enlarged)</th><th>where it fires, the patch framed</th><th>picture</th><th>").append(Html.escape(atlas.statistic()))
                .append("</th><th>strongest unit</th></tr>\n");
        List<Example> examples = s.examples();
        for (int r = 0; r < examples.size(); r++) {
            Example e = examples.get(r);
            h.append("<tr><td><img src=\"").append(c).append('-').append(r).append(".png\" alt=\"patch\"></td><td><img src=\"")
                    .append(c).append('-').append(r).append("-map.png\" alt=\"map\"></td><td>")
                    .append(reportOf.containsKey(e.picture()) ? "<a href=\"../" + Html.escape(reportOf.get(e.picture())) + "\">"
                            + Html.escape(e.picture()) + "</a>" : Html.escape(e.picture())).append(String.format(Locale.ROOT, "</td><td>%.4g</td><td>row %d, column %d"
                            + "</td></tr>%n", e.score(), e.y(), e.x()));
        }
        return h.append("</table>\n</body>\n</html>\n").toString();
    }

    private static void delete(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
