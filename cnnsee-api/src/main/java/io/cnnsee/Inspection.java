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
    private final GradCam gradCam;
    private final BufferedImage gradCamOverlay;
    private final FirstLayerKernels firstLayerKernels;
    private final SaliencyMap saliency;
    private final BufferedImage saliencyOverlay;
    private final List<io.cnnsee.visualize.Visualization> visualizations;
    private final String engine;

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
        this.gradCam = null;
        this.gradCamOverlay = null;
        this.firstLayerKernels = null;
        this.saliency = null;
        this.saliencyOverlay = null;
        this.visualizations = List.of();
        this.engine = "";
    }

    private Inspection(Inspection from, GradCam gradCam, BufferedImage gradCamOverlay, FirstLayerKernels firstLayerKernels,
                       SaliencyMap saliency, BufferedImage saliencyOverlay) {
        this(from, gradCam, gradCamOverlay, firstLayerKernels, saliency, saliencyOverlay, from.visualizations, from.engine);
    }

    private Inspection(Inspection from, GradCam gradCam, BufferedImage gradCamOverlay, FirstLayerKernels firstLayerKernels,
                       SaliencyMap saliency, BufferedImage saliencyOverlay, List<io.cnnsee.visualize.Visualization> visualizations,
                       String engine) {
        this.visualizations = List.copyOf(visualizations);
        this.engine = engine;
        this.source = from.source;
        this.image = from.image;
        this.modelName = from.modelName;
        this.weights = from.weights;
        this.rankerName = from.rankerName;
        this.colormap = from.colormap;
        this.normalization = from.normalization;
        this.taps = from.taps;
        this.predictions = from.predictions;
        this.gradCam = gradCam;
        // Ours already: withGradCam and withSaliency copy what they are given, once.
        this.gradCamOverlay = gradCamOverlay;
        this.firstLayerKernels = firstLayerKernels;
        this.saliency = saliency;
        this.saliencyOverlay = saliencyOverlay;
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
        return new Inspection(this, gradCam, ImageLoader.copyRgb(overlay), firstLayerKernels, saliency, saliencyOverlay);
    }

    /** This inspection with the model's first-layer kernels. */
    public Inspection withFirstLayerKernels(FirstLayerKernels kernels) {
        return new Inspection(this, gradCam, gradCamOverlay, Objects.requireNonNull(kernels, "kernels"), saliency,
                saliencyOverlay);
    }

    /**
     * This inspection with a saliency map.
     *
     * @param overlay the map over the picture as the model saw it, as the report shows it
     */
    public Inspection withSaliency(SaliencyMap map, BufferedImage overlay) {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(overlay, "overlay");
        return new Inspection(this, gradCam, gradCamOverlay, firstLayerKernels, map, ImageLoader.copyRgb(overlay));
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
        return new Inspection(this, gradCam, gradCamOverlay, firstLayerKernels, saliency, saliencyOverlay, pictures, engine);
    }

    /** The pictures of what channels look for of tap {@code layerName}, in the order given; empty when there are none. */
    public List<io.cnnsee.visualize.Visualization> visualizations(String layerName) {
        return visualizations.stream().filter(v -> v.tap().layerName().equals(layerName)).toList();
    }

    /** Which pixels the explained class depends on, when the inspector was asked for saliency. */
    public Optional<SaliencyMap> saliency() {
        return Optional.ofNullable(saliency);
    }

    /** A copy of the saliency map over the picture, when there is one. */
    public Optional<BufferedImage> saliencyOverlay() {
        return Optional.ofNullable(saliencyOverlay).map(ImageLoader::copyRgb);
    }

    /** Where the evidence for the explained class lies, when the inspector was asked for Grad-CAM. */
    public Optional<GradCam> gradCam() {
        return Optional.ofNullable(gradCam);
    }

    /** A copy of the Grad-CAM map over the picture, when there is one. */
    public Optional<BufferedImage> gradCamOverlay() {
        return Optional.ofNullable(gradCamOverlay).map(ImageLoader::copyRgb);
    }

    /** The kernels of the model's first convolution, when the inspector was asked for them. */
    public Optional<FirstLayerKernels> firstLayerKernels() {
        return Optional.ofNullable(firstLayerKernels);
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
        return new Inspection(this, gradCam, gradCamOverlay, firstLayerKernels, saliency, saliencyOverlay, visualizations,
                Objects.requireNonNull(note, "note"));
    }

    /** How the engine ran the model, as the report's settings say; empty when it said nothing. */
    public String engine() {
        return engine;
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
