package io.cnnsee;

import io.cnnsee.render.Colormap;
import io.cnnsee.render.GridRenderer;
import io.cnnsee.render.Normalization;
import io.cnnsee.render.Overlay;
import io.cnnsee.render.Resize;
import io.cnnsee.spi.ModelProviders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Shows what a convolutional network sees in a picture: runs the picture through the model once,
 * reads each tap's output, ranks its channels and renders the best ones as a grid.
 *
 * <p>One line with the defaults (the model of the provider found on the classpath, channels
 * ranked by {@link ChannelRanker#SUM sum}, the top 12, viridis):
 * <pre>{@code Inspection result = FeatureMapInspector.inspect(Path.of("cat.jpg"));}</pre>
 * Anything else through the builder:
 * <pre>{@code
 * FeatureMapInspector inspector = FeatureMapInspector.builder()
 *     .ranker(ChannelRanker.L2).channels(16).colormap(Colormap.MAGMA).build();
 * Inspection result = inspector.run(Path.of("cat.jpg"));
 * }</pre>
 * With a model that classifies (VGG16 with its top) the builder also explains the decision:
 * {@code gradCam(true)}, {@code ranker(ChannelRanker.GRAD_CAM)}, {@code explainedClass(i)};
 * {@code overlays(n)} and {@code firstLayerFilters(true)} work with any model that supports them.
 * An inspector is immutable and thread-safe when its model is (the models of cnnsee-dl4j are).
 */
public final class FeatureMapInspector {

    /** Channels shown per tap by default. */
    public static final int DEFAULT_CHANNELS = 12;
    /** Most probable classes reported by default, when the model classifies. */
    public static final int DEFAULT_PREDICTIONS = 5;
    /** Longest side of overlay pictures, in pixels. */
    public static final int OVERLAY_SIDE = 224;
    /** Longest side of the Grad-CAM picture, in pixels. */
    public static final int GRAD_CAM_SIDE = 448;
    /** Longest side of each class activation map's picture, several side by side. */
    public static final int CAM_SIDE = 224;
    /** The colour's weight in overlays and Grad-CAM pictures. */
    public static final double OVERLAY_ALPHA = 0.5;

    private static final Logger LOG = LoggerFactory.getLogger(FeatureMapInspector.class);

    private final InspectableModel model;
    private final ChannelRanker ranker;
    private final GradientRanker gradientRanker;
    private final int channels;
    private final GridRenderer renderer;
    private final List<Tap> taps;
    private final ImageLoader loader;
    private final Classifying classes;
    private final ClassGradients differentiable;
    private final Tap gradCamTap;
    private final int explainedClass;
    private final int overlays;
    private final List<Step> steps;
    /** The model's input scores, when a CAM method or the faithfulness scores perturb the picture. */
    private final InputScores scores;
    /** The model's scores from a layer on, when a CAM method ablates the layer's channels. */
    private final LayerScores layerScores;

    /** An explanation added to an inspection after its maps are ranked: Grad-CAM, saliency, ... */
    @FunctionalInterface
    private interface Step {
        Inspection apply(Inspection inspection, Picture picture);
    }

    /** The picture of one run, what the model saw of it, and what its passes gave. */
    private record Picture(BufferedImage image, BufferedImage view, Passes passes, List<Prediction> predicted) {
    }

    private FeatureMapInspector(Builder b, InspectableModel model) {
        this.model = model;
        this.ranker = b.ranker;
        this.gradientRanker = b.gradientRanker;
        this.channels = b.channels;
        this.renderer = b.renderer;
        this.loader = b.loader;
        this.explainedClass = b.explainedClass;
        this.overlays = b.overlays;
        if (b.layerNames == null) {
            this.taps = List.copyOf(model.taps());
        } else {
            List<Tap> chosen = new ArrayList<>();
            for (String name : b.layerNames) {
                chosen.add(model.tap(name));
            }
            this.taps = List.copyOf(chosen);
        }
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Model " + model.name() + " has no taps to inspect");
        }
        List<Step> chosen = new ArrayList<>();
        boolean mapsAtTap = b.gradCam || !b.cams.isEmpty() || b.faithfulnessSteps > 0;
        if (mapsAtTap || gradientRanker != null) {
            this.differentiable = model.require(ClassGradients.class, b.gradCam ? "Grad-CAM"
                    : !b.cams.isEmpty() ? b.cams.get(0).name() : gradientRanker.name() + " ranking");
        } else {
            this.differentiable = null;
        }
        if (mapsAtTap) {
            List<Tap> modelTaps = model.taps();
            this.gradCamTap = b.gradCamLayer != null ? model.tap(b.gradCamLayer) : modelTaps.get(modelTaps.size() - 1);
            if (gradCamTap.shape().channelSize() == 1) {
                throw new IllegalArgumentException("Grad-CAM needs a layer with a spatial map; " + gradCamTap.layerName()
                        + " puts out " + gradCamTap.shape() + ": choose a convolutional layer, such as "
                        + modelTaps.get(modelTaps.size() - 1).layerName());
            }
            if (b.gradCam) {
                chosen.add(this::gradCam);
            }
            boolean perturbs = b.cams.stream().anyMatch(CamMethod::perturbs) || b.faithfulnessSteps > 0;
            this.scores = perturbs ? model.require(InputScores.class, b.faithfulnessSteps > 0 ? "Faithfulness"
                    : b.cams.stream().filter(CamMethod::perturbs).findFirst().orElseThrow().name()) : null;
            boolean ablates = b.cams.stream().anyMatch(CamMethod::ablates);
            this.layerScores = ablates ? model.require(LayerScores.class, CamMethod.ABLATION_CAM.name()) : null;
            if (ablates && !layerScores.scoresFrom(gradCamTap)) {
                throw new IllegalArgumentException("Ablation-CAM runs " + model.name() + " on from " + gradCamTap.layerName()
                        + ", which something before it reaches past: choose a layer after the last such connection"
                        + " (gradCamLayer, --grad-cam-layer)");
            }
            List<CamMethod> methods = b.cams.isEmpty() && b.faithfulnessSteps > 0 ? List.of(CamMethod.GRAD_CAM) : b.cams;
            if (!methods.isEmpty()) {
                int steps = b.faithfulnessSteps;
                boolean road = b.road;
                chosen.add((inspection, picture) -> classActivationMaps(inspection, picture, methods, steps, road));
            }
        } else {
            this.gradCamTap = null;
            this.scores = null;
            this.layerScores = null;
        }
        if (b.firstLayerFilters) {
            FirstLayerKernels kernels = model.require(FirstLayerFilters.class, "Showing the first-layer filters").firstLayerKernels();
            chosen.add((inspection, picture) -> inspection.withFirstLayerKernels(kernels));
        }
        if (b.visualized > 0) {
            model.require(InputGradients.class, "Feature visualisation");
            int visualized = b.visualized;
            int visualizationSteps = b.visualizationSteps;
            chosen.add((inspection, picture) -> visualize(inspection, visualized, visualizationSteps));
        }
        if (b.saliency != null) {
            b.saliency.requireOn(model);
            SaliencyMethod method = b.saliency;
            int steps = b.faithfulnessSteps;
            boolean road = b.road;
            chosen.add((inspection, picture) -> saliency(inspection, picture, method, steps, road));
        }
        this.classes = b.predictions > 0 || b.saliency != null || differentiable != null
                ? model.capability(Classifying.class).orElse(null) : null;
        this.predictions = b.predictions;
        this.steps = List.copyOf(chosen);
        if (explainedClass != ClassGradient.MOST_PROBABLE_CLASS && classes != null && explainedClass >= classes.classCount()) {
            throw new IllegalArgumentException("The explained class " + explainedClass + " is not one of " + model.name()
                    + "'s classes, 0 to " + (classes.classCount() - 1));
        }
    }

    private final int predictions;

    /** Inspects {@code image} with the default inspector. */
    public static Inspection inspect(BufferedImage image) {
        return DefaultHolder.INSTANCE.run(image);
    }

    /** Inspects the picture in {@code file} with the default inspector. */
    public static Inspection inspect(Path file) {
        return DefaultHolder.INSTANCE.run(file);
    }

    /** Inspects the picture read from {@code in} (not closed) with the default inspector. */
    public static Inspection inspect(InputStream in) {
        return DefaultHolder.INSTANCE.run(in);
    }

    /**
     * The default inspector: the model of the provider found on the classpath, made on first use
     * and shared.
     */
    public static FeatureMapInspector defaultInspector() {
        return DefaultHolder.INSTANCE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Inspects {@code image}, called {@code "image"} in reports. */
    public Inspection run(BufferedImage image) {
        return run(image, "image");
    }

    /** Inspects the picture in {@code file}, called by its file name in reports. */
    public Inspection run(Path file) {
        Objects.requireNonNull(file, "file");
        BufferedImage image = loader.read(file);
        Path name = file.getFileName();
        return run(image, name == null ? file.toString() : name.toString());
    }

    /** Inspects the picture read from {@code in}, which is not closed. */
    public Inspection run(InputStream in) {
        Objects.requireNonNull(in, "in");
        return run(loader.read(in, "stream"), "stream");
    }

    /**
     * Inspects {@code image}, called {@code source} in reports.
     *
     * @throws IllegalArgumentException if the picture is empty
     */
    public Inspection run(BufferedImage image, String source) {
        Objects.requireNonNull(image, "image must not be null");
        Objects.requireNonNull(source, "source");
        if (image.getWidth() < 1 || image.getHeight() < 1) {
            throw new IllegalArgumentException("Picture " + source + " has no pixels");
        }
        long start = System.nanoTime();
        Tap classifier = predictions > 0 && classes != null ? classes.classifier() : null;
        Passes passes = Passes.run(model, image, taps, classifier, differentiable, gradCamTap, gradientRanker != null,
                explainedClass);
        List<Prediction> predicted = classifier != null
                ? Prediction.top(passes.probabilities(), predictions, classes::classLabel) : List.of();
        long forward = System.nanoTime();
        String explained = passes.gradient() == null ? null : classes.classLabel(passes.gradient().classIndex());
        BufferedImage view = overlays > 0 || !steps.isEmpty() ? model.inputView(image) : null;
        BufferedImage overlayPicture = overlays > 0 ? Resize.fit(view, OVERLAY_SIDE) : null;
        List<TapInspection> results = new ArrayList<>(taps.size());
        for (FeatureMap map : passes.maps()) {
            ChannelRanker rankBy = gradientRanker != null
                    ? gradientRanker.forClass(passes.gradient(), map.tap(), explained) : ranker;
            Ranking ranking = rankBy.top(map, channels);
            List<BufferedImage> shown = new ArrayList<>();
            for (int r = 0; r < Math.min(overlays, ranking.size()); r++) {
                shown.add(Overlay.blend(overlayPicture, map.channel(ranking.channels().get(r).channel()),
                        renderer.colormap(), OVERLAY_ALPHA));
            }
            results.add(new TapInspection(map.tap(), map, ranking, renderer.render(map, ranking), shown));
        }
        LOG.debug("Inspected {}: forward pass {} ms, ranking and rendering {} ms", source,
                (forward - start) / 1_000_000, (System.nanoTime() - forward) / 1_000_000);
        Inspection inspection = new Inspection(source, image, model.name(), model.weights(), rankerName(),
                renderer.colormap(), renderer.normalization(), results, predicted).withEngine(model.engineNote());
        Picture picture = new Picture(image, view, passes, predicted);
        for (Step step : steps) {
            inspection = step.apply(inspection, picture);
        }
        return inspection;
    }

    private Inspection gradCam(Inspection inspection, Picture picture) {
        ClassGradient gradient = picture.passes().gradient();
        GradCam cam = gradient.gradCam(gradCamTap, classes.classLabel(gradient.classIndex()));
        return inspection.withGradCam(cam, cam.overlay(Resize.fit(picture.view(), GRAD_CAM_SIDE), Colormap.TURBO,
                OVERLAY_ALPHA));
    }

    private Inspection classActivationMaps(Inspection inspection, Picture picture, List<CamMethod> methods, int faithfulnessSteps,
                                           boolean road) {
        ClassGradient gradient = picture.passes().gradient();
        CamInput input = CamInput.of(gradient, gradCamTap, classes.classLabel(gradient.classIndex()));
        float[] networkInput = scores == null ? null : scores.networkInput(picture.image());
        if (scores != null) {
            input = input.withScorer(scores, networkInput);
        }
        if (layerScores != null) {
            input = input.withLayerScorer(layerScores);
        }
        BufferedImage shown = Resize.fit(picture.view(), CAM_SIDE);
        List<ClassActivationMap> maps = new ArrayList<>(methods.size());
        List<BufferedImage> overlays = new ArrayList<>(methods.size());
        for (CamMethod method : methods) {
            ClassActivationMap map = method.compute(input);
            maps.add(map);
            overlays.add(map.overlay(shown, Colormap.TURBO, OVERLAY_ALPHA));
        }
        Inspection withMaps = inspection.withClassActivationMaps(maps, overlays);
        if (faithfulnessSteps == 0) {
            return withMaps;
        }
        List<Faithfulness.Scores> faithful = new ArrayList<>(maps.size());
        for (ClassActivationMap map : maps) {
            faithful.add(Faithfulness.of(scores, networkInput, map, faithfulnessSteps, road));
        }
        return withMaps.withFaithfulness(faithful);
    }

    private Inspection visualize(Inspection inspection, int visualized, int steps) {
        List<io.cnnsee.visualize.Visualization> pictures = new ArrayList<>();
        for (TapInspection t : inspection.taps()) {
            List<Integer> best = t.ranking().channels().stream().limit(visualized).map(RankedChannel::channel).toList();
            pictures.addAll(io.cnnsee.visualize.FeatureVisualizer.builder(model).layer(t.tap().layerName()).channels(best)
                    .steps(steps).seed(1).build().run());
        }
        return inspection.withVisualizations(pictures);
    }

    /** The saliency map, and with faithfulness asked for, its scores beside the class activation maps'. */
    private Inspection saliency(Inspection inspection, Picture picture, SaliencyMethod method, int faithfulnessSteps,
                                boolean road) {
        SaliencyMap map = method.compute(model, picture.image(), Objective.classLogit(explainedIndex(picture)), 0);
        Inspection with = inspection.withSaliency(map, Overlay.blend(Resize.fit(picture.view(), GRAD_CAM_SIDE),
                map.asFeatureMap().channel(0), Colormap.INFERNO, OVERLAY_ALPHA));
        if (faithfulnessSteps == 0) {
            return with;
        }
        List<Faithfulness.Scores> scored = new ArrayList<>(inspection.faithfulness());
        scored.add(Faithfulness.of(scores, scores.networkInput(picture.image()), map, faithfulnessSteps, road));
        return with.withFaithfulness(scored);
    }

    /** The class saliency explains: Grad-CAM's if it ran, else the one asked for, else the most probable. */
    private int explainedIndex(Picture picture) {
        if (picture.passes().gradient() != null) {
            return picture.passes().gradient().classIndex();
        } else if (explainedClass != ClassGradient.MOST_PROBABLE_CLASS) {
            return explainedClass;
        } else if (!picture.predicted().isEmpty()) {
            return picture.predicted().get(0).classIndex();
        }
        FeatureMap probabilities = model.forward(picture.image(), List.of(classes.classifier())).get(0);
        return Prediction.top(probabilities, 1, classes::classLabel).get(0).classIndex();
    }

    private String rankerName() {
        return gradientRanker != null ? gradientRanker.name() : ranker.name();
    }

    public InspectableModel model() {
        return model;
    }

    /** How channels are ranked from their values; empty when they are ranked by gradient ({@link #gradientRanker()}). */
    public Optional<ChannelRanker> ranker() {
        return Optional.ofNullable(ranker);
    }

    /** How channels are ranked by the class gradient, when they are. */
    public Optional<GradientRanker> gradientRanker() {
        return Optional.ofNullable(gradientRanker);
    }

    /** Channels shown per tap (fewer where a tap has fewer). */
    public int channels() {
        return channels;
    }

    /** The layer Grad-CAM looks at, when the inspector adds Grad-CAM. */
    public Optional<Tap> gradCamTap() {
        return Optional.ofNullable(gradCamTap);
    }

    public GridRenderer renderer() {
        return renderer;
    }

    /** The taps inspected, in network order. */
    public List<Tap> taps() {
        return taps;
    }

    /** Lazily made default; the holder idiom makes it once, thread-safely. */
    private static final class DefaultHolder {
        static final FeatureMapInspector INSTANCE = builder().build();
    }

    /** Options of a {@link FeatureMapInspector}. */
    public static final class Builder {
        private InspectableModel model;
        private ChannelRanker ranker = ChannelRanker.SUM;
        private GradientRanker gradientRanker;
        private int channels = DEFAULT_CHANNELS;
        private int predictions = DEFAULT_PREDICTIONS;
        private GridRenderer renderer = GridRenderer.defaults();
        private List<String> layerNames;
        private ImageLoader loader = ImageLoader.defaults();
        private boolean gradCam;
        private String gradCamLayer;
        private SaliencyMethod saliency;
        private List<CamMethod> cams = List.of();
        private int faithfulnessSteps;
        private boolean road;
        private int explainedClass = ClassGradient.MOST_PROBABLE_CLASS;
        private int overlays;
        private boolean firstLayerFilters;
        private int visualized;
        private int visualizationSteps = 128;

        private Builder() {
        }

        /**
         * Whether to add Grad-CAM: where in the picture the evidence for the explained class lies
         * (see {@link #explainedClass(int)}), at the model's last tap (VGG16: {@code block5_conv3})
         * or {@link #gradCamLayer(String)}. Off by default: it costs another pass and a backward
         * pass, and needs a model that classifies.
         */
        public Builder gradCam(boolean gradCam) {
            this.gradCam = gradCam;
            return this;
        }

        /**
         * Adds class activation maps of the explained class by each of {@code methods} (see
         * {@link CamMethod}), side by side in the report, at the Grad-CAM layer ({@link #gradCamLayer},
         * by default the model's last tap), from the same backward pass as Grad-CAM. Needs a model
         * with {@link ClassGradients}.
         *
         * @throws IllegalArgumentException if a method is given twice
         */
        public Builder cams(List<CamMethod> methods) {
            Objects.requireNonNull(methods, "methods");
            if (methods.stream().map(CamMethod::name).distinct().count() != methods.size()) {
                throw new IllegalArgumentException("Each CAM method once: " + methods.stream().map(CamMethod::name).toList());
            }
            this.cams = List.copyOf(methods);
            return this;
        }

        /**
         * Adds how faithful each class activation map is ({@link Faithfulness}: deletion and
         * insertion curves of {@code steps} steps, average drop, increase in confidence), Grad-CAM's
         * alone when no {@link #cams} are chosen; 0, the default, for none. Each curve costs
         * {@code steps + 1} forward passes, run as batches; needs a model with {@link InputScores}.
         *
         * @throws IllegalArgumentException if {@code steps < 0}
         */
        public Builder faithfulness(int steps) {
            return faithfulness(steps, false);
        }

        /**
         * {@link #faithfulness(int)}, and ROAD too when {@code road} ({@link Faithfulness#road}):
         * 18 more forward passes a map, and a linear system solved for each.
         *
         * @throws IllegalArgumentException if {@code steps < 1} with ROAD, or below 0
         */
        public Builder faithfulness(int steps, boolean road) {
            if (steps < 0 || road && steps < 1) {
                throw new IllegalArgumentException("Faithfulness curves take " + (road ? "1" : "0 (none)")
                        + " or more steps, was " + steps);
            }
            this.faithfulnessSteps = steps;
            this.road = road;
            return this;
        }

        /** {@link #cams(List)}. */
        public Builder cams(CamMethod... methods) {
            return cams(List.of(methods));
        }

        /**
         * Adds which pixels the explained class depends on (see {@link Saliency}): a heat map over
         * the picture in the report. Needs a model that classifies and differentiates to its input.
         */
        public Builder saliency(SaliencyMethod method) {
            this.saliency = Objects.requireNonNull(method, "method");
            return this;
        }

        /**
         * The convolutional layer Grad-CAM looks at, by name in the model (turns Grad-CAM on).
         * An unknown name fails in {@link #build()}, a dense layer in the first inspection.
         */
        public Builder gradCamLayer(String layerName) {
            this.gradCamLayer = Objects.requireNonNull(layerName, "layerName");
            this.gradCam = true;
            return this;
        }

        /**
         * The class Grad-CAM and {@link ChannelRanker#GRAD_CAM} explain, by index (ImageNet:
         * 0 to 999); {@link ClassGradient#MOST_PROBABLE_CLASS}, the default, for each picture's
         * most probable class.
         *
         * @throws IllegalArgumentException if {@code classIndex < -1}; an index beyond the model's
         *                                  classes fails in the first inspection
         */
        public Builder explainedClass(int classIndex) {
            if (classIndex < ClassGradient.MOST_PROBABLE_CLASS) {
                throw new IllegalArgumentException("A class index is 0 or more (or -1 for the most probable), was "
                        + classIndex);
            }
            this.explainedClass = classIndex;
            return this;
        }

        /**
         * How many of each tap's best channels to blend over the picture, where they fired
         * ({@link TapInspection#overlays()}); 0, none, by default.
         *
         * @throws IllegalArgumentException if {@code n < 0}
         */
        public Builder overlays(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("The number of overlays must be at least 0, was " + n);
            }
            this.overlays = n;
            return this;
        }

        /** Whether to add the kernels of the model's first convolution ({@link Inspection#firstLayerKernels()}); off by default. */
        public Builder firstLayerFilters(boolean show) {
            this.firstLayerFilters = show;
            return this;
        }

        /**
         * Adds, under each tap's grid, the pictures its best {@code channels} look for (feature
         * visualisation, {@link io.cnnsee.visualize.FeatureVisualizer}, seed 1), found in
         * {@code steps} steps each. Slow: VGG16 takes about 0.4 s a step a channel on 2 cores.
         * The model must give input gradients.
         */
        public Builder visualize(int channels, int steps) {
            if (channels < 0 || steps < 1) {
                throw new IllegalArgumentException("Visualise 0 or more channels in 1 or more steps, was " + channels
                        + " channels in " + steps + " steps");
            }
            this.visualized = channels;
            this.visualizationSteps = steps;
            return this;
        }

        /** The model to inspect; by default the one of the provider found on the classpath. */
        public Builder model(InspectableModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** How channels are ranked from their values; {@link ChannelRanker#SUM} by default. */
        public Builder ranker(ChannelRanker ranker) {
            this.ranker = Objects.requireNonNull(ranker, "ranker");
            this.gradientRanker = null;
            return this;
        }

        /**
         * Ranks channels by what they did for the explained class ({@link #explainedClass(int)}),
         * e.g. {@link GradientRanker#GRAD_CAM}: the model must have {@link ClassGradients}.
         */
        public Builder ranker(GradientRanker ranker) {
            this.gradientRanker = Objects.requireNonNull(ranker, "ranker");
            this.ranker = null;
            return this;
        }

        /**
         * How many of the best channels each grid shows; 12 by default.
         *
         * @throws IllegalArgumentException if {@code n < 1}
         */
        public Builder channels(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("The number of channels to show must be at least 1, was " + n);
            }
            this.channels = n;
            return this;
        }

        /**
         * How many of the most probable classes to report when the model classifies (VGG16 with
         * its top); 5 by default, 0 for none. They come from the same forward pass as the taps.
         *
         * @throws IllegalArgumentException if {@code n < 0}
         */
        public Builder predictions(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("The number of predictions must be at least 0, was " + n);
            }
            this.predictions = n;
            return this;
        }

        /** The grid colormap; {@link Colormap#VIRIDIS} by default. */
        public Builder colormap(Colormap colormap) {
            this.renderer = renderer.toBuilder().colormap(colormap).build();
            return this;
        }

        /** How channels are scaled onto the colormap; per-channel min-max by default. */
        public Builder normalization(Normalization normalization) {
            this.renderer = renderer.toBuilder().normalization(normalization).build();
            return this;
        }

        /** All grid settings at once (layout, padding, tile size, captions, colormap, normalization). */
        public Builder renderer(GridRenderer renderer) {
            this.renderer = Objects.requireNonNull(renderer, "renderer");
            return this;
        }

        /**
         * The layers to tap, by name in the model; the model's default taps if never called.
         *
         * @throws IllegalArgumentException if no name is given; an unknown name fails in {@link #build()}
         */
        public Builder taps(String... layerNames) {
            Objects.requireNonNull(layerNames, "layerNames");
            return taps(List.of(layerNames));
        }

        /** The layers to tap, by name in the model. */
        public Builder taps(List<String> layerNames) {
            Objects.requireNonNull(layerNames, "layerNames");
            if (layerNames.isEmpty()) {
                throw new IllegalArgumentException("At least one layer to tap must be named");
            }
            this.layerNames = List.copyOf(layerNames);
            return this;
        }

        /** How pictures given as files or streams are read, e.g. their pixel limit. */
        public Builder imageLoader(ImageLoader loader) {
            this.loader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * The inspector. Without a model set, this finds the provider on the classpath and makes
         * its default model, which may load (or download) weights.
         *
         * @throws UnknownLayerException          if a named tap is not a layer of the model
         * @throws UnsupportedCapabilityException if an option needs what the model cannot do (Grad-CAM
         *                                        needs {@link ClassGradients}, saliency {@link InputGradients}, ...)
         * @throws IllegalStateException          if no model is set and no provider is on the classpath
         */
        public FeatureMapInspector build() {
            InspectableModel m = model != null ? model : ModelProviders.find().defaultModel();
            return new FeatureMapInspector(this, m);
        }
    }
}
