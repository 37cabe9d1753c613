package io.cnnsee.dl4j;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc;
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
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;
import static org.bytedeco.dnnl.global.dnnl.scratchpad_mode;

/**
 * VGG16's forward pass on oneDNN's primitives, called directly.
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
    private static final long[] TWO = {2, 2};
    private static final long[] ZERO = {0, 0};

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
    private final Map<PlanKey, Plan> plans = new HashMap<>();
    /** Everything made here that holds native memory, freed by {@link #close()}. */
    private final List<Pointer> owned = new ArrayList<>();

    /** Set to {@code false} to run the pass on ND4J's operations instead (slower; for comparison or a misbehaving native). */
    static final String PROPERTY = "cnnsee.onednn";

    private record PlanKey(int first, int last, int pictures, int lane) {
    }

    /**
     * The pass, or empty where oneDNN's presets cannot be loaded (no natives for this platform,
     * e.g. macOS on Apple silicon) or {@link #PROPERTY} is {@code false}: the model then runs the
     * slower ND4J operations, and says so in its log.
     */
    static Optional<OnednnPass> create(Vgg16Architecture architecture, MultiLayerNetwork network, ConvolutionAlgorithm convolutions) {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())) {
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
        PlanKey key = new PlanKey(first, last, pictures, lane);
        Plan plan = plans.get(key);
        if (plan == null) {
            if (pictures > 1) {
                for (Iterator<Map.Entry<PlanKey, Plan>> it = plans.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<PlanKey, Plan> e = it.next();
                    if (e.getKey().pictures() > 1 && e.getKey().lane() == lane) {
                        e.getValue().close();
                        it.remove();
                    }
                }
            }
            plan = OmpThreads.with(planThreads, () -> new Plan(first, last, pictures));
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
     * {@code first} is 0), channel-major.
     */
    final class Plan implements AutoCloseable {
        private final int first;
        private final int last;
        private final int pictures;
        private final memory input;
        private final long inputPerPicture;
        private final List<primitive> steps = new ArrayList<>();
        private final List<IntMemoryMap> stepArgs = new ArrayList<>();
        /** Per layer, its output in the layout its primitive chose. */
        private final Map<Integer, memory> outputs = new HashMap<>();
        /** Per layer read out, a channel-major copy and the reorder that makes it. */
        private final Map<Integer, memory> readable = new HashMap<>();
        private final Map<Integer, reorder> readers = new HashMap<>();
        private final List<String> implementations = new ArrayList<>();
        private final List<Pointer> mine = new ArrayList<>();
        /** Its own, so that plans of two lanes can run at once. */
        private final stream stream;
        /** The OpenMP threads of the thread that made it: oneDNN's primitives are made for a thread count. */
        private final int madeWithThreads;

        private Plan(int first, int last, int pictures) {
            this.first = first;
            this.last = last;
            this.pictures = pictures;
            this.madeWithThreads = OmpThreads.current();
            this.stream = mine(new stream(cpu));
            long[] inDims = dims(first - 1);
            this.input = mine(new memory(tagged(inDims, inDims.length == 4 ? memory.format_tag.nchw : memory.format_tag.nc), cpu));
            this.inputPerPicture = perPicture(first - 1);
            try {
                build();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private void build() {
            List<primitive_desc> descs = new ArrayList<>();
            List<IntMemoryMap> args = new ArrayList<>();
            memory x = input;
            for (int i = first; i <= last; i++) {
                LayerSpec spec = layers.get(i);
                try {
                    x = switch (spec.kind()) {
                        case CONV -> convolution(i, x, descs, args);
                        case POOL -> pool(i, x, descs, args);
                        case DENSE, SOFTMAX -> dense(i, x, descs, args);
                    };
                } catch (RuntimeException e) {
                    throw new IllegalStateException("oneDNN could not set up " + spec.name() + " for " + pictures
                            + " picture(s) of " + architecture + ": " + e.getMessage(), e);
                }
                outputs.put(i, x);
            }
            // One scratchpad for all primitives, as they run one after the other: allocated once,
            // not on every call (fresh memory costs a page fault per 4 KiB on every pass).
            long scratch = 0;
            for (primitive_desc pd : descs) {
                if (pd != null) {
                    scratch = Math.max(scratch, pd.scratchpad_desc().get_size());
                }
            }
            memory pad = scratch == 0 ? null
                    : mine(new memory(new memory.desc(new long[] {scratch}, memory.data_type.u8, memory.format_tag.x), cpu));
            for (int s = 0; s < steps.size(); s++) {
                primitive_desc pd = descs.get(s);
                if (pad != null && pd != null && pd.scratchpad_desc().get_size() > 0) {
                    args.get(s).put(DNNL_ARG_SCRATCHPAD, mine(new memory(pd.scratchpad_desc(), cpu, pad.get_data_handle())));
                }
            }
            stepArgs.addAll(args);
        }

        private memory convolution(int layer, memory x, List<primitive_desc> descs, List<IntMemoryMap> args) {
            LayerSpec spec = layers.get(layer);
            long[] src = dims(layer - 1);
            long[] dst = dims(layer);
            INDArray w = network.getLayer(layer).getParam("W"); // [out, in, kh, kw]
            INDArray b = network.getLayer(layer).getParam("b"); // [1, out]
            memory.desc weightsAny = tagged(w.shape(), memory.format_tag.any);
            memory.desc bias = bias(b);
            primitive_attr attr = attributes(true);
            convolution_forward.primitive_desc pd = null;
            if (convolutions == ConvolutionAlgorithm.WINOGRAD) {
                try {
                    pd = mine(new convolution_forward.primitive_desc(mine(new convolution_forward.desc(
                            prop_kind.forward_inference, algorithm.convolution_winograd, tagged(src, memory.format_tag.any),
                            weightsAny, bias, tagged(dst, memory.format_tag.any), ONE, ONE, ONE)), attr, cpu));
                } catch (RuntimeException e) {
                    // oneDNN's Winograd wants channels in multiples of 16: the first layer runs direct.
                    LOG.debug("{}: no Winograd ({}), direct", spec.name(), e.getMessage());
                }
            }
            if (pd == null) {
                pd = mine(new convolution_forward.primitive_desc(mine(new convolution_forward.desc(
                        prop_kind.forward_inference, algorithm.convolution_direct, tagged(src, memory.format_tag.any),
                        weightsAny, bias, tagged(dst, memory.format_tag.any), ONE, ONE, ONE)), attr, cpu));
            }
            x = conform(x, pd.src_desc(), descs, args);
            memory y = mine(new memory(pd.dst_desc(), cpu));
            IntMemoryMap a = mine(new IntMemoryMap());
            a.put(DNNL_ARG_SRC, x);
            a.put(DNNL_ARG_WEIGHTS, kernel(layer, w, pd.weights_desc()));
            a.put(DNNL_ARG_BIAS, mine(new memory(bias, cpu, b.data().addressPointer())));
            a.put(DNNL_ARG_DST, y);
            add(mine(new convolution_forward(pd)), pd, a, spec.name(), descs, args);
            return y;
        }

        private memory pool(int layer, memory x, List<primitive_desc> descs, List<IntMemoryMap> args) {
            pooling_forward.primitive_desc pd = mine(new pooling_forward.primitive_desc(mine(new pooling_forward.desc(
                    prop_kind.forward_inference, algorithm.pooling_max, x.get_desc(),
                    tagged(dims(layer), memory.format_tag.any), TWO, TWO, ZERO, ZERO)), attributes(false), cpu));
            memory y = mine(new memory(pd.dst_desc(), cpu));
            IntMemoryMap a = mine(new IntMemoryMap());
            a.put(DNNL_ARG_SRC, x);
            a.put(DNNL_ARG_DST, y);
            add(mine(new pooling_forward(pd)), pd, a, layers.get(layer).name(), descs, args);
            return y;
        }

        /**
         * A dense layer reading Deeplearning4j's kernel where it lies: {@code W} is [in, out], and
         * fc1's rows follow Deeplearning4j's (c, h, w) flatten order of block5_pool (see
         * Vgg16Network.fc1Rows), which is oneDNN's (o, c, h, w) with the strides below.
         */
        private memory dense(int layer, memory x, List<primitive_desc> descs, List<IntMemoryMap> args) {
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
            inner_product_forward.primitive_desc pd = mine(new inner_product_forward.primitive_desc(
                    mine(new inner_product_forward.desc(prop_kind.forward_inference, tagged(src, memory.format_tag.any),
                            kernel, bias, tagged(new long[] {pictures, out}, memory.format_tag.nc))),
                    attributes(!softmax), cpu));
            x = conform(x, pd.src_desc(), descs, args);
            memory y = mine(new memory(pd.dst_desc(), cpu));
            IntMemoryMap a = mine(new IntMemoryMap());
            a.put(DNNL_ARG_SRC, x);
            a.put(DNNL_ARG_WEIGHTS, mine(new memory(kernel, cpu, w.data().addressPointer())));
            a.put(DNNL_ARG_BIAS, mine(new memory(bias, cpu, b.data().addressPointer())));
            a.put(DNNL_ARG_DST, y);
            add(mine(new inner_product_forward(pd)), pd, a, spec.name(), descs, args);
            if (!softmax) {
                return y;
            }
            softmax_forward.primitive_desc sd = mine(new softmax_forward.primitive_desc(
                    mine(new softmax_forward.desc(prop_kind.forward_inference, y.get_desc(), 1)), attributes(false), cpu));
            memory p = mine(new memory(sd.dst_desc(), cpu));
            IntMemoryMap sa = mine(new IntMemoryMap());
            sa.put(DNNL_ARG_SRC, y);
            sa.put(DNNL_ARG_DST, p);
            add(mine(new softmax_forward(sd)), sd, sa, spec.name() + " softmax", descs, args);
            return p;
        }

        /** ReLU fused into the primitive where asked; the scratchpad is ours (see build). */
        private primitive_attr attributes(boolean relu) {
            primitive_attr attr = mine(new primitive_attr());
            attr.set_scratchpad_mode(scratchpad_mode.user);
            if (relu) {
                post_ops ops = mine(new post_ops());
                ops.append_eltwise(1f, algorithm.eltwise_relu, 0f, 0f);
                attr.set_post_ops(ops);
            }
            return attr;
        }

        /** {@code x} if it has the layout {@code wanted}; else a reorder into memory that has, as a step. */
        private memory conform(memory x, memory.desc wanted, List<primitive_desc> descs, List<IntMemoryMap> args) {
            if (x.get_desc().equals(wanted)) {
                return x;
            }
            memory y = mine(new memory(wanted, cpu));
            IntMemoryMap a = mine(new IntMemoryMap());
            a.put(DNNL_ARG_FROM, x);
            a.put(DNNL_ARG_TO, y);
            add(mine(new reorder(x, y)), null, a, "reorder", descs, args);
            return y;
        }

        private void add(primitive p, primitive_desc pd, IntMemoryMap a, String name, List<primitive_desc> descs,
                         List<IntMemoryMap> args) {
            steps.add(p);
            descs.add(pd);
            args.add(a);
            implementations.add(name + ": " + (pd == null ? "reorder" : pd.impl_info_str().getString()));
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
            for (int s = 0; s < steps.size(); s++) {
                steps.get(s).execute(stream, stepArgs.get(s));
            }
            for (int layer : read) {
                if (layer >= first && layer <= last) {
                    reader(layer).execute(stream, outputs.get(layer), readable.get(layer));
                }
            }
            stream._wait();
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
                memory m = mine(new memory(tagged(d, d.length == 4 ? memory.format_tag.nchw : memory.format_tag.nc), cpu));
                r = mine(new reorder(outputs.get(layer), m));
                readable.put(layer, m);
                readers.put(layer, r);
            }
            return r;
        }

        /** What oneDNN runs for each step, e.g. "block1_conv2: brgconv:avx512_core". */
        List<String> implementations() {
            return List.copyOf(implementations);
        }

        /** The OpenMP threads it was made with. */
        int madeWithThreads() {
            return madeWithThreads;
        }

        private long[] dims(int layer) {
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

        private long perPicture(int layer) {
            long[] d = dims(layer);
            long n = 1;
            for (int i = 1; i < d.length; i++) {
                n *= d[i];
            }
            return n;
        }

        private FloatPointer floats(memory m) {
            return new FloatPointer(m.get_data_handle());
        }

        private <P extends Pointer> P mine(P pointer) {
            mine.add(pointer);
            return pointer;
        }

        @Override
        public void close() {
            for (int i = mine.size() - 1; i >= 0; i--) {
                mine.get(i).close();
            }
            mine.clear();
        }
    }

    /** The kernel of {@code layer} in the layout {@code wanted}: reordered from Deeplearning4j's once, then kept. */
    private memory kernel(int layer, INDArray w, memory.desc wanted) {
        List<memory> made = kernels.computeIfAbsent(layer, k -> new ArrayList<>());
        for (memory m : made) {
            if (m.get_desc().equals(wanted)) {
                return m;
            }
        }
        memory user = new memory(strided(w.shape(), w.stride()), cpu, w.data().addressPointer());
        memory m = own(new memory(wanted, cpu));
        try (reorder r = new reorder(user, m)) {
            r.execute(stream, user, m);
            stream._wait();
        } finally {
            user.close();
        }
        made.add(m);
        return m;
    }
}
