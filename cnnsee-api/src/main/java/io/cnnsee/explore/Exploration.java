package io.cnnsee.explore;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMap;
import io.cnnsee.Prediction;
import io.cnnsee.Tap;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One picture explored: the output of every layer from one pass, and each layer's
 * {@link LayerView} made on first request and kept, so that switching back and forth between
 * layers never runs the network again. Thread-safe: two requests for the same layer may both make
 * its view, and one of the two is kept.
 */
public final class Exploration {

    private final String id;
    private final String source;
    private final BufferedImage picture;
    private final int originalWidth;
    private final int originalHeight;
    private final List<FeatureMap> maps;
    private final Set<Tap> defaults;
    private final List<Prediction> predictions;
    private final List<ChannelRanker> rankers;
    private final AtomicReferenceArray<LayerView> views;
    private final int maxTileSide;
    private final Object[] locks;

    Exploration(String id, String source, BufferedImage picture, int originalWidth, int originalHeight,
                List<FeatureMap> maps, Set<Tap> defaults, List<Prediction> predictions, List<ChannelRanker> rankers,
                int maxTileSide) {
        this.id = Objects.requireNonNull(id, "id");
        this.source = Objects.requireNonNull(source, "source");
        this.picture = Objects.requireNonNull(picture, "picture");
        this.originalWidth = originalWidth;
        this.originalHeight = originalHeight;
        this.maps = List.copyOf(maps);
        this.defaults = Set.copyOf(defaults);
        this.predictions = List.copyOf(predictions);
        this.rankers = List.copyOf(rankers);
        this.views = new AtomicReferenceArray<>(maps.size());
        this.maxTileSide = maxTileSide;
        this.locks = new Object[maps.size()];
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /** A name for this exploration that cannot be guessed: the server's URLs use it. */
    public String id() {
        return id;
    }

    public String source() {
        return source;
    }

    /** The picture the network saw (the model's view of it, at most {@link Explorer#PICTURE_SIDE} pixels a side). */
    public BufferedImage picture() {
        return picture;
    }

    /** Layers, in network order. */
    public int layerCount() {
        return maps.size();
    }

    /**
     * Layer {@code index}'s output.
     *
     * @throws IllegalArgumentException naming the number of layers if there is no such layer
     */
    public FeatureMap map(int index) {
        checkLayer(index);
        return maps.get(index);
    }

    /**
     * Layer {@code index}'s view, made on the first call and kept. A call while another thread
     * makes it waits for that one rather than making it twice.
     */
    public LayerView layer(int index) {
        checkLayer(index);
        LayerView view = views.get(index);
        if (view != null) {
            return view;
        }
        synchronized (locks[index]) {
            view = views.get(index);
            if (view == null) {
                view = LayerView.of(maps.get(index), rankers, maxTileSide);
                views.set(index, view);
            }
            return view;
        }
    }

    public List<Prediction> predictions() {
        return predictions;
    }

    /** Values held: what this exploration costs in memory, about 4 bytes each. */
    public long values() {
        return maps.stream().mapToLong(m -> (long) m.channelCount() * m.height() * m.width()).sum();
    }

    private void checkLayer(int index) {
        if (index < 0 || index >= maps.size()) {
            throw new IllegalArgumentException("No layer " + index + ": the picture was explored at "
                    + maps.size() + " layers, 0 to " + (maps.size() - 1));
        }
    }

    /** The page's summary: source, sizes, predictions and the layers with their shapes. */
    public String json() {
        Json j = new Json().object().name("id").value(id).name("source").value(source)
                .name("width").value(originalWidth).name("height").value(originalHeight);
        j.name("predictions").array();
        for (Prediction p : predictions) {
            j.object().name("classIndex").value(p.classIndex()).name("label").value(p.label())
                    .name("probability").value(p.probability()).end();
        }
        j.endArray().name("layers").array();
        for (int i = 0; i < maps.size(); i++) {
            FeatureMap m = maps.get(i);
            Tap t = m.tap();
            j.object().name("index").value(i).name("name").value(t.layerName()).name("displayName").value(t.displayName())
                    .name("channels").value(m.channelCount()).name("height").value(m.height())
                    .name("width").value(m.width()).name("default").value(defaults.contains(t)).end();
        }
        return j.endArray().end().toString();
    }
}
