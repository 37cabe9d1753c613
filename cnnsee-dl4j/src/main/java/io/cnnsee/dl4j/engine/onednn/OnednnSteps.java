package io.cnnsee.dl4j.engine.onednn;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;
import static org.bytedeco.dnnl.global.dnnl.scratchpad_mode;

/**
 * A run of oneDNN primitives executed one after the other on a stream of its own, and the native
 * objects they own: what a forward plan and a backward pass both are. The primitives share one
 * scratchpad, allocated once by {@link #seal} (fresh memory on every call cost a page fault per
 * 4 KiB on every pass). Not thread-safe.
 */
final class OnednnSteps implements AutoCloseable {

    private final engine cpu;
    private final stream stream;
    private final List<primitive> primitives = new ArrayList<>();
    private final List<primitive_desc> descs = new ArrayList<>();
    private final List<IntMemoryMap> args = new ArrayList<>();
    private final List<String> implementations = new ArrayList<>();
    private final List<Pointer> owned = new ArrayList<>();
    private long bytes;

    public OnednnSteps(engine cpu) {
        this.cpu = cpu;
        this.stream = own(new stream(cpu));
    }

    public engine engine() {
        return cpu;
    }

    /** Keeps {@code pointer} until {@link #close}. */
    public <P extends Pointer> P own(P pointer) {
        owned.add(pointer);
        return pointer;
    }

    /** Memory of its own in layout {@code desc}. */
    public memory memory(memory.desc desc) {
        bytes += desc.get_size();
        return own(new memory(desc, cpu));
    }

    /** Bytes of the memory made by {@link #memory}: what the steps hold besides their primitives. */
    public long bytes() {
        return bytes;
    }

    /** Arguments, as pairs of oneDNN's argument index and memory. */
    public IntMemoryMap args(Object... pairs) {
        IntMemoryMap a = own(new IntMemoryMap());
        for (int i = 0; i < pairs.length; i += 2) {
            a.put((Integer) pairs[i], (memory) pairs[i + 1]);
        }
        return a;
    }

    /**
     * The scratchpad is ours ({@link #seal}); fused after the primitive's own result, in this
     * order: the sum with what its destination held (a residual add) where asked, then
     * {@code activation} ({@code null} for none).
     */
    public primitive_attr attributes(boolean sum, Eltwise activation) {
        primitive_attr attr = own(new primitive_attr());
        attr.set_scratchpad_mode(scratchpad_mode.user);
        if (sum || activation != null) {
            post_ops ops = own(new post_ops());
            if (sum) {
                ops.append_sum();
            }
            if (activation != null) {
                ops.append_eltwise(1f, activation.forward(), activation.alpha(), activation.beta());
            }
            attr.set_post_ops(ops);
        }
        return attr;
    }

    /** Appends a step; {@code pd} is {@code null} for a reorder. */
    public void add(primitive p, primitive_desc pd, IntMemoryMap a, String name) {
        primitives.add(own(p));
        descs.add(pd);
        args.add(a);
        implementations.add(name + ": " + (pd == null ? "reorder" : pd.impl_info_str().getString()));
    }

    /** {@code x} if it has the layout {@code wanted}; else a reorder into memory that has, as a step. */
    public memory conform(memory x, memory.desc wanted) {
        if (x.get_desc().equals(wanted)) {
            return x;
        }
        memory y = memory(wanted);
        add(new reorder(x, y), null, args(DNNL_ARG_FROM, x, DNNL_ARG_TO, y), "reorder");
        return y;
    }

    /** {@code factor} times {@code x}, then {@code after} ({@code null} for none), into memory of its own, as a step. */
    public memory linear(memory x, float factor, Eltwise after, String name) {
        eltwise_forward.primitive_desc pd = own(new eltwise_forward.primitive_desc(own(new eltwise_forward.desc(
                prop_kind.forward_inference, algorithm.eltwise_linear, x.get_desc(), factor, 0f)), attributes(false, after), cpu));
        memory y = memory(pd.dst_desc());
        add(new eltwise_forward(pd), pd, args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y), name);
        return y;
    }

    /** Gives the steps that want one the shared scratchpad; call once, after the last {@link #add}. */
    public void seal() {
        long scratch = 0;
        for (primitive_desc pd : descs) {
            if (pd != null) {
                scratch = Math.max(scratch, pd.scratchpad_desc().get_size());
            }
        }
        if (scratch == 0) {
            return;
        }
        memory pad = memory(new memory.desc(new long[] {scratch}, memory.data_type.u8, memory.format_tag.x));
        for (int s = 0; s < primitives.size(); s++) {
            primitive_desc pd = descs.get(s);
            if (pd != null && pd.scratchpad_desc().get_size() > 0) {
                args.get(s).put(DNNL_ARG_SCRATCHPAD, own(new memory(pd.scratchpad_desc(), cpu, pad.get_data_handle())));
            }
        }
    }

    /** Runs the steps, without waiting for them. */
    public void run() {
        for (int s = 0; s < primitives.size(); s++) {
            primitives.get(s).execute(stream, args.get(s));
        }
    }

    public void await() {
        stream._wait();
    }

    /** What oneDNN runs for each step, e.g. "block1_conv2: brgconv:avx512_core". */
    public List<String> implementations() {
        return List.copyOf(implementations);
    }

    /** The values of plain memory {@code m}, to read or write. */
    public static org.bytedeco.javacpp.FloatPointer floats(memory m) {
        return new org.bytedeco.javacpp.FloatPointer(m.get_data_handle());
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
