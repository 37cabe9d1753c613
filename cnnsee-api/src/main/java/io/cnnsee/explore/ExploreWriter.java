package io.cnnsee.explore;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMap;
import io.cnnsee.Inspection;
import io.cnnsee.TapInspection;
import io.cnnsee.files.AtomicFiles;
import io.cnnsee.render.Png;
import io.cnnsee.render.Resize;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The explorer of a report folder: {@value #PAGE} and {@value ExplorerPage#DATA_FILE} beside
 * {@code report.html}, browsing every channel of the report's layers from the files alone, without
 * a server. The data file is a script, not JSON, because a page opened from disk may not fetch
 * files beside it; its pictures are inline for the same reason (a page may read the pixels of
 * inline pictures, not of files). Values come from 8-bit levels, within 1/255 of each channel's
 * range, at most {@value #OFFLINE_TILE_SIDE} pixels a side; {@code cnnsee serve} gives exact ones,
 * and every layer.
 */
public final class ExploreWriter {

    /** File name of the offline explorer. */
    public static final String PAGE = "explore.html";
    /**
     * The longest side of a channel in the offline explorer ({@value}): offline the levels are all
     * the values the page has, so they are kept near full resolution, but VGG16's 224-pixel first
     * block is averaged 2 x 2, which takes a third off the time and the bytes (about 3 MB) the
     * explorer adds to a report. {@code cnnsee serve} shows every layer at full resolution.
     */
    public static final int OFFLINE_TILE_SIDE = 112;

    private ExploreWriter() {
    }

    /**
     * Writes the explorer of {@code inspection}'s layers into {@code directory}; returns the page.
     *
     * @param picture    {@code inspection}'s picture ({@link Inspection#image()}), taken once by the
     *                   caller, who writes it too: the explorer only reads it
     * @param reportPage the file in {@code directory} the explorer links back to; the caller names
     *                   it, so the explorer does not depend on the report
     */
    public static Path write(Inspection inspection, BufferedImage picture, String reportPage, Path directory)
            throws IOException {
        Objects.requireNonNull(inspection, "inspection");
        Objects.requireNonNull(picture, "picture");
        Objects.requireNonNull(reportPage, "reportPage");
        Objects.requireNonNull(directory, "directory");
        List<FeatureMap> maps = inspection.taps().stream().map(TapInspection::featureMap).toList();
        BufferedImage shown = Math.max(picture.getWidth(), picture.getHeight()) > Explorer.PICTURE_SIDE
                ? Resize.fit(picture, Explorer.PICTURE_SIDE) : picture;
        Exploration exploration = new Exploration("offline", inspection.source(), shown, picture.getWidth(),
                picture.getHeight(), maps, new HashSet<>(maps.stream().map(FeatureMap::tap).toList()),
                inspection.predictions(), ChannelRanker.builtIns(), OFFLINE_TILE_SIDE);
        // No classes: offline there is no Grad-CAM to ask for.
        String model = Explorer.modelJson(inspection.modelName(), inspection.weights(), List.of(), ChannelRanker.builtIns());
        Json data = new Json().object().name("mode").value("offline").name("model").raw(model)
                .name("exploration").raw(exploration.json())
                .name("picture").value(ExplorerPage.dataUri(Png.encode(shown)))
                .name("report").value(reportPage);
        BufferedImage gradCamOverlay = inspection.gradCamOverlay().orElse(null); // a copy: taken once
        if (inspection.gradCam().isPresent() && gradCamOverlay != null) {
            data.name("gradCam").object().name("label").value(inspection.gradCam().get().label())
                    .name("layer").value(inspection.gradCam().get().tap().layerName())
                    .name("png").value(ExplorerPage.dataUri(Png.encode(gradCamOverlay))).end();
        }
        data.name("layers").array();
        for (int i = 0; i < exploration.layerCount(); i++) {
            data.raw(exploration.layer(i).jsonWithLevels(i));
        }
        data.endArray().end();
        AtomicFiles.write(directory.resolve(ExplorerPage.DATA_FILE),
                ("window.CNNSEE_INIT = " + data + ";\n").getBytes(StandardCharsets.UTF_8));
        Path page = directory.resolve(PAGE);
        AtomicFiles.write(page, ExplorerPage.offline().getBytes(StandardCharsets.UTF_8));
        return page;
    }
}
