package io.cnnsee.dl4j;

import io.cnnsee.dl4j.engine.onednn.OnednnSteps;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.softmax_forward;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;

/**
 * VGG16's forward pass on oneDNN's primitives, called directly; its training plans also keep
 * what the backward pass ({@link OnednnBackward}) reads.
 *
 * <p>Why not ND4J's {@code conv2d}, which also runs oneDNN: it makes oneDNN's primitive anew on
 * every call, reorders the kernel into oneDNN's layout on every call, into fresh memory, and lets
 * oneDNN choose the algorithm (always direct). Here each {@link Plan} makes its primitives once,
 * reorders each kernel once (kept for every plan that wants the same layout), writes every layer
 * into memory of its own kept from pass to pass, fuses the ReLU into the convolution, and can ask
 * for Winograd (docs/performance.md: the 13 convolutions at the machine's matrix-multiply speed,
 * or twice that with Winograd).
 *
 * <p>Values enter and leave in cnnsee's channel-major order (c, y, x) per picture; inside, oneDNN
 * picks its layouts. The dense layers read Deeplearning4j's parameter arrays in place. Not
 * thread-safe: the caller serialises its use, but for plans of different lanes, which may run at
 * once, each from one thread, once made.
 */
final class OnednnPass implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnednnPass.class);
    private static final long[] ONE = {1, 1};
    /** VGG's pools: 2 x 2 windows, stride 2, no padding (also for {@link OnednnBackward}). */
    static final long[] TWO = {2, 2};
    static final long[] ZERO = {0, 0};

    private final List<LayerSpec> layers;
    private final Vgg16Architecture architecture;
    private final MultiLayerNetwork network;
    private final ConvolutionAlgorithm convolutions;
    private final engine cpu;
    private final stream stream;
    /** The OpenMP threads of the thread that made the pass (the model's builder): every plan is made with them. */
    private final int planThreads;
    /** Per conv layer, its kernel already reordered for a primitive, one per layout asked for. */
    private final Map<Integer, List<memory>> kernels = new HashMap<>();
    /** Likewise, the kernels turned around for the backward pass. */
    private final Map<Integer, List<memory>> turnedKernels = new HashMap<>();
    /** In the order they were made, so that the oldest training plan of a lane goes first. */
    private final Map<PlanKey, Plan> plans = new java.util.LinkedHashMap<>();
    /**
     * Training plans kept per lane: two, so that a class score's gradient (to the last pool) and a
     * channel's (to its layer) taking turns, as saliency beside a visualisation does, do not remake
     * each other's plan every time (about 35 ms each).
     */
    private static final int TRAINING_PLANS = 2;
    /** Everything made here that holds native memory, freed by {@link #close()}. */
    private final List<Pointer> owned = new ArrayList<>();

    /** Set to {@code false} to run the pass on ND4J's operations instead (slower; for comparison or a misbehaving native). */
    static final String PROPERTY = "cnnsee.onednn";

    private record PlanKey(int first, int last, int pictures, int lane, boolean training) {
    }

    /**
     * The pass, or empty where oneDNN's presets cannot be loaded (no natives for this platform,
     * e.g. macOS on Apple silicon) or {@link #PROPERTY} is {@code false}: the model then runs the
     * slower ND4J operations, and says so in its log.
     */
    static Optional<OnednnPass> create(Vgg16Architecture architecture, MultiLayerNetwork network, ConvolutionAlgorithm convolutions) {
        if (switchedOff()) {
            LOG.info("{}=false: the pass runs on ND4J's operations", PROPERTY);
            return Optional.empty();
        }
        try {
            return Optional.of(new OnednnPass(architecture, network, convolutions));
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            LOG.warn("oneDNN's presets (org.bytedeco:dnnl) cannot be loaded on {}-{} ({}): the pass runs on ND4J's "
                    + "operations, several times slower", System.getProperty("os.name"), System.getProperty("os.arch"), e.toString());
            return Optional.empty();
        }
    }

    /** Whether {@link #PROPERTY} says to run on Deeplearning4j's or ND4J's operations instead of oneDNN. */
    static boolean switchedOff() {
        return "false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    private OnednnPass(Vgg16Architecture architecture, MultiLayerNetwork network, ConvolutionAlgorithm convolutions) {
        this.architecture = architecture;
        this.layers = architecture.layers();
        this.network = network;
        this.convolutions = convolutions;
        this.cpu = own(new engine(engine.kind.cpu, 0));
        this.stream = own(new stream(cpu));
        this.planThreads = OmpThreads.current();
    }

    /**
     * The primitives for layers {@code first} to {@code last} on {@code pictures} pictures at once,
     * made on first use and kept. Plans of different lanes have memory of their own and may run at
     * the same time, each from one thread; making plans may not (it shares the kernels). One set
     * for any other number of pictures than 1 is kept per lane at a time, so that a long run of
     * changing batch sizes does not pile up memory. Every plan is made with {@link #planThreads}
     * OpenMP threads, whichever thread asks first and with whatever share of the cores: oneDNN makes
     * its primitives for the thread count in force, and a lane's plans made by a caller sharing the
     * cores (one thread) ran later batches slower (docs/performance.md, ninth round).
     */
    Plan plan(int first, int last, int pictures, int lane) {
        return plan(new PlanKey(first, last, pictures, lane, false));
    }

    /**
     * A plan of one picture from the input to layer {@code last} that keeps what its pools chose,
     * for its {@link Plan#backward}: gradients with respect to the picture. Made and kept like
     * {@link #plan}, {@link #TRAINING_PLANS} per lane at a time, the oldest made going first.
     */
    Plan trainingPlan(int last, int lane) {
        return plan(new PlanKey(0, last, 1, lane, true));
    }

    private Plan plan(PlanKey key) {
        Plan plan = plans.get(key);
        if (plan == null) {
            // Training plans of this lane to drop, oldest first, so that TRAINING_PLANS remain with the new one.
            int excess = 1 - TRAINING_PLANS;
            for (PlanKey k : plans.keySet()) {
                excess += k.lane() == key.lane() && k.training() ? 1 : 0;
            }
            for (Iterator<Map.Entry<PlanKey, Plan>> it = plans.entrySet().iterator(); it.hasNext(); ) {
                PlanKey k = it.next().getKey();
                boolean replaced = false;
                if (k.lane() == key.lane() && k.training() == key.training()) {
                    replaced = key.training() ? excess-- > 0 : key.pictures() > 1 && k.pictures() > 1;
                }
                if (replaced) {
                    plans.get(k).close();
                    it.remove();
                }
            }
            plan = OmpThreads.with(planThreads, () -> new Plan(key.first(), key.last(), key.pictures(), key.training()));
            plans.put(key, plan);
        }
        return plan;
    }

    /** The OpenMP threads every plan is made with (see {@link #plan}). */
    int planThreads() {
        return planThreads;
    }

    /** The OpenMP threads each kept plan was made with. */
    List<Integer> threadsOfPlans() {
        return plans.values().stream().map(Plan::madeWithThreads).toList();
    }

    @Override
    public void close() {
        plans.values().forEach(Plan::close);
        plans.clear();
        kernels.clear();
        turnedKernels.clear();
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }

    private <P extends Pointer> P own(P pointer) {
        owned.add(pointer);
        return pointer;
    }

    /** A plain layout given by its strides, one per dimension. */
    private static memory.desc strided(long[] dims, long[] strides) {
        return new memory.desc(dims, memory.data_type.f32, strides);
    }

    /** Deeplearning4j's bias, [out] or [1, out], as oneDNN's [out]. */
    private static memory.desc bias(INDArray b) {
        return strided(new long[] {b.length()}, new long[] {b.stride(b.rank() - 1)});
    }

    private static memory.desc tagged(long[] dims, memory.format_tag tag) {
        return new memory.desc(dims, memory.data_type.f32, tag);
    }

    /**
     * The primitives of a run of layers for a fixed number of pictures, with every layer's output
     * in memory of its own. Input: the output of layer {@code first - 1} (the picture when
     * {@code first} is 0), channel-major. A training plan also keeps what its pools chose, for
     * {@link #backward}.
     */
    final class Plan implements AutoCloseable {
        private final int first;
        private final int last;
        private final int pictures;
        private final boolean training;
        private final OnednnSteps steps;
        private final memory input;
        private final long inputPerPicture;
        /** Per layer, its output in the layout its primitive chose. */
        private final Map<Integer, memory> outputs = new HashMap<>();
        /** Per pool of a training plan, its primitive's description and what it chose (oneDNN's workspace). */
        private final Map<Integer, pooling_forward.primitive_desc> pools = new HashMap<>();
        private final Map<Integer, memory> workspaces = new HashMap<>();
        /** Per layer read out, a channel-major copy and the reorder that makes it. */
        private final Map<Integer, memory> readable = new HashMap<>();
        private final Map<Integer, reorder> readers = new HashMap<>();
        /** The OpenMP threads of the thread that made it: oneDNN's primitives are made for a thread count. */
        private final int madeWithThreads;
        private OnednnBackward backward;

        private Plan(int first, int last, int pictures, boolean training) {
            this.first = first;
            this.last = last;
            this.pictures = pictures;
            this.training = training;
            this.madeWithThreads = OmpThreads.current();
            this.steps = new OnednnSteps(cpu);
            try {
                long[] inDims = dims(first - 1);
                this.input = steps.memory(tagged(inDims, inDims.length == 4 ? memory.format_tag.nchw : memory.format_tag.nc));
                this.inputPerPicture = perPicture(first - 1);
                build();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private void build() {
            memory x = input;
            for (int i = first; i <= last; i++) {
                LayerSpec spec = layers.get(i);
                try {
                    x = switch (spec.kind()) {
                        case CONV -> convolution(i, x);
                        case POOL -> pool(i, x);
                        case DENSE, SOFTMAX -> dense(i, x);
                    };
                } catch (RuntimeException e) {
                    throw new IllegalStateException("oneDNN could not set up " + spec.name() + " for " + pictures
                            + " picture(s) of " + architecture + ": " + e.getMessage(), e);
                }
                outputs.put(i, x);
            }
            steps.seal();
        }

        private memory convolution(int layer, memory x) {
            LayerSpec spec = layers.get(layer);
            INDArray w = network.getLayer(layer).getParam("W"); // [out, in, kh, kw]
            INDArray b = network.getLayer(layer).getParam("b"); // [1, out]
            memory.desc bias = bias(b);
            convolution_forward.primitive_desc pd = convolutionDesc(steps, spec.name(), dims(layer - 1), w.shape(), bias,
                    dims(layer), true);
            x = steps.conform(x, pd.src_desc());
            memory y = steps.memory(pd.dst_desc());
            steps.add(new convolution_forward(pd), pd, steps.args(DNNL_ARG_SRC, x,
                    DNNL_ARG_WEIGHTS, kernel(layer, false, pd.weights_desc()),
                    DNNL_ARG_BIAS, steps.own(new memory(bias, cpu, b.data().addressPointer())),
                    DNNL_ARG_DST, y), spec.name());
            return y;
        }

        private memory pool(int layer, memory x) {
            pooling_forward.primitive_desc pd = steps.own(new pooling_forward.primitive_desc(steps.own(new pooling_forward.desc(
                    training ? prop_kind.forward_training : prop_kind.forward_inference, algorithm.pooling_max, x.get_desc(),
                    tagged(dims(layer), memory.format_tag.any), TWO, TWO, ZERO, ZERO)), steps.attributes(false), cpu));
            memory y = steps.memory(pd.dst_desc());
            IntMemoryMap a = steps.args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y);
            if (training) {
                memory chosen = steps.memory(pd.workspace_desc());
                a.put(DNNL_ARG_WORKSPACE, chosen);
                pools.put(layer, pd);
                workspaces.put(layer, chosen);
            }
            steps.add(new pooling_forward(pd), pd, a, layers.get(layer).name());
            return y;
        }

        /**
         * A dense layer reading Deeplearning4j's kernel where it lies: {@code W} is [in, out], and
         * fc1's rows follow Deeplearning4j's (c, h, w) flatten order of block5_pool (see
         * Vgg16Network.fc1Rows), which is oneDNN's (o, c, h, w) with the strides below.
         */
        private memory dense(int layer, memory x) {
            LayerSpec spec = layers.get(layer);
            INDArray w = network.getLayer(layer).getParam("W");
            INDArray b = network.getLayer(layer).getParam("b");
            long[] src = dims(layer - 1);
            long out = spec.outputs();
            memory.desc kernel;
            if (src.length == 4) {
                long h = src[2];
                long wd = src[3];
                kernel = strided(new long[] {out, src[1], h, wd},
                        new long[] {w.stride(1), w.stride(0) * h * wd, w.stride(0) * wd, w.stride(0)});
            } else {
                kernel = strided(new long[] {out, src[1]}, new long[] {w.stride(1), w.stride(0)});
            }
            memory.desc bias = bias(b);
            boolean softmax = spec.kind() == LayerSpec.Kind.SOFTMAX;
            inner_product_forward.primitive_desc pd = steps.own(new inner_product_forward.primitive_desc(
                    steps.own(new inner_product_forward.desc(prop_kind.forward_inference, tagged(src, memory.format_tag.any),
                            kernel, bias, tagged(new long[] {pictures, out}, memory.format_tag.nc))),
                    steps.attributes(!softmax), cpu));
            x = steps.conform(x, pd.src_desc());
            memory y = steps.memory(pd.dst_desc());
            steps.add(new inner_product_forward(pd), pd, steps.args(DNNL_ARG_SRC, x,
                    DNNL_ARG_WEIGHTS, steps.own(new memory(kernel, cpu, w.data().addressPointer())),
                    DNNL_ARG_BIAS, steps.own(new memory(bias, cpu, b.data().addressPointer())),
                    DNNL_ARG_DST, y), spec.name());
            if (!softmax) {
                return y;
            }
            softmax_forward.primitive_desc sd = steps.own(new softmax_forward.primitive_desc(
                    steps.own(new softmax_forward.desc(prop_kind.forward_inference, y.get_desc(), 1)), steps.attributes(false), cpu));
            memory p = steps.memory(sd.dst_desc());
            steps.add(new softmax_forward(sd), sd, steps.args(DNNL_ARG_SRC, y, DNNL_ARG_DST, p), spec.name() + " softmax");
            return p;
        }

        /** Writes picture {@code picture}'s input, channel-major. */
        void input(int picture, float[] values) {
            if (values.length != inputPerPicture) {
                throw new IllegalArgumentException(values.length + " input values for " + inputPerPicture);
            }
            floats(input).position(picture * inputPerPicture).put(values);
        }

        /** Copies {@code from}'s output of its last layer (picture 0, read with {@link #run}) into picture {@code picture}'s input. */
        void input(int picture, Plan from) {
            if (from.last != first - 1 || !from.readable.containsKey(from.last)) {
                throw new IllegalStateException("plan for layers " + from.first + ".." + from.last
                        + " does not feed layer " + first + " or its output was not read");
            }
            // Pointer.memcpy counts a plain Pointer's position in bytes.
            long bytes = inputPerPicture * Float.BYTES;
            Pointer.memcpy(new Pointer(input.get_data_handle()).position(picture * bytes),
                    from.readable.get(from.last).get_data_handle(), bytes);
        }

        /**
         * Runs the layers, then makes channel-major copies of the outputs of the layers in
         * {@code read} that this plan runs, for {@link #read}.
         */
        void run(Set<Integer> read) {
            steps.run();
            for (int layer : read) {
                if (layer >= first && layer <= last) {
                    steps.execute(reader(layer), outputs.get(layer), readable.get(layer));
                }
            }
            steps.await();
        }

        /** Copies picture {@code picture}'s output of {@code layer}, as read by the last {@link #run}, channel-major. */
        void read(int layer, int picture, float[] target) {
            memory m = readable.get(layer);
            long per = perPicture(layer);
            if (m == null || target.length != per) {
                throw new IllegalStateException("layer " + layer + " was not read, or " + target.length
                        + " values asked for " + per);
            }
            floats(m).position(picture * per).get(target);
        }

        private reorder reader(int layer) {
            reorder r = readers.get(layer);
            if (r == null) {
                long[] d = dims(layer);
                memory m = steps.memory(tagged(d, d.length == 4 ? memory.format_tag.nchw : memory.format_tag.nc));
                r = steps.own(new reorder(outputs.get(layer), m));
                readable.put(layer, m);
                readers.put(layer, r);
            }
            return r;
        }

        /**
         * The backward pass from this plan's last layer down to the input, reading the outputs and
         * pool choices of this plan's last {@link #run}: made on first use, kept with the plan.
         */
        OnednnBackward backward() {
            if (!training) {
                throw new IllegalStateException("a backward pass needs a training plan (trainingPlan), not layers "
                        + first + ".." + last + " for inference");
            }
            if (backward == null) {
                backward = OmpThreads.with(madeWithThreads, () -> new OnednnBackward(this));
            }
            return backward;
        }

        int last() {
            return last;
        }

        int pictures() {
            return pictures;
        }

        LayerSpec layer(int layer) {
            return layers.get(layer);
        }

        memory output(int layer) {
            return outputs.get(layer);
        }

        pooling_forward.primitive_desc pool(int layer) {
            return pools.get(layer);
        }

        memory workspace(int layer) {
            return workspaces.get(layer);
        }

        engine engine() {
            return cpu;
        }

        /** A convolution without bias or ReLU for the backward pass ({@link OnednnBackward}), from {@code src} to {@code dst} dimensions. */
        convolution_forward.primitive_desc convolution(OnednnSteps on, String name, long[] src, long[] weights, long[] dst) {
            return convolutionDesc(on, name, src, weights, null, dst, false);
        }

        /** {@code layer}'s kernel turned around for the backward pass ({@link OnednnBackward}), in layout {@code wanted}. */
        memory transposedKernel(int layer, memory.desc wanted) {
            return kernel(layer, true, wanted);
        }

        /** What oneDNN runs for each step, e.g. "block1_conv2: brgconv:avx512_core". */
        List<String> implementations() {
            return steps.implementations();
        }

        /** The OpenMP threads it was made with. */
        int madeWithThreads() {
            return madeWithThreads;
        }

        long[] dims(int layer) {
            if (layer < 0) {
                int s = architecture.inputSize();
                return new long[] {pictures, 3, s, s};
            }
            LayerSpec spec = layers.get(layer);
            var shape = architecture.outputShape(layer);
            return spec.kind() == LayerSpec.Kind.CONV || spec.kind() == LayerSpec.Kind.POOL
                    ? new long[] {pictures, shape.channels(), shape.height(), shape.width()}
                    : new long[] {pictures, spec.outputs()};
        }

        long perPicture(int layer) {
            long[] d = dims(layer);
            long n = 1;
            for (int i = 1; i < d.length; i++) {
                n *= d[i];
            }
            return n;
        }

        @Override
        public void close() {
            if (backward != null) {
                backward.close();
                backward = null;
            }
            steps.close();
        }
    }

    static FloatPointer floats(memory m) {
        return new FloatPointer(m.get_data_handle());
    }

    /**
     * A 3 x 3, stride 1, same-padded convolution from {@code src} to {@code dst} dimensions:
     * Winograd where asked and oneDNN has it (channels in multiples of 16), else direct; with the
     * ReLU fused where asked, without a bias when {@code bias} is {@code null}.
     */
    convolution_forward.primitive_desc convolutionDesc(OnednnSteps steps, String name, long[] src, long[] weights,
                                                       memory.desc bias, long[] dst, boolean relu) {
        memory.desc weightsAny = tagged(weights, memory.format_tag.any);
        primitive_attr attr = steps.attributes(relu);
        if (convolutions == ConvolutionAlgorithm.WINOGRAD) {
            try {
                return steps.own(new convolution_forward.primitive_desc(steps.own(convolutionDesc(algorithm.convolution_winograd,
                        src, weightsAny, bias, dst)), attr, cpu));
            } catch (RuntimeException e) {
                LOG.debug("{}: no Winograd ({}), direct", name, e.getMessage());
            }
        }
        return steps.own(new convolution_forward.primitive_desc(steps.own(convolutionDesc(algorithm.convolution_direct,
                src, weightsAny, bias, dst)), attr, cpu));
    }

    private static convolution_forward.desc convolutionDesc(algorithm algorithm, long[] src, memory.desc weights,
                                                           memory.desc bias, long[] dst) {
        memory.desc in = tagged(src, memory.format_tag.any);
        memory.desc out = tagged(dst, memory.format_tag.any);
        return bias == null
                ? new convolution_forward.desc(prop_kind.forward_inference, algorithm, in, weights, out, ONE, ONE, ONE)
                : new convolution_forward.desc(prop_kind.forward_inference, algorithm, in, weights, bias, out, ONE, ONE, ONE);
    }

    /**
     * The kernel of {@code layer} in the layout {@code wanted}, or turned around for the backward
     * pass ({@link Vgg16Inference#turnedAround}): reordered from Deeplearning4j's once, then kept.
     */
    private memory kernel(int layer, boolean turned, memory.desc wanted) {
        List<memory> made = (turned ? turnedKernels : kernels).computeIfAbsent(layer, k -> new ArrayList<>());
        for (memory m : made) {
            if (m.get_desc().equals(wanted)) {
                return m;
            }
        }
        INDArray w = network.getLayer(layer).getParam("W"); // [out, in, kh, kw]
        memory m = own(new memory(wanted, cpu));
        if (turned) {
            float[] t = Vgg16Inference.turnedAround(w);
            long[] shape = {w.size(1), w.size(0), w.size(2), w.size(3)};
            try (FloatPointer values = new FloatPointer(t);
                 memory user = new memory(tagged(shape, memory.format_tag.oihw), cpu, values);
                 reorder r = new reorder(user, m)) {
                r.execute(stream, user, m);
                stream._wait();
            }
        } else {
            try (memory user = new memory(strided(w.shape(), w.stride()), cpu, w.data().addressPointer());
                 reorder r = new reorder(user, m)) {
                r.execute(stream, user, m);
                stream._wait();
            }
        }
        made.add(m);
        return m;
    }
}
