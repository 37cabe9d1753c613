package io.cnnsee.dl4j;

import io.cnnsee.ClassGradient;
import io.cnnsee.FeatureMap;
import io.cnnsee.FirstLayerKernels;
import io.cnnsee.InspectableModel;
import io.cnnsee.MapShape;
import io.cnnsee.Tap;
import io.cnnsee.WeightsInfo;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * VGG16 in Deeplearning4j, ready to be inspected. Made with {@link Vgg16#builder()}.
 *
 * <p>Thread-safe: what uses the Deeplearning4j network is serialised on it, as DL4J does not allow
 * it to be used by two threads at once; the oneDNN pass runs on two lanes, so two callers' pictures
 * go through at once, one core each (see onALane). The pass runs on oneDNN's primitives, called directly, with the
 * convolution kernels reordered once into oneDNN's layout on first use (see {@link OnednnPass});
 * the backward half of class gradients runs ND4J's operations (see {@link Vgg16Inference});
 * {@link #network()} gives the Deeplearning4j network for everything else.
 */
public final class Vgg16Model implements InspectableModel {

    /** Lanes a batch runs in at once (see runInLanes): two where there are two cores or more. */
    private static final int LANES = Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
    /** OpenMP threads of each lane: the cores shared between the lanes. */
    private static final int THREADS_PER_LANE = Math.max(1, Runtime.getRuntime().availableProcessors() / LANES);

    private final Vgg16Architecture architecture;
    private final MultiLayerNetwork network;
    private final WeightsInfo weights;
    private final Preprocessing preprocessing;
    private final List<Tap> defaultTaps;
    private final Vgg16Inference inference;
    /** Null where oneDNN's presets are not available: the pass then runs on {@link #inference}. */
    private final OnednnPass pass;
    /** Runs the second half of a batch (see runInLanes); made on first use, by a caller holding all lanes. */
    private ExecutorService laneThread;
    /** Which lanes of the pass are running (see takeLane); guarded by itself. */
    private final boolean[] laneBusy = new boolean[LANES];
    private final ConvolutionAlgorithm convolutions;
    private volatile boolean closed;
    /** The network through Deeplearning4j's layers, for gradients to the input; guarded by {@code network}. */
    private Dl4jModel generic;

    Vgg16Model(Vgg16Architecture architecture, MultiLayerNetwork network, WeightsInfo weights, Preprocessing preprocessing,
               ConvolutionAlgorithm convolutions) {
        this.architecture = architecture;
        this.network = network;
        this.weights = weights;
        this.preprocessing = preprocessing;
        this.defaultTaps = architecture.defaultTaps();
        this.inference = new Vgg16Inference(architecture, network);
        this.pass = OnednnPass.create(architecture, network, convolutions).orElse(null);
        this.convolutions = convolutions;
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

    /**
     * The Deeplearning4j network, layer by layer with the Keras names, holding the weights. Not
     * thread-safe, and not guarded by this model's lock: use it from one thread, for DL4J's own
     * API (feedForward, summary, saving). Changing its convolution kernels after the first
     * inspection is not seen by this model's pass, which reorders copies of them into oneDNN's
     * layout once; build a model from other weights instead.
     */
    public MultiLayerNetwork network() {
        return network;
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

    /** The 13 convolutions and 5 poolings, in order; the default taps keep their block names. */
    @Override
    public List<Tap> allTaps() {
        List<Tap> all = new ArrayList<>();
        for (LayerSpec spec : architecture.layers()) {
            if (spec.kind() == LayerSpec.Kind.CONV || spec.kind() == LayerSpec.Kind.POOL) {
                all.add(tap(spec.name()));
            }
        }
        return all;
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
        return forwardAll(List.of(image), taps).get(0);
    }

    /**
     * The pictures' maps under one hold of the lock. On two cores or more the batch runs in two
     * lanes at once, half the pictures each, on half the cores each (the second lane on a thread
     * of this model's). In each lane the convolutions run picture by picture up to
     * {@link #firstBatchedLayer()}, so one picture's activations stay in cache; from there on the
     * lane's pictures run at once, which reads each large kernel once per lane rather than once per
     * picture. A batch of 8 costs about 0.8 of one at a time per picture with the top; without, about
     * 0.93 with direct convolutions, and with Winograd 0.73 to 1.36 from run to run, on either side of
     * one at a time (docs/performance.md). It keeps a second set of the pass's memory for the second lane.
     */
    @Override
    public List<List<FeatureMap>> forwardAll(List<BufferedImage> images, List<Tap> taps) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(taps, "taps");
        if (images.isEmpty()) {
            return List.of();
        }
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Name at least one tap to read");
        }
        int[] indices = layerIndices(taps);
        int last = java.util.Arrays.stream(indices).max().orElseThrow();
        int n = images.size();
        for (BufferedImage image : images) {
            Objects.requireNonNull(image, "image must not be null");
        }
        FeatureMap[][] maps = new FeatureMap[n][taps.size()];
        Set<Integer> read = setOf(indices);
        PlanReader reader = (plan, slot, p, first, upTo) -> readTaps(plan, slot, first, upTo, indices, taps, maps[p]);
        if (pass != null && n > 1 && LANES > 1) {
            onALane(false, all -> runInLanes(images, last, read, reader));
            return rows(maps);
        }
        // Preprocessing outside the lock, so other threads' pictures get ready meanwhile.
        List<float[]> inputs = new ArrayList<>(n);
        for (BufferedImage image : images) {
            inputs.add(preprocessing.apply(image));
        }
        if (pass == null) {
            forwardOnNd4j(inputs, last, read, indices, taps, maps);
            return rows(maps);
        }
        onALane(n == 1, lane -> {
            Lane plans;
            synchronized (network) {
                checkOpen();
                plans = lane(lane, n, last);
            }
            runOnOnednn(n, inputs::get, plans, read, reader, 0);
        });
        return rows(maps);
    }

    /**
     * Runs {@code work} on a lane of the pass taken for it: two callers' pictures run at once, each
     * on a lane of its own. A caller alone keeps all cores; one that finds the other lane running
     * takes its share of them (OpenMP's thread count is set per calling thread), so two callers
     * together use each core once. The results are the same either way: oneDNN's maps came out
     * bitwise equal on one thread and on two (full-size VGG16, both algorithms, with and without
     * top). {@code concurrent} false takes all lanes, for work that may not share the machine.
     */
    private void onALane(boolean concurrent, java.util.function.IntConsumer work) {
        if (!concurrent) {
            takeAllLanes();
            try {
                work.accept(0);
            } finally {
                releaseLanes();
            }
            return;
        }
        int lane = takeLane();
        try {
            boolean shared;
            synchronized (laneBusy) {
                shared = busyLanes() > 1;
            }
            if (shared) {
                OmpThreads.with(THREADS_PER_LANE, () -> work.accept(lane));
            } else {
                work.accept(lane);
            }
        } finally {
            releaseLane(lane);
        }
    }

    /** A free lane, marked running; waits while all run. */
    private int takeLane() {
        return takeLanes(false);
    }

    /** All lanes, marked running, for a batch; waits until none runs. */
    private void takeAllLanes() {
        takeLanes(true);
    }

    /** One free lane, or all lanes when {@code all}, marked running, once there are; returns the lane (0 for all). */
    private int takeLanes(boolean all) {
        synchronized (laneBusy) {
            boolean interrupted = false;
            try {
                while (true) {
                    checkOpen();
                    if (all && busyLanes() == 0) {
                        java.util.Arrays.fill(laneBusy, true);
                        return 0;
                    }
                    for (int i = 0; !all && i < LANES; i++) {
                        if (!laneBusy[i]) {
                            laneBusy[i] = true;
                            return i;
                        }
                    }
                    interrupted |= waitForLanes();
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Waits for a lane to be released; true if interrupted meanwhile (the wait goes on: a pass is short). */
    private boolean waitForLanes() {
        try {
            laneBusy.wait();
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    private int busyLanes() {
        int n = 0;
        for (boolean busy : laneBusy) {
            n += busy ? 1 : 0;
        }
        return n;
    }

    private void releaseLane(int lane) {
        synchronized (laneBusy) {
            laneBusy[lane] = false;
            laneBusy.notifyAll();
        }
    }

    private void releaseLanes() {
        synchronized (laneBusy) {
            java.util.Arrays.fill(laneBusy, false);
            laneBusy.notifyAll();
        }
    }

    /**
     * Runs the first half of the pictures on the calling thread and the second half on the lane
     * thread at the same time, each on its own plans and on half the cores (OpenMP's thread count
     * is the calling thread's own setting): one picture's work outside the convolutions, oneDNN's
     * reorders and the copies of its maps, no longer leaves a core idle (see forwardAll for what it
     * measured). Each lane preprocesses its pictures as it goes, beside the other lane's
     * convolutions. The caller holds all lanes.
     */
    private void runInLanes(List<BufferedImage> images, int last, Set<Integer> read, PlanReader reader) {
        int n = images.size();
        int half = (n + 1) / 2;
        // Plans are made here, one lane after the other, under the lock: making them shares the kernels.
        Lane mine;
        Lane theirs;
        synchronized (network) {
            checkOpen();
            mine = lane(0, half, last);
            theirs = lane(1, n - half, last);
        }
        Future<?> other = laneThread().submit(() -> OmpThreads.with(THREADS_PER_LANE, () -> runOnOnednn(n - half,
                p -> preprocessing.apply(images.get(half + p)), theirs, read, reader, half)));
        try {
            OmpThreads.with(THREADS_PER_LANE, () -> runOnOnednn(half, p -> preprocessing.apply(images.get(p)), mine, read,
                    reader, 0));
        } finally {
            awaitLane(other); // also when this half failed: the other half's memory is in use until it ends
        }
    }

    private static void awaitLane(Future<?> lane) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    lane.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the lane must end before its memory can be used again
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException("The second lane of a batch failed", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The thread that runs a batch's second lane, made on first use; the caller holds all lanes. */
    private ExecutorService laneThread() {
        if (laneThread == null) {
            laneThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "cnnsee-vgg16-lane");
                t.setDaemon(true);
                return t;
            });
        }
        return laneThread;
    }

    /**
     * Reads what a run of {@link #runOnOnednn} made: picture {@code picture} of the batch, which is
     * picture {@code slot} of {@code plan}, the plan that ran layers {@code first} to {@code last}.
     */
    @FunctionalInterface
    private interface PlanReader {
        void read(OnednnPass.Plan plan, int slot, int picture, int first, int last);
    }

    /**
     * The plans one lane runs {@code pictures} pictures through layers 0 to {@code last} with:
     * picture by picture up to {@link #firstBatchedLayer()}, then ({@code batch}, null when
     * {@code last} comes before it) all at once.
     */
    private record Lane(OnednnPass.Plan shallow, OnednnPass.Plan batch, int split) {
    }

    private Lane lane(int lane, int pictures, int last) {
        int split = firstBatchedLayer();
        OnednnPass.Plan shallow = pass.plan(0, Math.min(last, split - 1), 1, lane);
        return new Lane(shallow, last >= split ? pass.plan(split, last, pictures, lane) : null, split);
    }

    /**
     * Runs {@code n} pictures, {@code input} giving each preprocessed (channel-major), through
     * {@code plans}, reading the outputs of the layers in {@code read}, and hands each picture to
     * {@code reader}, as picture {@code offset + p}, while its outputs are valid. The caller holds
     * the plans' lane.
     */
    private static void runOnOnednn(int n, IntFunction<float[]> input, Lane plans, Set<Integer> read, PlanReader reader,
                                    int offset) {
        OnednnPass.Plan shallow = plans.shallow();
        OnednnPass.Plan batch = plans.batch();
        // Without a batched part, the shallow plan runs to the last layer asked for.
        int shallowLast = batch != null ? plans.split() - 1 : Integer.MAX_VALUE;
        Set<Integer> layers = new HashSet<>(read);
        if (batch != null) {
            layers.add(shallowLast); // what the batched layers start from
        }
        for (int p = 0; p < n; p++) {
            shallow.input(0, input.apply(p));
            shallow.run(layers);
            reader.read(shallow, 0, offset + p, 0, shallowLast);
            if (batch != null) {
                batch.input(p, shallow);
            }
        }
        if (batch != null) {
            batch.run(layers);
            for (int p = 0; p < n; p++) {
                reader.read(batch, p, offset + p, plans.split(), Integer.MAX_VALUE);
            }
        }
    }

    private static List<List<FeatureMap>> rows(FeatureMap[][] maps) {
        List<List<FeatureMap>> out = new ArrayList<>(maps.length);
        for (FeatureMap[] m : maps) {
            out.add(List.of(m));
        }
        return out;
    }

    /** The pass on ND4J's operations, all pictures at once: where oneDNN's presets are not available. */
    private void forwardOnNd4j(List<float[]> planar, int last, Set<Integer> keep, int[] indices, List<Tap> taps,
                               FeatureMap[][] maps) {
        int size = architecture.inputSize();
        int values = 3 * size * size;
        float[] hwc = new float[planar.size() * values];
        for (int p = 0; p < planar.size(); p++) {
            toChannelsLast(planar.get(p), hwc, p * values);
        }
        Map<Integer, INDArray> out = Map.of();
        try (INDArray input = Nd4j.create(hwc, new long[] {planar.size(), size, size, 3}, 'c')) {
            synchronized (network) {
                checkOpen();
                out = inference.run(input, 0, last, keep);
            }
            for (int p = 0; p < planar.size(); p++) {
                for (int i = 0; i < taps.size(); i++) {
                    INDArray a = out.get(indices[i]);
                    int picture = p;
                    maps[p][i] = FeatureMap.fill(taps.get(i), target -> Activations.copyChannelMajor(a, picture, target));
                }
            }
        } finally {
            out.values().forEach(INDArray::close);
        }
    }

    /** Fills the maps of the taps on layers {@code first} to {@code last} with picture {@code slot} of {@code plan}'s last run. */
    private static void readTaps(OnednnPass.Plan plan, int slot, int first, int last, int[] indices, List<Tap> taps,
                                 FeatureMap[] maps) {
        for (int i = 0; i < taps.size(); i++) {
            int layer = indices[i];
            if (layer >= first && layer <= last) {
                maps[i] = FeatureMap.fill(taps.get(i), target -> plan.read(layer, slot, target));
            }
        }
    }

    /**
     * The first layer run on a whole batch at once. With Winograd, block 5's first convolution:
     * on 8 pictures' 14 x 14 maps oneDNN runs its F(4x4, 3x3) kernel, faster than the F(2x2, 3x3)
     * it runs for one picture, and reads each kernel once per batch. Batching from block 4 on
     * measured as cheap in some runs and 1.25 times dearer per picture in others (docs/
     * performance.md); before that, a picture's activations at full size stay in cache only one
     * picture at a time. With direct convolutions batching blocks 4 and 5 measured slower per
     * picture, so only the dense top, whose first kernel is 411 MB, runs on the batch.
     */
    private int firstBatchedLayer() {
        return convolutions == ConvolutionAlgorithm.WINOGRAD ? architecture.indexOf("block5_conv1") : architecture.firstDenseIndex();
    }

    /** The OpenMP threads every plan is made with; 0 when the pass runs on ND4J's operations. */
    int planThreads() {
        return pass == null ? 0 : pass.planThreads();
    }

    /** The OpenMP threads each plan kept was made with; empty when the pass runs on ND4J's operations. */
    List<Integer> threadsOfPlans() {
        synchronized (network) {
            return pass == null ? List.of() : pass.threadsOfPlans();
        }
    }

    /**
     * What oneDNN runs for each layer of a one-picture pass up to {@code lastLayer}, e.g.
     * "block1_conv2: brgconv:avx512_core"; empty when the pass runs on ND4J's operations.
     */
    List<String> implementations(String lastLayer) {
        int last = architecture.indexOf(lastLayer);
        synchronized (network) {
            checkOpen();
            if (pass == null) {
                return List.of();
            }
            Lane plans = lane(0, 1, last); // the plans a single picture runs through
            List<String> all = new ArrayList<>(plans.shallow().implementations());
            if (plans.batch() != null) {
                all.addAll(plans.batch().implementations());
            }
            return all;
        }
    }

    /**
     * How this model's convolutions are computed, as asked of its builder. Where oneDNN's presets
     * are not available (see docs/platforms.md), ND4J's operations run the pass instead and
     * choose their own algorithm.
     */
    public ConvolutionAlgorithm convolutions() {
        return convolutions;
    }

    /** The central square of {@code image} when the model crops (centerCrop), else the whole picture. */
    @Override
    public BufferedImage inputView(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        int w = image.getWidth();
        int h = image.getHeight();
        if (!preprocessing.centerCrop() || w == h) {
            return image;
        }
        int side = Math.min(w, h);
        return image.getSubimage((w - side) / 2, (h - side) / 2, side, side);
    }

    /**
     * The kernels of {@code block1_conv1} for {@link io.cnnsee.render.Filters}, in RGB order. (The
     * network takes BGR input, as Keras' preprocessing gives it, so the planes are put back in
     * RGB order here.) Always present.
     */
    @Override
    public Optional<FirstLayerKernels> firstLayerKernels() {
        float[] bgr;
        int out;
        int k;
        synchronized (network) {
            checkOpen();
            INDArray w = network.getLayer(0).getParam("W"); // [out, in, kh, kw]
            out = (int) w.size(0);
            k = (int) w.size(2);
            try (INDArray copy = w.dup('c')) {
                bgr = copy.data().asFloat();
            }
        }
        int plane = k * k;
        float[] rgb = new float[bgr.length];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(bgr, (o * 3 + (2 - c)) * plane, rgb, (o * 3 + c) * plane, plane);
            }
        }
        return Optional.of(new FirstLayerKernels(architecture.layers().get(0).name(), out, k, rgb));
    }

    /**
     * The gradient of a class score with respect to convolutional or pooling layers, by one
     * forward pass and one backward pass through the network's own parameters (ReLUs masked by
     * their outputs, pools routed to their largest input, convolutions as correlations with the
     * turned kernels). Needs the model's top.
     */
    @Override
    public ClassGradient classGradient(BufferedImage image, int classIndex, List<Tap> taps) {
        Objects.requireNonNull(image, "image must not be null");
        Objects.requireNonNull(taps, "taps");
        Tap classifier = classifier().orElseThrow(() -> new UnsupportedOperationException(
                "Class gradients (Grad-CAM) need the class scores: build the model with includeTop(true)"
                        + " (on the command line: --include-top)"));
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("Name at least one layer to differentiate");
        }
        if (classIndex != ClassGradient.MOST_PROBABLE_CLASS && (classIndex < 0 || classIndex >= architecture.classes())) {
            throw new IllegalArgumentException("Class " + classIndex + " is not one of " + name() + "'s classes 0 to "
                    + (architecture.classes() - 1));
        }
        int firstDense = architecture.firstDenseIndex();
        int[] indices = layerIndices(taps);
        int lowest = Integer.MAX_VALUE;
        for (int i = 0; i < taps.size(); i++) {
            if (indices[i] >= firstDense) {
                throw new IllegalArgumentException("Grad-CAM needs a convolutional layer; " + taps.get(i).layerName()
                        + " is dense: choose one of block1_conv1 ... block5_pool");
            }
            lowest = Math.min(lowest, indices[i]);
        }
        int penultimate = architecture.layers().size() - 2;
        Set<Integer> wanted = setOf(indices);
        Set<Integer> needed = layers(lowest, penultimate);

        Map<Integer, INDArray> outputs = new HashMap<>();
        Map<Integer, INDArray> gradients = Map.of();
        float[] planar = preprocessing.apply(image);
        try {
            float[] probabilities;
            int chosen;
            float score;
            // The forward half runs on a lane's plans: no other caller may run them meanwhile.
            int lane = pass != null ? takeLane() : -1;
            try {
                synchronized (network) {
                    checkOpen();
                    forwardHalf(planar, penultimate, needed, lane, outputs);
                    try (INDArray logits = inference.logits(outputs.get(penultimate));
                         INDArray softmax = Transforms.softmax(logits, true)) {
                        probabilities = softmax.data().asFloat();
                        chosen = classIndex == ClassGradient.MOST_PROBABLE_CLASS ? argmax(probabilities) : classIndex;
                        score = logits.getFloat(0, chosen);
                    }
                    try (INDArray start = inference.logitGradient(chosen)) {
                        gradients = inference.backward(start, penultimate, lowest, outputs, wanted);
                    }
                }
            } finally {
                if (lane >= 0) {
                    releaseLane(lane);
                }
            }
            List<FeatureMap> activations = new ArrayList<>(taps.size());
            List<FeatureMap> grads = new ArrayList<>(taps.size());
            for (int i = 0; i < taps.size(); i++) {
                INDArray a = outputs.get(indices[i]);
                INDArray g = gradients.get(indices[i]);
                activations.add(FeatureMap.fill(taps.get(i), target -> Activations.copyChannelMajor(a, 0, target)));
                grads.add(FeatureMap.fill(taps.get(i), target -> Activations.copyChannelMajor(g, 0, target)));
            }
            return new ClassGradient(chosen, score, FeatureMap.copyOf(classifier, probabilities), activations, grads);
        } finally {
            outputs.values().forEach(INDArray::close);
            gradients.values().forEach(INDArray::close);
        }
    }

    /** The index in the architecture of each tap's layer, checked against the tap's shape. */
    private int[] layerIndices(List<Tap> taps) {
        int[] indices = new int[taps.size()];
        for (int i = 0; i < taps.size(); i++) {
            Tap t = Objects.requireNonNull(taps.get(i), "tap");
            indices[i] = architecture.indexOf(t.layerName());
            if (indices[i] < 0 || !architecture.outputShape(indices[i]).equals(t.shape())) {
                throw new IllegalArgumentException("Tap " + t + " is not a layer of " + name()
                        + "; ask the model for its taps with taps() or tap(name)");
            }
        }
        return indices;
    }

    private static Set<Integer> setOf(int[] indices) {
        Set<Integer> set = new HashSet<>();
        for (int index : indices) {
            set.add(index);
        }
        return set;
    }

    /** The index of the largest value; the first of equals. */
    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name() + " has been closed");
        }
    }

    /** The {@code predictions} layer when the model has its top; empty without. */
    @Override
    public Optional<Tap> classifier() {
        if (!architecture.includeTop()) {
            return Optional.empty();
        }
        return Optional.of(tap(architecture.layers().get(architecture.layers().size() - 1).name()));
    }

    /** VGG's 3 x 3 convolutions (stride 1, padding 1) and 2 x 2 pools (stride 2), up to the tap's layer. */
    @Override
    public Optional<io.cnnsee.ReceptiveField> receptiveField(Tap tap) {
        int index = architecture.indexOf(Objects.requireNonNull(tap, "tap").layerName());
        if (index < 0 || index >= architecture.firstDenseIndex()) {
            return Optional.empty();
        }
        io.cnnsee.ReceptiveField field = io.cnnsee.ReceptiveField.PIXEL;
        for (int i = 0; i <= index; i++) {
            field = architecture.layers().get(i).kind() == LayerSpec.Kind.CONV ? field.then(3, 1, 1, 1) : field.then(2, 2, 0, 1);
        }
        return Optional.of(field);
    }

    @Override
    public Optional<io.cnnsee.ImageInput> imageInput() {
        return Optional.of(preprocessing.input());
    }

    /** VGG16's input for {@code image}: B, G, R planes, ImageNet means subtracted ({@link Preprocessing}). */
    @Override
    public float[] networkInput(BufferedImage image) {
        return preprocessing.apply(Objects.requireNonNull(image, "image"));
    }

    /**
     * The forward half of a gradient: {@code planar} through layers 0 to {@code last}, the outputs
     * of the {@code needed} layers put into {@code into} channels-last, as ND4J's backward half
     * takes them; on the oneDNN pass (the lane's plans) where there is one. The caller holds the
     * network's lock and closes what {@code into} holds, also when this throws.
     */
    private void forwardHalf(float[] planar, int last, Set<Integer> needed, int lane, Map<Integer, INDArray> into) {
        if (pass != null) {
            runOnOnednn(1, p -> planar, lane(lane, 1, last), needed, (plan, slot, p, first, upTo) -> {
                for (int layer : needed) {
                    if (layer >= first && layer <= upTo) {
                        into.put(layer, channelsLast(plan, slot, layer));
                    }
                }
            }, 0);
        } else {
            try (INDArray input = channelsLast(planar)) {
                into.putAll(inference.run(input, 0, last, needed));
            }
        }
    }

    /**
     * An objective read at one layer (channels of one conv or pool layer, or class scores) runs
     * the convolutional half forward and backward on oneDNN ({@link OnednnBackward}); class scores
     * add the dense layers on ND4J's operations; channel objectives go through
     * {@link #channelGradients}, as a batch of one. Others (terms at several layers, dense layers)
     * go through the Deeplearning4j network's own layers ({@link Dl4jModel}, sharing this model's
     * weights), several times slower.
     */
    @Override
    public io.cnnsee.InputGradient inputGradient(float[] input, io.cnnsee.Objective objective) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(objective, "objective");
        int layer = singleLayer(objective);
        if (layer < 0) {
            return generic().inputGradient(input, objective);
        }
        int size = architecture.inputSize();
        checkInputSize(input);
        int penultimate = architecture.layers().size() - 2;
        if (layer != penultimate + 1) {
            return channelGradients(List.of(input), List.of(objective), layer).get(0);
        }
        // Class scores: the convolutional half forward and backward on oneDNN (or ND4J's operations), the
        // dense layers on ND4J's, the scores' gradient from the logits' kernel.
        int top = architecture.firstDenseIndex() - 1; // the last pool, which the dense layers read
        Map<Integer, INDArray> outputs = new HashMap<>();
        Map<Integer, INDArray> gradients = Map.of();
        try {
            double value = 0;
            float[] planar = new float[3 * size * size];
            int lane = takeLane();
            try {
                synchronized (network) {
                    checkOpen();
                    OnednnPass.Plan plan = null;
                    if (pass != null) {
                        plan = pass.trainingPlan(top, lane);
                        plan.input(0, input);
                        plan.run(Set.of(top));
                        outputs.put(top, channelsLast(plan, 0, top));
                    } else {
                        try (INDArray x = channelsLast(input)) {
                            outputs.putAll(inference.run(x, 0, top, layers(0, top)));
                        }
                    }
                    outputs.putAll(inference.run(outputs.get(top), top + 1, penultimate, layers(top + 1, penultimate)));
                    INDArray start = null;
                    try {
                        try (INDArray scores = inference.logits(outputs.get(penultimate))) {
                            for (io.cnnsee.Objective.Term t : objective.terms()) {
                                value += t.weight() * scores.getDouble(0, t.index());
                                try (INDArray g = inference.logitGradient(t.index())) {
                                    start = start == null ? g.mul(t.weight()) : start.addi(g.mul(t.weight()));
                                }
                            }
                        }
                        int to = plan != null ? top : -1;
                        gradients = inference.backward(start, penultimate, to, outputs, Set.of(to));
                    } finally {
                        if (start != null) {
                            start.close();
                        }
                    }
                    if (plan != null) {
                        float[] seed = new float[(int) plan.perPicture(top)];
                        Activations.copyChannelMajor(gradients.get(top), 0, seed);
                        planar = plan.backward().run(seed);
                    } else {
                        Activations.copyChannelMajor(gradients.get(-1), 0, planar); // [1, h, w, 3], channels-last B, G, R
                    }
                }
            } finally {
                releaseLane(lane);
            }
            return new io.cnnsee.InputGradient(objective, value, inputShape(), planar);
        } finally {
            outputs.values().forEach(INDArray::close);
            gradients.values().forEach(INDArray::close);
        }
    }

    /** Layers {@code first} to {@code last}. */
    private static Set<Integer> layers(int first, int last) {
        Set<Integer> layers = new HashSet<>();
        for (int i = first; i <= last; i++) {
            layers.add(i);
        }
        return layers;
    }

    /**
     * A batch of channel objectives that all read one convolution or pooling layer runs as one
     * ({@link #channelGradients}); anything else goes one by one.
     */
    @Override
    public List<io.cnnsee.InputGradient> inputGradients(List<float[]> inputs, List<io.cnnsee.Objective> objectives) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(objectives, "objectives");
        if (inputs.size() < 2 || inputs.size() != objectives.size()) {
            return io.cnnsee.InspectableModel.super.inputGradients(inputs, objectives);
        }
        int layer = -2;
        for (io.cnnsee.Objective o : objectives) {
            int at = singleLayer(o);
            if (at < 0 || at == architecture.layers().size() - 1 || (layer != -2 && at != layer)) {
                return io.cnnsee.InspectableModel.super.inputGradients(inputs, objectives);
            }
            layer = at;
        }
        inputs.forEach(this::checkInputSize);
        return channelGradients(inputs, objectives, layer);
    }

    private void checkInputSize(float[] input) {
        int size = architecture.inputSize();
        if (input.length != 3 * size * size) {
            throw new IllegalArgumentException(name() + " takes inputs of 3 x " + size + " x " + size + " = "
                    + 3 * size * size + " values, not " + input.length);
        }
    }

    /**
     * Input gradients of channel objectives that all read conv or pool layer {@code layer}, one
     * picture each: on oneDNN, forward and backward ({@link OnednnPass#trainingPlan},
     * {@link OnednnBackward}), picture by picture, and for several pictures on two lanes at once,
     * a core each (0.9 of the time per picture of one lane: docs/visualize.md); all pictures in one
     * plan cost as much per picture and held every layer of each. Without oneDNN, on ND4J's
     * operations, picture by picture.
     */
    private List<io.cnnsee.InputGradient> channelGradients(List<float[]> inputs, List<io.cnnsee.Objective> objectives,
                                                         int layer) {
        int n = inputs.size();
        io.cnnsee.InputGradient[] out = new io.cnnsee.InputGradient[n];
        if (pass != null && n > 1 && LANES > 1) {
            // Two lanes, half the pictures each, a core each, as a batch of inspections runs.
            takeAllLanes();
            try {
                OnednnPass.Plan mine;
                OnednnPass.Plan theirs;
                synchronized (network) {
                    checkOpen();
                    mine = pass.trainingPlan(layer, 0);
                    mine.backward();
                    theirs = pass.trainingPlan(layer, 1);
                    theirs.backward();
                }
                int half = (n + 1) / 2;
                Future<?> other = laneThread().submit(() -> OmpThreads.with(THREADS_PER_LANE,
                        () -> channelGradientsOn(theirs, inputs, objectives, layer, half, n, out)));
                try {
                    OmpThreads.with(THREADS_PER_LANE, () -> channelGradientsOn(mine, inputs, objectives, layer, 0, half, out));
                } finally {
                    awaitLane(other);
                }
            } finally {
                releaseLanes();
            }
            return List.of(out);
        }
        int lane = takeLane();
        try {
            synchronized (network) {
                checkOpen();
                if (pass == null) {
                    for (int p = 0; p < n; p++) {
                        out[p] = channelGradientOnNd4j(inputs.get(p), objectives.get(p), layer);
                    }
                } else {
                    channelGradientsOn(pass.trainingPlan(layer, lane), inputs, objectives, layer, 0, n, out);
                }
            }
        } finally {
            releaseLane(lane);
        }
        return List.of(out);
    }

    /**
     * Pictures {@code from} to {@code to - 1} through {@code plan} and its backward pass, one after
     * another, into {@code out}. The caller holds the plan's lane.
     */
    private void channelGradientsOn(OnednnPass.Plan plan, List<float[]> inputs, List<io.cnnsee.Objective> objectives,
                                    int layer, int from, int to, io.cnnsee.InputGradient[] out) {
        var shape = architecture.outputShape(layer);
        OnednnBackward backward = plan.backward();
        float[] output = new float[(int) plan.perPicture(layer)];
        for (int p = from; p < to; p++) {
            plan.input(0, inputs.get(p));
            plan.run(Set.of(layer));
            plan.read(layer, 0, output);
            float[] seed = new float[output.length];
            double value = 0;
            for (io.cnnsee.Objective.Term t : objectives.get(p).terms()) {
                value += t.weight() * ChannelSeed.addTo(seed, output, shape.height(), shape.width(), t.index(),
                        t.kind() == io.cnnsee.Objective.Kind.CENTRE_UNIT, t.weight());
            }
            out[p] = new io.cnnsee.InputGradient(objectives.get(p), value, inputShape(), backward.run(seed));
        }
    }

    /** One picture's channel objective at {@code layer} on ND4J's operations. */
    private io.cnnsee.InputGradient channelGradientOnNd4j(float[] input, io.cnnsee.Objective objective, int layer) {
        Set<Integer> needed = layers(0, layer);
        Map<Integer, INDArray> outputs = Map.of();
        Map<Integer, INDArray> down = Map.of();
        try (INDArray x = channelsLast(input)) {
            outputs = inference.run(x, 0, layer, needed);
            INDArray at = outputs.get(layer);
            var type = org.deeplearning4j.nn.conf.inputs.InputType.convolutional(at.size(1), at.size(2), at.size(3),
                    org.deeplearning4j.nn.conf.CNN2DFormat.NHWC);
            double value = 0;
            try (INDArray start = Nd4j.zeros(at.dataType(), at.shape())) {
                for (io.cnnsee.Objective.Term t : objective.terms()) {
                    value += t.weight() * ChannelSeed.addTo(start, at, type, 0, t.index(),
                            t.kind() == io.cnnsee.Objective.Kind.CENTRE_UNIT, t.weight());
                }
                down = inference.backward(start, layer, -1, outputs, Set.of(-1));
            }
            int size = architecture.inputSize();
            float[] planar = new float[3 * size * size];
            Activations.copyChannelMajor(down.get(-1), 0, planar);
            return new io.cnnsee.InputGradient(objective, value, inputShape(), planar);
        } finally {
            outputs.values().forEach(INDArray::close);
            down.values().forEach(INDArray::close);
        }
    }

    /**
     * The layer an objective reads when all its terms read one conv or pool layer (its index) or
     * all are class scores (the index of the last layer); -1 otherwise. Checks channels and classes.
     */
    private int singleLayer(io.cnnsee.Objective objective) {
        int layer = -2;
        int firstDense = architecture.firstDenseIndex();
        for (io.cnnsee.Objective.Term t : objective.terms()) {
            int at;
            if (t.kind() == io.cnnsee.Objective.Kind.CLASS_LOGIT) {
                if (!architecture.includeTop()) {
                    throw new IllegalArgumentException(name() + " has no class scores without its top: build it with "
                            + "includeTop(true) (on the command line: --include-top)");
                }
                if (t.index() >= architecture.classes()) {
                    throw new IllegalArgumentException("Class " + t.index() + " is not one of " + name() + "'s classes 0 to "
                            + (architecture.classes() - 1));
                }
                at = architecture.layers().size() - 1;
            } else {
                Tap tap = tap(t.layer());
                if (t.index() >= tap.shape().channels()) {
                    throw new IllegalArgumentException(t.layer() + " has channels 0 to " + (tap.shape().channels() - 1)
                            + ", not " + t.index());
                }
                at = architecture.indexOf(t.layer());
                if (at >= firstDense) {
                    return -1;
                }
            }
            if (layer != -2 && layer != at) {
                return -1;
            }
            layer = at;
        }
        return layer;
    }

    /** This network as any Deeplearning4j network, made on first use; it shares the parameters. */
    private Dl4jModel generic() {
        synchronized (network) {
            checkOpen();
            if (generic == null) {
                generic = Dl4jModels.builder(network).name(name()).weights(weights)
                        .input(preprocessing.input()).build();
            }
            return generic;
        }
    }

    /** The ImageNet class name for the standard 1000 classes; "class i" for a network of other classes. */
    @Override
    public String classLabel(int index) {
        return architecture.classes() == ImageNetClasses.COUNT ? ImageNetClasses.label(index) : "class " + index;
    }

    /**
     * The class probabilities for {@code image}, one per class.
     *
     * @throws IllegalStateException if the network was built without its top
     */
    public float[] predict(BufferedImage image) {
        Tap predictions = classifier().orElseThrow(() ->
                new IllegalStateException("Predictions need the dense top: build the model with includeTop(true)"));
        return forward(image, List.of(predictions)).get(0).toArray();
    }

    /**
     * The output of {@code layer}, picture {@code slot} of {@code plan}'s last run, as ND4J's
     * backward pass takes it: [1, h, w, c] for conv and pool layers, [1, units] for dense ones.
     */
    private INDArray channelsLast(OnednnPass.Plan plan, int slot, int layer) {
        MapShape shape = architecture.outputShape(layer);
        float[] values = new float[shape.size()];
        plan.read(layer, slot, values);
        LayerSpec.Kind kind = architecture.layers().get(layer).kind();
        if (kind == LayerSpec.Kind.DENSE || kind == LayerSpec.Kind.SOFTMAX) {
            return Nd4j.create(values, new long[] {1, values.length}, 'c');
        }
        try (INDArray chw = Nd4j.create(values, new long[] {1, shape.channels(), shape.height(), shape.width()}, 'c')) {
            return chw.permute(0, 2, 3, 1).dup('c');
        }
    }

    /** The network input for the preprocessed {@code planar}: [1, size, size, 3], channels-last, made in Java. */
    private INDArray channelsLast(float[] planar) {
        float[] hwc = new float[planar.length];
        toChannelsLast(planar, hwc, 0);
        int size = architecture.inputSize();
        return Nd4j.create(hwc, new long[] {1, size, size, 3}, 'c');
    }

    /** Writes the three planes of {@code planar} into {@code hwc} from {@code offset}, channels-last. */
    private static void toChannelsLast(float[] planar, float[] hwc, int offset) {
        int plane = planar.length / 3;
        for (int p = 0, i = offset; p < plane; p++, i += 3) {
            hwc[i] = planar[p];
            hwc[i + 1] = planar[plane + p];
            hwc[i + 2] = planar[2 * plane + p];
        }
    }

    @Override
    public void close() {
        // Passes on lanes run outside the lock: wait until none runs, and let no other begin.
        synchronized (laneBusy) {
            if (closed) {
                return;
            }
            boolean interrupted = false;
            while (busyLanes() > 0) {
                interrupted |= waitForLanes();
            }
            closed = true;
            laneBusy.notifyAll(); // callers waiting for a lane now see the model closed
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (network) {
            if (laneThread != null) {
                laneThread.shutdown(); // idle: a batch's lanes end before they are released
            }
            if (pass != null) {
                pass.close();
            }
            inference.close();
            network.close();
        }
    }

    @Override
    public String toString() {
        return name() + " (" + weights.source() + ")";
    }
}
