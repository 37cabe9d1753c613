package io.cnnsee.report;

import io.cnnsee.Inspection;

import java.util.List;

/**
 * One inspection's part of a report and the names of the picture files written for it; a
 * sanity check has two, side by side.
 *
 * @param grids    per tap, its grid
 * @param overlays per tap, its overlays, best channel first
 * @param lookFor  per tap, the pictures of what its channels look for
 * @param gradCam  the Grad-CAM overlay, or null
 * @param saliency the saliency overlay, or null
 * @param filters  the first layer's filters, or null
 * @param cams     the class activation maps, one per method, in order; empty when none
 */
record ReportColumn(Inspection inspection, List<String> grids, List<List<String>> overlays, List<List<String>> lookFor,
                    String gradCam, String saliency, String filters, List<String> cams) {

    String label() {
        return inspection.weights().random() ? "Random weights" : "Trained";
    }
}
