package io.cnnsee;

import io.cnnsee.render.Colormap;
import io.cnnsee.render.Normalization;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of inspecting one picture: per tap, the layer's output, its ranked channels and
 * their grid, plus everything a report says about how it was made. Immutable, and a value
 * only: {@code io.cnnsee.report.ReportWriter} writes it, so it depends on no writer.
 */
public final class Inspection {

    private final String source;
    private final BufferedImage image;
    private final String modelName;
    private final WeightsInfo weights;
    private final String rankerName;
    private final Colormap colormap;
    private final Normalization normalization;
    private final List<TapInspection> taps;
    private final List<Prediction> predictions;
    private final Explanations explanations;

    /** What was added to the grids: each explanation the inspector was asked for, and the engine's note. */
    private record Explanations(GradCam gradCam, BufferedImage gradCamOverlay, FirstLayerKernels firstLayerKernels,
                                SaliencyMap saliency, BufferedImage saliencyOverlay,
                                List<io.cnnsee.visualize.Visualization> visualizations, String engine,
                                List<ClassActivationMap> cams, List<BufferedImage> camOverlays,
                                List<Faithfulness.Scores> faithfulness) {
        static final Explanations NONE = new Explanations(null, null, null, null, null, List.of(), "", List.of(), List.of(),
                List.of());
    }

    /**
     * @param source        what the picture is called (its file name, or a name you give)
     * @param image         the picture as given (copied, as 8-bit RGB)
     * @param modelName     the model's name
     * @param weights       where the model's weights came from
     * @param rankerName    the ranker's name
     * @param colormap      the colormap of the grids
     * @param normalization how channels were scaled onto the colormap
     * @param taps          one entry per tap, in network order
     */
    public Inspection(String source, BufferedImage image, String modelName, WeightsInfo weights, String rankerName,
                      Colormap colormap, Normalization normalization, List<TapInspection> taps) {
        this(source, image, modelName, weights, rankerName, colormap, normalization, taps, List.of());
    }

    /**
     * As above, with the classes the model sees in the picture.
     *
     * @param predictions the most probable classes, most probable first; empty when the model does not classify
     */
    public Inspection(String source, BufferedImage image, String modelName, WeightsInfo weights, String rankerName,
                      Colormap colormap, Normalization normalization, List<TapInspection> taps,
                      List<Prediction> predictions) {
        this.source = Objects.requireNonNull(source, "source");
        this.image = ImageLoader.copyRgb(Objects.requireNonNull(image, "image"));
        this.modelName = Objects.requireNonNull(modelName, "modelName");
        this.weights = Objects.requireNonNull(weights, "weights");
        this.rankerName = Objects.requireNonNull(rankerName, "rankerName");
        this.colormap = Objects.requireNonNull(colormap, "colormap");
        this.normalization = Objects.requireNonNull(normalization, "normalization");
        this.taps = List.copyOf(taps);
        this.predictions = List.copyOf(predictions);
        this.explanations = Explanations.NONE;
    }

    private Inspection(Inspection from, Explanations explanations) {
        this.source = from.source;
        this.image = from.image;
        this.modelName = from.modelName;
        this.weights = from.weights;
        this.rankerName = from.rankerName;
        this.colormap = from.colormap;
        this.normalization = from.normalization;
        this.taps = from.taps;
        this.predictions = from.predictions;
        // Ours already: each with... method copies what it is given, once.
        this.explanations = explanations;
    }

    /**
     * This inspection with Grad-CAM.
     *
     * @param gradCam the map
     * @param overlay the map over the picture as the model saw it, as the report shows it
     */
    public Inspection withGradCam(GradCam gradCam, BufferedImage overlay) {
        Objects.requireNonNull(gradCam, "gradCam");
        Objects.requireNonNull(overlay, "overlay");
        Explanations x = explanations;
        return new Inspection(this, new Explanations(gradCam, ImageLoader.copyRgb(overlay), x.firstLayerKernels(), x.saliency(),
                x.saliencyOverlay(), x.visualizations(), x.engine(), x.cams(), x.camOverlays(), x.faithfulness()));
    }

    /** This inspection with the model's first-layer kernels. */
    public Inspection withFirstLayerKernels(FirstLayerKernels kernels) {
        Explanations x = explanations;
        return new Inspection(this, new Explanations(x.gradCam(), x.gradCamOverlay(), Objects.requireNonNull(kernels, "kernels"),
                x.saliency(), x.saliencyOverlay(), x.visualizations(), x.engine(), x.cams(), x.camOverlays(), x.faithfulness()));
    }

    /**
     * This inspection with a saliency map.
     *
     * @param overlay the map over the picture as the model saw it, as the report shows it
     */
    public Inspection withSaliency(SaliencyMap map, BufferedImage overlay) {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(overlay, "overlay");
        Explanations x = explanations;
        return new Inspection(this, new Explanations(x.gradCam(), x.gradCamOverlay(), x.firstLayerKernels(), map,
                ImageLoader.copyRgb(overlay), x.visualizations(), x.engine(), x.cams(), x.camOverlays(), x.faithfulness()));
    }

    /**
     * This inspection with pictures of what some of its taps' channels look for (feature
     * visualisation), which the report shows under each tap's grid.
     *
     * @throws IllegalArgumentException if a picture is of a layer this inspection has no tap of
     */
    public Inspection withVisualizations(List<io.cnnsee.visualize.Visualization> pictures) {
        Objects.requireNonNull(pictures, "pictures");
        for (io.cnnsee.visualize.Visualization v : pictures) {
            tap(v.tap().layerName());
        }
        Explanations x = explanations;
        return new Inspection(this, new Explanations(x.gradCam(), x.gradCamOverlay(), x.firstLayerKernels(), x.saliency(),
                x.saliencyOverlay(), List.copyOf(pictures), x.engine(), x.cams(), x.camOverlays(), x.faithfulness()));
    }

    /** The pictures of what channels look for of tap {@code layerName}, in the order given; empty when there are none. */
    public List<io.cnnsee.visualize.Visualization> visualizations(String layerName) {
        return explanations.visualizations().stream().filter(v -> v.tap().layerName().equals(layerName)).toList();
    }

    /** Which pixels the explained class depends on, when the inspector was asked for saliency. */
    public Optional<SaliencyMap> saliency() {
        return Optional.ofNullable(explanations.saliency());
    }

    /** A copy of the saliency map over the picture, when there is one. */
    public Optional<BufferedImage> saliencyOverlay() {
        return Optional.ofNullable(explanations.saliencyOverlay()).map(ImageLoader::copyRgb);
    }

    /** Where the evidence for the explained class lies, when the inspector was asked for Grad-CAM. */
    public Optional<GradCam> gradCam() {
        return Optional.ofNullable(explanations.gradCam());
    }

    /** A copy of the Grad-CAM map over the picture, when there is one. */
    public Optional<BufferedImage> gradCamOverlay() {
        return Optional.ofNullable(explanations.gradCamOverlay()).map(ImageLoader::copyRgb);
    }

    /** The kernels of the model's first convolution, when the inspector was asked for them. */
    public Optional<FirstLayerKernels> firstLayerKernels() {
        return Optional.ofNullable(explanations.firstLayerKernels());
    }

    /** The most probable classes, most probable first; empty when the model does not classify. */
    public List<Prediction> predictions() {
        return predictions;
    }

    public String source() {
        return source;
    }

    /** A copy of the inspected picture, 8-bit RGB, at its original size. */
    public BufferedImage image() {
        return ImageLoader.copyRgb(image);
    }

    /**
     * This inspection saying how the engine ran the model ({@link InspectableModel#engineNote}).
     *
     * @param note e.g. which layers took a slower path; empty for nothing to say
     */
    public Inspection withEngine(String note) {
        Explanations x = explanations;
        return new Inspection(this, new Explanations(x.gradCam(), x.gradCamOverlay(), x.firstLayerKernels(), x.saliency(),
                x.saliencyOverlay(), x.visualizations(), Objects.requireNonNull(note, "note"), x.cams(), x.camOverlays(), x.faithfulness()));
    }

    /** How the engine ran the model, as the report's settings say; empty when it said nothing. */
    public String engine() {
        return explanations.engine();
    }

    /**
     * This inspection with class activation maps, each beside the others in the report.
     *
     * @param maps     the maps, one per method, in the order shown
     * @param overlays each map over the picture as the model saw it
     * @throws IllegalArgumentException if there is not one overlay per map
     */
    public Inspection withClassActivationMaps(List<ClassActivationMap> maps, List<BufferedImage> overlays) {
        Objects.requireNonNull(maps, "maps");
        Objects.requireNonNull(overlays, "overlays");
        if (maps.size() != overlays.size()) {
            throw new IllegalArgumentException(maps.size() + " maps but " + overlays.size() + " overlays");
        }
        Explanations x = explanations;
        return new Inspection(this, new Explanations(x.gradCam(), x.gradCamOverlay(), x.firstLayerKernels(), x.saliency(),
                x.saliencyOverlay(), x.visualizations(), x.engine(), List.copyOf(maps),
                overlays.stream().map(ImageLoader::copyRgb).toList(), x.faithfulness()));
    }

    /** This inspection with how faithful its maps are, one entry per map, in the maps' order. */
    public Inspection withFaithfulness(List<Faithfulness.Scores> scores) {
        Objects.requireNonNull(scores, "scores");
        Explanations x = explanations;
        return new Inspection(this, new Explanations(x.gradCam(), x.gradCamOverlay(), x.firstLayerKernels(), x.saliency(),
                x.saliencyOverlay(), x.visualizations(), x.engine(), x.cams(), x.camOverlays(), List.copyOf(scores)));
    }

    /** How faithful each class activation map is, when the inspector was asked; empty otherwise. */
    public List<Faithfulness.Scores> faithfulness() {
        return explanations.faithfulness();
    }

    /** The class activation maps the inspector was asked for, in the order of its methods; empty when none. */
    public List<ClassActivationMap> classActivationMaps() {
        return explanations.cams();
    }

    /** A copy of each class activation map over the picture, in the same order. */
    public List<BufferedImage> classActivationOverlays() {
        return explanations.camOverlays().stream().map(ImageLoader::copyRgb).toList();
    }

    public String modelName() {
        return modelName;
    }

    public WeightsInfo weights() {
        return weights;
    }

    public String rankerName() {
        return rankerName;
    }

    public Colormap colormap() {
        return colormap;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** One entry per tap, in network order. */
    public List<TapInspection> taps() {
        return taps;
    }

    /**
     * The entry of the tap on layer {@code layerName}.
     *
     * @throws IllegalArgumentException naming the inspected layers if it was not inspected
     */
    public TapInspection tap(String layerName) {
        for (TapInspection t : taps) {
            if (t.tap().layerName().equals(layerName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Layer '" + layerName + "' was not inspected; inspected layers: "
                + taps.stream().map(t -> t.tap().layerName()).toList());
    }

    @Override
    public String toString() {
        return "Inspection[" + source + ", " + modelName + ", " + taps.size() + " taps]";
    }
}
