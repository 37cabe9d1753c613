package io.cnnsee.dl4j;

import io.cnnsee.ReceptiveField;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;

import java.util.HashMap;
import java.util.Map;

/**
 * The receptive field of every spatial vertex of a graph, from its layers' kernels, strides,
 * dilations and paddings (rows; kernels and strides are taken square). Where branches meet (adds,
 * concatenations) the largest field of their inputs counts. Padding, cropping, normalisation and
 * activations keep the field, but for the offset padding adds.
 */
final class ReceptiveFields {

    private ReceptiveFields() {
    }

    static Map<String, ReceptiveField> of(ComputationGraph graph, Map<String, InputType> types) {
        Map<String, ReceptiveField> fields = new HashMap<>();
        GraphVertex[] vertices = graph.getVertices();
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex v = vertices[index];
            if (v.isInputVertex()) {
                fields.put(v.getVertexName(), ReceptiveField.PIXEL);
                continue;
            }
            ReceptiveField in = null;
            String from = null;
            for (var input : v.getInputVertices()) {
                String name = vertices[input.getVertexIndex()].getVertexName();
                ReceptiveField f = fields.get(name);
                if (f != null && (in == null || f.size() > in.size())) {
                    in = f;
                    from = name;
                }
            }
            if (in == null) {
                continue;
            }
            ReceptiveField out = in;
            if (v.hasLayer()) {
                var layer = v.getLayer().conf().getLayer();
                long inHeight = height(types.get(from));
                long outHeight = height(types.get(v.getVertexName()));
                if (layer instanceof ConvolutionLayer c) {
                    out = in.then(c.getKernelSize()[0], c.getStride()[0], padding(c.getConvolutionMode(), c.getPadding()[0],
                            c.getKernelSize()[0], c.getStride()[0], c.getDilation()[0], inHeight, outHeight), c.getDilation()[0]);
                } else if (layer instanceof SubsamplingLayer s) {
                    out = in.then(s.getKernelSize()[0], s.getStride()[0], padding(s.getConvolutionMode(), s.getPadding()[0],
                            s.getKernelSize()[0], s.getStride()[0], 1, inHeight, outHeight), 1);
                } else if (layer instanceof ZeroPaddingLayer z) {
                    out = in.then(1, 1, z.getPadding()[0], 1);
                } else if (layer instanceof org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D crop) {
                    out = in.then(1, 1, -crop.getCropping()[0], 1);
                }
            }
            if (types.get(v.getVertexName()) instanceof InputType.InputTypeConvolutional) {
                fields.put(v.getVertexName(), out);
            }
        }
        return fields;
    }

    /** The padding before the first row: as configured, or what "same" mode adds (the smaller half before). */
    private static int padding(ConvolutionMode mode, int configured, int k, int s, int d, long in, long out) {
        if (mode != ConvolutionMode.Same || in <= 0 || out <= 0) {
            return configured;
        }
        long total = (out - 1) * s + (long) (k - 1) * d + 1 - in;
        return (int) Math.max(0, total / 2);
    }

    private static long height(InputType type) {
        return type instanceof InputType.InputTypeConvolutional c ? c.getHeight() : -1;
    }
}
