package io.cnnsee.dl4j;

import org.bytedeco.dnnl.engine;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Deeplearning4j graph's forward pass on oneDNN for the model that owns it: compiled
 * ({@link GraphCompiler}) once per set of vertices read, a few such plans kept; the vertices oneDNN
 * cannot run said once in the log and kept for the report ({@link #note}). Not thread-safe: the
 * model serialises its passes.
 */
final class CompiledGraph implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CompiledGraph.class);
    /** Plans kept: enough for a report's taps, the explorer's every layer and a classifier read alone. */
    private static final int PLANS = 3;

    private final ComputationGraph graph;
    private final Map<String, InputType> types;
    private final long[] inputDims;
    private final String model;
    private final engine cpu;
    private final GraphKernels kernels;
    /** Per vertex run on Deeplearning4j, why; in network order. */
    private final Map<Integer, String> fallbacks = new LinkedHashMap<>();
    private final Map<Set<Integer>, GraphPlan> plans = new LinkedHashMap<>(4, 0.75f, true);
    private final int layers;

    private CompiledGraph(ComputationGraph graph, Map<String, InputType> types, long[] inputDims, String model) {
        this.graph = graph;
        this.types = types;
        this.inputDims = inputDims;
        this.model = model;
        this.cpu = new engine(engine.kind.cpu, 0);
        this.kernels = new GraphKernels(cpu);
        int count = 0;
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex v = graph.getVertices()[index];
            if (!v.isInputVertex()) {
                count++;
                String why = GraphCompiler.whyNot(v, types, graph);
                if (why != null) {
                    fallbacks.put(index, why);
                }
            }
        }
        this.layers = count;
        if (fallbacks.isEmpty()) {
            LOG.info("{}: all {} layers run on oneDNN", model, layers);
        } else {
            LOG.warn("{}: {}", model, note());
        }
    }

    /**
     * The compiled pass, or empty where it cannot be: {@link OnednnPass#PROPERTY} is
     * {@code false}, the network is not in 32-bit floats, or oneDNN's presets do not load here. The
     * model then runs on Deeplearning4j's layers, and says why in its log.
     */
    static Optional<CompiledGraph> of(ComputationGraph graph, Map<String, InputType> types, long[] inputDims, String model) {
        if (OnednnPass.switchedOff()) {
            LOG.info("{}=false: {} runs on Deeplearning4j's layers", OnednnPass.PROPERTY, model);
            return Optional.empty();
        }
        if (graph.getConfiguration().getDataType() != DataType.FLOAT) {
            LOG.info("{} holds {} values, and the oneDNN pass is for 32-bit floats: it runs on Deeplearning4j's layers",
                    model, graph.getConfiguration().getDataType());
            return Optional.empty();
        }
        try {
            return Optional.of(new CompiledGraph(graph, types, inputDims, model));
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            LOG.warn("oneDNN's presets (org.bytedeco:dnnl) cannot be loaded on {}-{} ({}): {} runs on Deeplearning4j's layers, "
                    + "several times slower", System.getProperty("os.name"), System.getProperty("os.arch"), e.toString(), model);
            return Optional.empty();
        }
    }

    /** Runs one picture (channel after channel) on the plan that reads {@code vertices}: read them from it ({@link GraphPlan#read}). */
    GraphPlan run(float[] input, int[] vertices) {
        GraphPlan plan = plan(vertices);
        plan.run(input);
        return plan;
    }

    /** The plan that reads {@code vertices}, kept or made. */
    private GraphPlan plan(int[] vertices) {
        Set<Integer> reads = new TreeSet<>();
        for (int v : vertices) {
            reads.add(v);
        }
        GraphPlan plan = plans.get(reads);
        if (plan != null) {
            return plan;
        }
        if (plans.size() >= PLANS) {
            var eldest = plans.entrySet().iterator().next();
            eldest.getValue().close();
            plans.remove(eldest.getKey());
        }
        while (true) {
            try {
                plan = new GraphCompiler(graph, types, inputDims, cpu, kernels, reads, fallbacks).compile();
                break;
            } catch (GraphCompiler.Refused e) {
                // oneDNN refused what whyNot let through: that vertex runs on Deeplearning4j from now on.
                fallbacks.put(e.vertex(), e.getMessage());
                LOG.warn("{}: {}", model, note());
            }
        }
        plans.put(Set.copyOf(reads), plan);
        return plan;
    }

    /** For the report: "oneDNN runs all 12 layers", or which run on Deeplearning4j and why. */
    String note() {
        if (fallbacks.isEmpty()) {
            return "oneDNN runs all " + layers + " layers";
        }
        StringBuilder s = new StringBuilder("oneDNN runs " + (layers - fallbacks.size()) + " of " + layers
                + " layers; these run on Deeplearning4j's own, slower: ");
        String sep = "";
        for (var e : fallbacks.entrySet()) {
            GraphVertex v = graph.getVertices()[e.getKey()];
            s.append(sep).append(v.getVertexName()).append(" (").append(e.getValue()).append(')');
            sep = "; ";
        }
        return s.toString();
    }

    /** Names of the vertices that run on Deeplearning4j. */
    List<String> fallbacks() {
        return fallbacks.keySet().stream().map(i -> graph.getVertices()[i].getVertexName()).toList();
    }

    /** What oneDNN runs for each step of the plan reading {@code vertices}, made if need be. */
    List<String> implementations(int[] vertices) {
        return plan(vertices).implementations();
    }

    @Override
    public void close() {
        plans.values().forEach(GraphPlan::close);
        plans.clear();
        kernels.close();
        cpu.close();
    }
}
