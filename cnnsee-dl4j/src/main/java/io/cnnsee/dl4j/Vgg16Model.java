package io.cnnsee.dl4j;

import io.cnnsee.FeatureMap;
import io.cnnsee.InspectableModel;
import io.cnnsee.MapShape;
import io.cnnsee.Tap;
import io.cnnsee.WeightsInfo;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * VGG16 in Deeplearning4j, ready to be inspected. Made with {@link Vgg16#builder()}.
 *
 * <p>Thread-safe: forward passes are serialised on the network, which DL4J does not allow to be
 * used by two threads at once.
 */
public final class Vgg16Model implements InspectableModel {

    private final Vgg16Architecture architecture;
    private final MultiLayerNetwork network;
    private final WeightsInfo weights;
    private final Preprocessing preprocessing;
    private final List<Tap> defaultTaps;
    private volatile boolean closed;

    Vgg16Model(Vgg16Architecture architecture, MultiLayerNetwork network, WeightsInfo weights, Preprocessing preprocessing) {
        this.architecture = architecture;
        this.network = network;
        this.weights = weights;
        this.preprocessing = preprocessing;
        this.defaultTaps = architecture.defaultTaps();
    }

    @Override
    public String name() {
        return architecture.isStandard() ? "VGG16" : architecture.toString();
    }

    @Override
    public WeightsInfo weights() {
        return weights;
    }

    @Override
    public MapShape inputShape() {
        return new MapShape(3, architecture.inputSize(), architecture.inputSize());
    }

    public Vgg16Architecture architecture() {
        return architecture;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** {@code block1_conv2} 64 x 224 x 224 ... {@code block5_conv3} 512 x 14 x 14. */
    @Override
    public List<Tap> taps() {
        return defaultTaps;
    }

    @Override
    public Tap tap(String layerName) {
        Objects.requireNonNull(layerName, "layerName");
        for (Tap t : defaultTaps) {
            if (t.layerName().equals(layerName)) {
                return t;
            }
        }
        int index = architecture.indexOf(layerName);
        if (index < 0) {
            throw new IllegalArgumentException("VGG16 has no layer '" + layerName + "'"
                    + (architecture.includeTop() ? "" : " (the dense layers need the top: includeTop)")
                    + "; its layers: " + architecture.layers().stream().map(LayerSpec::name).toList());
        }
        return Tap.of(layerName, architecture.outputShape(index));
    }

    @Override
    public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
        Objects.requireNonNull(image, "image must not be null");
        Objects.requireNonNull(taps, "taps");
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Name at least one tap to read");
        }
        int[] indices = new int[taps.size()];
        int last = 0;
        for (int i = 0; i < taps.size(); i++) {
            Tap t = taps.get(i);
            indices[i] = architecture.indexOf(t.layerName());
            if (indices[i] < 0 || !architecture.outputShape(indices[i]).equals(t.shape())) {
                throw new IllegalArgumentException("Tap " + t + " is not a layer of " + name()
                        + "; ask the model for its taps with taps() or tap(name)");
            }
            last = Math.max(last, indices[i]);
        }
        INDArray input = Nd4j.create(preprocessing.apply(image),
                new long[] {1, 3, architecture.inputSize(), architecture.inputSize()}, 'c');
        List<INDArray> activations;
        synchronized (network) {
            if (closed) {
                throw new IllegalStateException(name() + " has been closed");
            }
            // One pass, stopping at the deepest tap; element 0 is the input.
            activations = network.feedForwardToLayer(last, input, false);
            network.clear(); // the layers keep their inputs; drop those references before freeing them
        }
        try {
            List<FeatureMap> maps = new ArrayList<>(taps.size());
            for (int i = 0; i < taps.size(); i++) {
                INDArray a = activations.get(indices[i] + 1);
                maps.add(FeatureMap.fill(taps.get(i), target -> copyInto(a, target)));
            }
            return maps;
        } finally {
            // Free the activations' native memory now rather than when the garbage collector gets to
            // them: a full-size pass holds about 100 MB of it, and long runs must stay flat.
            release(activations);
        }
    }

    /**
     * The class probabilities for {@code image}, one per class.
     *
     * @throws IllegalStateException if the network was built without its top
     */
    public float[] predict(BufferedImage image) {
        if (!architecture.includeTop()) {
            throw new IllegalStateException("Predictions need the dense top: build the model with includeTop(true)");
        }
        int last = architecture.layers().size() - 1;
        return forward(image, List.of(tap(architecture.layers().get(last).name()))).get(0).toArray();
    }

    private static void release(List<INDArray> arrays) {
        for (INDArray a : arrays) {
            if (a != null && a.closeable()) {
                a.close();
            }
        }
    }

    private static void copyInto(INDArray activation, float[] target) {
        INDArray c = activation.ordering() == 'c' && !activation.isView() ? activation : activation.dup('c');
        if (c.length() != target.length) {
            throw new IllegalStateException("Activation of shape " + java.util.Arrays.toString(c.shape())
                    + " does not fit " + target.length + " values");
        }
        c.data().asNioFloat().get(target);
    }

    @Override
    public void close() {
        synchronized (network) {
            if (!closed) {
                closed = true;
                network.close();
            }
        }
    }

    @Override
    public String toString() {
        return name() + " (" + weights.source() + ")";
    }
}
