package io.cnnsee.dl4j.onnx;

import onnx.Onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An ONNX model file ({@code torch.onnx.export}'s output), parsed with the ONNX schema that
 * ships in ND4J ({@code onnx.Onnx}, generated from ONNX's published {@code onnx.proto}): its
 * graph, its opset, and its constants as floats or integers, inline or in external data files.
 */
public final class OnnxFile {

    private final Path path;
    private final Onnx.ModelProto model;
    private final Map<String, Onnx.TensorProto> initializers = new HashMap<>();

    private OnnxFile(Path path, Onnx.ModelProto model) {
        this.path = path;
        this.model = model;
        for (Onnx.TensorProto t : model.getGraph().getInitializerList()) {
            initializers.put(t.getName(), t);
        }
    }

    /**
     * Parses {@code file}.
     *
     * @throws IllegalArgumentException saying what is wrong, when it is not an ONNX model
     */
    public static OnnxFile open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No ONNX model file at " + file.toAbsolutePath());
        }
        Onnx.ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            model = Onnx.ModelProto.parseFrom(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + " is not an ONNX model (" + e.getMessage() + "): export one with "
                    + "torch.onnx.export(model, example, \"model.onnx\")", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IllegalArgumentException(file + " is not an ONNX model: it holds no graph of operators");
        }
        return new OnnxFile(file, model);
    }

    public Path path() {
        return path;
    }

    public Onnx.GraphProto graph() {
        return model.getGraph();
    }

    /** The version of the default (ai.onnx) operator set. */
    public long opset() {
        for (Onnx.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return o.getVersion();
            }
        }
        return 0;
    }

    /** The initializer of that name, or null. */
    public Onnx.TensorProto initializer(String name) {
        return initializers.get(name);
    }

    /** A tensor's values as floats (from 32- or 64-bit floats or integers). */
    public float[] floats(Onnx.TensorProto t) {
        int n = Math.toIntExact(size(t));
        float[] v = new float[n];
        switch (t.getDataType()) {
            case 1 -> { // FLOAT
                if (t.getFloatDataCount() > 0) {
                    for (int i = 0; i < n; i++) {
                        v[i] = t.getFloatData(i);
                    }
                } else {
                    bytes(t, 4L * n).asFloatBuffer().get(v);
                }
            }
            case 11 -> { // DOUBLE
                double[] d = new double[n];
                if (t.getDoubleDataCount() > 0) {
                    for (int i = 0; i < n; i++) {
                        d[i] = t.getDoubleData(i);
                    }
                } else {
                    bytes(t, 8L * n).asDoubleBuffer().get(d);
                }
                for (int i = 0; i < n; i++) {
                    v[i] = (float) d[i];
                }
            }
            case 6, 7 -> { // INT32, INT64
                long[] l = longs(t);
                for (int i = 0; i < n; i++) {
                    v[i] = l[i];
                }
            }
            default -> throw new IllegalArgumentException(path.getFileName() + ": tensor '" + t.getName() + "' holds values of ONNX type "
                    + t.getDataType() + "; cnnsee reads 32-bit floats (export the model in float32)");
        }
        return v;
    }

    /** A tensor's values as integers (shapes, axes, pads). */
    public long[] longs(Onnx.TensorProto t) {
        int n = Math.toIntExact(size(t));
        long[] v = new long[n];
        if (t.getDataType() == 7) {
            if (t.getInt64DataCount() > 0) {
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt64Data(i);
                }
            } else {
                bytes(t, 8L * n).asLongBuffer().get(v);
            }
        } else if (t.getDataType() == 6) {
            if (t.getInt32DataCount() > 0) {
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt32Data(i);
                }
            } else {
                int[] ints = new int[n];
                bytes(t, 4L * n).asIntBuffer().get(ints);
                for (int i = 0; i < n; i++) {
                    v[i] = ints[i];
                }
            }
        } else {
            float[] f = floats(t);
            for (int i = 0; i < n; i++) {
                v[i] = (long) f[i];
            }
        }
        return v;
    }

    static long size(Onnx.TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    /** Raw little-endian bytes, inline or in the external data file beside the model. */
    private ByteBuffer bytes(Onnx.TensorProto t, long length) {
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            Map<String, String> info = new HashMap<>();
            t.getExternalDataList().forEach(e -> info.put(e.getKey(), e.getValue()));
            Path data = path.resolveSibling(info.getOrDefault("location", ""));
            long offset = Long.parseLong(info.getOrDefault("offset", "0"));
            try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "r")) {
                byte[] b = new byte[Math.toIntExact(length)];
                f.seek(offset);
                f.readFully(b);
                return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                throw new IllegalArgumentException(path.getFileName() + ": tensor '" + t.getName() + "' is kept in " + data
                        + ", which cannot be read (" + e.getMessage() + "): keep the data file beside the model", e);
            }
        }
        if (t.getRawData().size() != length) {
            throw new IllegalArgumentException(path.getFileName() + ": tensor '" + t.getName() + "' has " + t.getRawData().size()
                    + " bytes for " + length);
        }
        return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
