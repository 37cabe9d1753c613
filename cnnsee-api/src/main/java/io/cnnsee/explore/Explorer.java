package io.cnnsee.explore;

import io.cnnsee.CamInput;
import io.cnnsee.CamMethod;
import io.cnnsee.ClassActivationMap;
import io.cnnsee.InputScores;
import io.cnnsee.ChannelRanker;
import io.cnnsee.ClassGradient;
import io.cnnsee.ClassGradients;
import io.cnnsee.Classifying;
import io.cnnsee.FeatureMap;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.InspectableModel;
import io.cnnsee.Inspection;
import io.cnnsee.Prediction;
import io.cnnsee.Tap;
import io.cnnsee.UnsupportedCapabilityException;
import io.cnnsee.WeightsInfo;
import io.cnnsee.render.Colormap;
import io.cnnsee.render.Png;
import io.cnnsee.render.Resize;

import java.awt.image.BufferedImage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the explorer in the browser asks of a model, engine-free: a picture through every layer in
 * one pass ({@link #explore}), Grad-CAM for any class at any layer, and the inspection a report is
 * written from. The HTTP server of {@code cnnsee-serve} and the offline {@code explore.html} are two
 * front ends of it. Thread-safe when the model is.
 */
public final class Explorer {

    /**
     * The longest side, in pixels, of the picture an exploration keeps ({@value}): the network
     * sees a quarter of that or less, and every later pass (Grad-CAM, the report) runs on the kept
     * picture, so all of them see the same input.
     */
    public static final int PICTURE_SIDE = 512;
    /**
     * The longest side of a tile's levels ({@value}): the page shows tiles at 72 CSS pixels, and a
     * channel large from its exact values, so VGG16's 224-pixel channels travel averaged 3 x 3.
     */
    public static final int TILE_SIDE = 80;
    /** Classes listed as predictions. */
    public static final int PREDICTIONS = 5;
    /** Longest side of a Grad-CAM picture. */
    public static final int GRAD_CAM_SIDE = FeatureMapInspector.GRAD_CAM_SIDE;

    private static final SecureRandom IDS = new SecureRandom();

    private final InspectableModel model;
    private final List<Tap> taps;
    private final List<ChannelRanker> rankers;
    /** The model's classes, or null: then there are no predictions and no Grad-CAM. */
    private final Classifying classes;
    /** The model's class gradients, or null: then there is no Grad-CAM. */
    private final ClassGradients differentiable;

    private Explorer(InspectableModel model, List<ChannelRanker> rankers) {
        this.model = model;
        this.classes = model.capability(Classifying.class).orElse(null);
        this.differentiable = model.capability(ClassGradients.class).orElse(null);
        this.taps = List.copyOf(model.allTaps());
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Model " + model.name() + " has no layers with spatial outputs to explore");
        }
        this.rankers = List.copyOf(rankers);
    }

    /** An explorer of {@code model} with the built-in rankers. */
    public static Explorer of(InspectableModel model) {
        return of(model, List.of());
    }

    /**
     * An explorer of {@code model} whose page can also sort by {@code extraRankers}, after the
     * built-in ones.
     *
     * @throws IllegalArgumentException if a ranker's name is taken
     */
    public static Explorer of(InspectableModel model, List<ChannelRanker> extraRankers) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(extraRankers, "extraRankers");
        List<ChannelRanker> all = new ArrayList<>(ChannelRanker.builtIns());
        for (ChannelRanker r : extraRankers) {
            if (all.stream().anyMatch(k -> k.name().equals(r.name()))) {
                throw new IllegalArgumentException("The explorer already has a ranker called '" + r.name()
                        + "': give yours another name with ChannelRanker.named");
            }
            all.add(r);
        }
        return new Explorer(model, all);
    }

    public InspectableModel model() {
        return model;
    }

    /** The layers every exploration holds, in network order. */
    public List<Tap> taps() {
        return taps;
    }

    /**
     * The layer class activation maps read unless told: the model's last default tap, as the
     * inspector's Grad-CAM; the last layer when the model's taps are not among the explored ones.
     */
    public int defaultCamLayer() {
        List<Tap> defaults = model.taps();
        int at = taps.indexOf(defaults.get(defaults.size() - 1));
        return at >= 0 ? at : taps.size() - 1;
    }

    public List<ChannelRanker> rankers() {
        return rankers;
    }

    /**
     * Runs {@code image} through the network once, keeping every layer's output.
     *
     * @throws IllegalArgumentException if the picture has no pixels
     */
    public Exploration explore(BufferedImage image, String source) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(source, "source");
        if (image.getWidth() < 1 || image.getHeight() < 1) {
            throw new IllegalArgumentException("Picture " + source + " has no pixels");
        }
        BufferedImage view = model.inputView(image);
        if (Math.max(view.getWidth(), view.getHeight()) > PICTURE_SIDE) {
            view = Resize.fit(view, PICTURE_SIDE);
        }
        List<Tap> read = new ArrayList<>(taps);
        if (classes != null) {
            read.add(classes.classifier());
        }
        List<FeatureMap> all = model.forward(view, read);
        if (all.size() != read.size()) {
            throw new IllegalStateException("Model " + model.name() + " returned " + all.size() + " maps for "
                    + read.size() + " layers");
        }
        List<Prediction> predicted = classes != null
                ? Prediction.top(all.get(taps.size()), PREDICTIONS, classes::classLabel) : List.of();
        return new Exploration(HexFormat.of().formatHex(randomId()),
                source, view, image.getWidth(), image.getHeight(), all.subList(0, taps.size()),
                new HashSet<>(model.taps()), predicted, rankers, TILE_SIDE);
    }

    private static byte[] randomId() {
        byte[] id = new byte[16];
        IDS.nextBytes(id);
        return id;
    }

    /** The number of classes, 0 when the model does not classify. */
    public int classCount() {
        return classes == null ? 0 : classes.classCount();
    }

    /**
     * The class activation map of {@code method} for class {@code classIndex} at layer
     * {@code layer} of {@code exploration}, over its picture: one forward and one backward pass,
     * and for methods that perturb the picture (Score-CAM) their forward batches.
     *
     * @throws UnsupportedCapabilityException if the model does not classify, cannot differentiate,
     *                                        or cannot score inputs for a method that perturbs
     * @throws IllegalArgumentException        if there is no such class or layer
     */
    public CamView cam(Exploration exploration, int classIndex, int layer, CamMethod method) {
        Objects.requireNonNull(exploration, "exploration");
        Objects.requireNonNull(method, "method");
        if (differentiable == null) {
            model.require(ClassGradients.class, method.name());
        }
        int count = differentiable.classCount();
        if (classIndex < 0 || classIndex >= count) {
            throw new IllegalArgumentException("No class " + classIndex + ": " + model.name() + " has classes 0 to "
                    + (count - 1));
        }
        Tap tap = exploration.map(layer).tap();
        ClassGradient gradient = differentiable.classGradient(exploration.picture(), classIndex, List.of(tap));
        CamInput input = CamInput.of(gradient, tap, differentiable.classLabel(classIndex));
        if (method.perturbs()) {
            InputScores scores = model.require(InputScores.class, method.name());
            input = input.withScorer(scores, scores.networkInput(exploration.picture()));
        }
        if (method.ablates()) {
            input = input.withLayerScorer(model.require(io.cnnsee.LayerScores.class, method.name()));
        }
        ClassActivationMap map = method.compute(input);
        BufferedImage overlay = map.overlay(Resize.fit(exploration.picture(), GRAD_CAM_SIDE), Colormap.TURBO,
                FeatureMapInspector.OVERLAY_ALPHA);
        return new CamView(map, Png.encode(overlay));
    }

    /** A class activation map as the page shows it: its method, class and layer, and the overlay as PNG bytes. */
    public record CamView(ClassActivationMap map, byte[] png) {

        public String json() {
            return new Json().object().name("method").value(map.method()).name("classIndex").value(map.classIndex())
                    .name("label").value(map.label()).name("probability").value(map.probability())
                    .name("layer").value(map.tap().layerName()).name("png").value(ExplorerPage.dataUri(png)).end().toString();
        }
    }

    /**
     * The inspection of {@code exploration}'s picture that a report is written from: the model's
     * default layers, its ranking and, when it classifies, Grad-CAM. A second pass.
     */
    public Inspection inspection(Exploration exploration) {
        Objects.requireNonNull(exploration, "exploration");
        FeatureMapInspector inspector = FeatureMapInspector.builder().model(model).gradCam(differentiable != null).build();
        return inspector.run(exploration.picture(), exploration.source());
    }

    /** What the page shows of the model before any picture: name, weights, classes, rankers, colormaps. */
    public String modelJson() {
        List<String> labels = new ArrayList<>();
        for (int c = 0, n = classCount(); c < n; c++) {
            labels.add(this.classes.classLabel(c));
        }
        return modelJson(model.name(), model.weights(), labels, rankers);
    }

    /** The model's description as the page reads it, from the server or from a report's offline data. */
    static String modelJson(String name, WeightsInfo weights, List<String> classes, List<ChannelRanker> rankers) {
        Json j = new Json().object().name("name").value(name)
                .name("weights").object().name("source").value(weights.source())
                .name("license").value(weights.license()).name("random").value(weights.random()).end();
        j.name("classes").array();
        for (String label : classes) {
            j.value(label);
        }
        j.endArray().name("rankers").array();
        for (ChannelRanker r : rankers) {
            j.value(r.name());
        }
        j.endArray().name("cams").array();
        for (CamMethod m : classes.isEmpty() ? List.<CamMethod>of() : CamMethod.builtIns()) {
            j.object().name("key").value(CamMethod.key(m.name())).name("name").value(m.name()).end();
        }
        j.endArray().name("colormaps").raw(ExplorerPage.colormapsJson());
        return j.end().toString();
    }
}
