package io.cnnsee.dl4j;

import io.cnnsee.dl4j.engine.onednn.OnednnSteps;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.reorder;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;

/**
 * VGG16's backward pass on oneDNN, from the last layer of a training {@link OnednnPass.Plan} of
 * one picture down to the picture: the gradient of a scalar with respect to the input, given its
 * gradient with respect to that layer's output ({@link #run}, channel-major).
 *
 * <p>Through each ReLU(conv): mask by the layer's output (oneDNN's ReLU backward on the forward
 * output), then a forward convolution with the kernel turned around ({@link Vgg16Inference#turnedAround}), so
 * that it runs Winograd like the forward pass; ND4J's {@code conv2d}, which the ND4J backward pass
 * uses, ran the same work about three times slower. Through each max pool: oneDNN's pool backward,
 * routing by what the forward pool chose. Reads the forward outputs of the plan's last run, so a
 * backward run must follow its plan's forward run with nothing in between. Not thread-safe.
 */
final class OnednnBackward implements AutoCloseable {

    private final OnednnPass.Plan plan;
    private final OnednnSteps steps;
    /** The gradient with respect to the last layer's output, channel-major, written by the caller. */
    private final memory seed;
    /** The gradient with respect to the picture, channel-major. */
    private final memory result;

    OnednnBackward(OnednnPass.Plan plan) {
        this.plan = plan;
        this.steps = new OnednnSteps(plan.engine());
        try {
            int last = plan.last();
            this.seed = steps.memory(nchw(plan.dims(last)));
            memory g = steps.conform(seed, plan.output(last).get_desc());
            for (int i = last; i >= 0; i--) {
                LayerSpec spec = plan.layer(i);
                try {
                    g = switch (spec.kind()) {
                        case CONV -> convolution(i, g);
                        case POOL -> pool(i, g);
                        case DENSE, SOFTMAX -> throw new IllegalArgumentException("no backward pass through dense layers here");
                    };
                } catch (RuntimeException e) {
                    throw new IllegalStateException("oneDNN could not set up the backward pass through " + spec.name()
                            + " for " + plan.pictures() + " picture(s): " + e.getMessage(), e);
                }
            }
            this.result = steps.memory(nchw(plan.dims(-1)));
            steps.add(new reorder(g, result), null, steps.args(DNNL_ARG_FROM, g, DNNL_ARG_TO, result), "input gradient");
            steps.seal();
        } catch (RuntimeException e) {
            steps.close();
            throw e;
        }
    }

    /** Through ReLU(conv) {@code layer}: {@code g}, with respect to its output, to the gradient with respect to its input. */
    private memory convolution(int layer, memory g) {
        memory y = plan.output(layer);
        memory.desc data = y.get_desc();
        g = steps.conform(g, data);
        eltwise_forward.primitive_desc hint = steps.own(new eltwise_forward.primitive_desc(steps.own(new eltwise_forward.desc(
                prop_kind.forward_training, algorithm.eltwise_relu_use_dst_for_bwd, data, 0f, 0f)), plan.engine()));
        eltwise_backward.primitive_desc mask = steps.own(new eltwise_backward.primitive_desc(steps.own(new eltwise_backward.desc(
                algorithm.eltwise_relu_use_dst_for_bwd, data, data, 0f, 0f)), steps.attributes(false), plan.engine(), hint));
        // In place where the layouts agree: the unmasked gradient is not read again.
        memory masked = mask.diff_src_desc().equals(g.get_desc()) ? g : steps.memory(mask.diff_src_desc());
        String name = plan.layer(layer).name();
        steps.add(new eltwise_backward(mask), mask, steps.args(DNNL_ARG_DST, y, DNNL_ARG_DIFF_DST, g, DNNL_ARG_DIFF_SRC, masked),
                name + " relu backward");
        long[] out = plan.dims(layer);
        long[] in = plan.dims(layer - 1);
        long[] turned = {in[1], out[1], 3, 3};
        convolution_forward.primitive_desc pd = plan.convolution(steps, name + " backward", out, turned, in);
        memory x = steps.conform(masked, pd.src_desc());
        memory gIn = steps.memory(pd.dst_desc());
        steps.add(new convolution_forward(pd), pd, steps.args(DNNL_ARG_SRC, x,
                DNNL_ARG_WEIGHTS, plan.transposedKernel(layer, pd.weights_desc()), DNNL_ARG_DST, gIn), name + " backward");
        return gIn;
    }

    /** Through max pool {@code layer}: each window's gradient to the input the forward pool chose. */
    private memory pool(int layer, memory g) {
        pooling_forward.primitive_desc forward = plan.pool(layer);
        g = steps.conform(g, forward.dst_desc());
        pooling_backward.primitive_desc pd = steps.own(new pooling_backward.primitive_desc(steps.own(new pooling_backward.desc(
                algorithm.pooling_max, forward.src_desc(), forward.dst_desc(), OnednnPass.TWO, OnednnPass.TWO,
                OnednnPass.ZERO, OnednnPass.ZERO)), steps.attributes(false), plan.engine(), forward));
        memory gIn = steps.memory(pd.diff_src_desc());
        steps.add(new pooling_backward(pd), pd, steps.args(DNNL_ARG_DIFF_DST, g, DNNL_ARG_WORKSPACE, plan.workspace(layer),
                DNNL_ARG_DIFF_SRC, gIn), plan.layer(layer).name() + " backward");
        return gIn;
    }

    /**
     * Runs the pass for {@code seed}, the gradient with respect to the last layer's output of the
     * plan's one picture (channel-major), and returns the gradient with respect to the picture,
     * channel-major.
     */
    float[] run(float[] seed) {
        long per = plan.perPicture(plan.last());
        if (seed.length != per) {
            throw new IllegalArgumentException("a seed of " + seed.length + " values for an output of " + per);
        }
        OnednnPass.floats(this.seed).put(seed);
        steps.run();
        steps.await();
        float[] out = new float[(int) plan.perPicture(-1)];
        OnednnPass.floats(result).get(out);
        return out;
    }

    private static memory.desc nchw(long[] dims) {
        return new memory.desc(dims, memory.data_type.f32, memory.format_tag.nchw);
    }

    @Override
    public void close() {
        steps.close();
    }
}
