package io.cnnsee.report;

import io.cnnsee.CamMethod;
import io.cnnsee.Inspection;
import io.cnnsee.TapInspection;
import io.cnnsee.visualize.Visualization;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The pictures of a report and the files they go to: the picture as shown first, then per
 * inspection its grids, overlays, feature pictures, Grad-CAM, saliency and filters. File names
 * are made of safe characters only and are never used twice.
 */
final class ReportPictures {

    /** Screen pixels per weight of the first-layer filter tiles. */
    static final int FILTER_SCALE = 8;
    /** Filter tiles per row. */
    static final int FILTER_COLUMNS = 16;

    private final Set<String> taken = new HashSet<>();
    private final List<String> files = new ArrayList<>();
    private final List<BufferedImage> pictures = new ArrayList<>();

    /** @param shown the inspected picture as the report shows it */
    ReportPictures(BufferedImage shown) {
        add(ReportWriter.ORIGINAL, shown);
    }

    /** The file names, in the order of {@link #pictures()}. */
    List<String> files() {
        return files;
    }

    List<BufferedImage> pictures() {
        return pictures;
    }

    /**
     * Adds {@code inspection}'s pictures, their names starting with {@code prefix}; returns the
     * names as its column of the report uses them.
     */
    ReportColumn add(Inspection inspection, String prefix) {
        List<String> grids = new ArrayList<>();
        List<List<String>> overlays = new ArrayList<>();
        List<List<String>> lookFor = new ArrayList<>();
        for (TapInspection t : inspection.taps()) {
            String base = fileNameOf(t.tap().layerName());
            String stem = prefix + base.substring(0, base.length() - 4);
            grids.add(add(prefix + base, t.grid().indexedImage().orElseGet(t.grid()::image))); // a palette encodes in a third of the time
            List<String> names = new ArrayList<>();
            List<BufferedImage> shown = t.overlays();
            for (int r = 0; r < shown.size(); r++) {
                names.add(add(stem + "_overlay_" + (r + 1) + ".png", shown.get(r)));
            }
            overlays.add(names);
            List<String> looks = new ArrayList<>();
            for (Visualization v : inspection.visualizations(t.tap().layerName())) {
                looks.add(add(stem + "_looks_for_" + v.channel() + ".png", v.image()));
            }
            lookFor.add(looks);
        }
        String gradCam = inspection.gradCamOverlay().map(heat -> add(prefix + "grad-cam.png", heat)).orElse(null);
        String saliency = inspection.saliencyOverlay().map(salient -> add(prefix + "saliency.png", salient)).orElse(null);
        String filters = inspection.firstLayerKernels()
                .map(k -> add(prefix + "first-layer-filters.png", k.render(FILTER_SCALE, FILTER_COLUMNS))).orElse(null);
        List<String> cams = new ArrayList<>();
        List<BufferedImage> camOverlays = inspection.classActivationOverlays();
        for (int i = 0; i < camOverlays.size(); i++) {
            String method = CamMethod.key(inspection.classActivationMaps().get(i).method()).replace("+", "plus");
            cams.add(add(fileNameOf(prefix + "cam-" + method), camOverlays.get(i)));
        }
        return new ReportColumn(inspection, grids, overlays, lookFor, gradCam, saliency, filters, cams);
    }

    /** A file name made only of letters, digits, dot, dash and underscore, ending in .png. */
    static String fileNameOf(String layerName) {
        String safe = layerName.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[.]+", "_");
        if (safe.isEmpty()) {
            safe = "layer";
        }
        return safe + ".png";
    }

    /** Adds {@code picture} under {@code name}, or under name_2, name_3... if it is taken; returns the name. */
    private String add(String name, BufferedImage picture) {
        String candidate = name;
        for (int i = 2; taken.contains(candidate); i++) {
            candidate = name.substring(0, name.length() - 4) + "_" + i + ".png";
        }
        taken.add(candidate);
        files.add(candidate);
        pictures.add(picture);
        return candidate;
    }
}
