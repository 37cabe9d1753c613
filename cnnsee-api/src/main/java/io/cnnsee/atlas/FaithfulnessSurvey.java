package io.cnnsee.atlas;

import io.cnnsee.CamMethod;
import io.cnnsee.Faithfulness;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.ImageLoader;
import io.cnnsee.InspectableModel;
import io.cnnsee.SaliencyMethod;
import io.cnnsee.Tap;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Which explanation method to trust for a model and its pictures: each picture's class
 * activation maps (and a saliency map, if asked) for its most probable class, each scored by
 * {@link Faithfulness}, added up in a {@link FaithfulnessSummary}. The work per picture is an
 * inspection's ({@link FeatureMapInspector} with {@code cams} and {@code faithfulness}), so the
 * numbers are the report's. Pictures that cannot be read are skipped with the reason.
 * <pre>{@code
 * FaithfulnessSurvey survey = FaithfulnessSurvey.builder(model).cams(List.of(CamMethod.GRAD_CAM, CamMethod.LAYER_CAM)).build();
 * FaithfulnessSummary summary = survey.emptySummary();
 * pictures.forEach(p -> survey.add(summary, p));
 * summary.means();
 * }</pre>
 */
public final class FaithfulnessSurvey {

    /** The methods scored when none are named: those that need one backward pass and no perturbation. */
    public static final List<CamMethod> DEFAULT_METHODS = CamMethod.builtIns().stream().filter(m -> !m.perturbs() && !m.ablates())
            .toList();

    private final FeatureMapInspector inspector;
    private final Tap layer;
    private final int steps;
    private final ImageLoader loader;

    private FaithfulnessSurvey(Builder b) {
        List<Tap> taps = b.model.taps();
        String layerName = b.layer != null ? b.layer : taps.get(taps.size() - 1).layerName();
        // the maps' layer is the only tap: an inspection's other taps would cost passes for nothing here
        FeatureMapInspector.Builder i = FeatureMapInspector.builder().model(b.model).predictions(0).channels(1)
                .taps(layerName).gradCamLayer(layerName).cams(b.cams).faithfulness(b.steps, b.road).imageLoader(b.loader);
        if (b.saliency != null) {
            i.saliency(b.saliency);
        }
        this.inspector = i.build();
        this.layer = inspector.gradCamTap().orElseThrow();
        this.steps = b.steps;
        this.loader = b.loader;
    }

    public static Builder builder(InspectableModel model) {
        return new Builder(Objects.requireNonNull(model, "model"));
    }

    /** The layer the maps read. */
    public Tap layer() {
        return layer;
    }

    /** An empty summary for this layer and these steps: what a worker starts from. */
    public FaithfulnessSummary emptySummary() {
        return new FaithfulnessSummary(layer.layerName(), steps);
    }

    /** Scores the picture in {@code file} into {@code summary}, or counts it as skipped with why. */
    public void add(FaithfulnessSummary summary, Path file) {
        add(summary, file.toString(), () -> loader.read(file));
    }

    /** Scores the picture called {@code name}, read by {@code reader}, into {@code summary}, or counts it as skipped with why. */
    public void add(FaithfulnessSummary summary, String name, Supplier<BufferedImage> reader) {
        BufferedImage picture = summary.skippedPictures().read(name, reader);
        if (picture != null) {
            summary.add(inspector.run(picture, name).faithfulness());
        }
    }

    /** How this survey reads pictures (its limits), for readers of other file systems. */
    public ImageLoader loader() {
        return loader;
    }

    /** Options of a survey. */
    public static final class Builder {
        private final InspectableModel model;
        private List<CamMethod> cams = DEFAULT_METHODS;
        private SaliencyMethod saliency;
        private int steps = Faithfulness.DEFAULT_STEPS;
        private boolean road;
        private String layer;
        private ImageLoader loader = ImageLoader.defaults();

        private Builder(InspectableModel model) {
            this.model = model;
        }

        /** The class activation map methods scored; {@link #DEFAULT_METHODS} by default. */
        public Builder cams(List<CamMethod> methods) {
            if (methods.isEmpty()) {
                throw new IllegalArgumentException("Name at least one CAM method to score");
            }
            this.cams = List.copyOf(methods);
            return this;
        }

        /** A saliency method scored beside them (FullGrad, Guided Grad-CAM, ...); none by default. */
        public Builder saliency(SaliencyMethod method) {
            this.saliency = Objects.requireNonNull(method, "method");
            return this;
        }

        /** The steps of each deletion and insertion curve; {@link Faithfulness#DEFAULT_STEPS} by default. */
        public Builder steps(int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("Faithfulness curves take 1 or more steps, was " + steps);
            }
            this.steps = steps;
            return this;
        }

        /** Also ROAD, slower ({@link Faithfulness#road}). */
        public Builder road(boolean road) {
            this.road = road;
            return this;
        }

        /** The layer the maps read; the model's last default tap by default. */
        public Builder layer(String layerName) {
            this.layer = Objects.requireNonNull(layerName, "layerName");
            return this;
        }

        public Builder imageLoader(ImageLoader loader) {
            this.loader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        public FaithfulnessSurvey build() {
            return new FaithfulnessSurvey(this);
        }
    }
}
