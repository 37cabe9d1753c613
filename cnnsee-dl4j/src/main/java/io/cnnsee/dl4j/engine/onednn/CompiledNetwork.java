package io.cnnsee.dl4j.engine.onednn;

import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.HostLayer;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.onednn.ForwardLowering.Lowered;
import io.cnnsee.dl4j.engine.passes.Passes;
import org.bytedeco.dnnl.engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A network compiled to oneDNN: its graph, the passes and lowerings that make a {@link Plan} per
 * number of pictures and set of nodes read (and, for gradients, seeded and differentiated), a few
 * plans kept, and the kernels they share. A node oneDNN refuses at plan time runs on its framework
 * from then on ({@link HostLayer}), said once in the log and in {@link #note}. Not thread-safe.
 */
public final class CompiledNetwork implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CompiledNetwork.class);
    /** Set to {@code false} to run networks on their framework's own layers instead of oneDNN. */
    public static final String PROPERTY = "cnnsee.onednn";
    /** Plans kept: a report's taps, the explorer's every layer, a classifier, a gradient and a batch. */
    private static final int PLANS = 5;
    /** Memory the kept plans may hold together, beyond the newest: older plans go first. */
    static final long KEPT_BYTES = 1L << 30;

    private record Key(int pictures, Set<Integer> reads, Set<Integer> seeds, Set<Integer> wanted, boolean guided) {
    }

    private final String model;
    private final Map<Integer, HostLayer> hosts;
    private final boolean winograd;
    private final engine cpu;
    private final Kernels kernels;
    private final Map<Key, Plan> plans = new LinkedHashMap<>(8, 0.75f, true);
    /**
     * The OpenMP threads of the thread that made the model: every plan is made with them.
     * oneDNN makes its primitives for the thread count in force, and plans made by a caller
     * sharing the cores (one thread) ran slower ever after.
     */
    private final int planThreads;
    private final Map<Key, Integer> madeWith = new java.util.HashMap<>();
    private Graph graph;

    private CompiledNetwork(Graph graph, Map<Integer, HostLayer> hosts, String model, boolean winograd, int planThreads) {
        this.graph = graph;
        this.hosts = Map.copyOf(hosts);
        this.model = model;
        this.winograd = winograd;
        this.cpu = new engine(engine.kind.cpu, 0);
        this.kernels = new Kernels(cpu);
        this.planThreads = planThreads;
        if (hostNodes().isEmpty()) {
            LOG.info("{}: {}", model, note());
        } else {
            LOG.warn("{}: {}", model, note());
        }
    }

    /** Whether {@link #PROPERTY} says to run on the framework's own layers. */
    public static boolean switchedOff() {
        return "false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /**
     * The network on oneDNN, or empty where oneDNN's presets do not load here or {@link #PROPERTY}
     * is {@code false}: the caller then runs its framework's layers, and the log says why.
     *
     * @param hosts    per node, the framework's own implementation, run where oneDNN refuses the node
     * @param winograd    whether to ask for Winograd's algorithm where it pays
     * @param planThreads the OpenMP threads to make every plan with (those of the thread that made the model)
     */
    public static Optional<CompiledNetwork> of(Graph graph, Map<Integer, HostLayer> hosts, String model, boolean winograd,
                                               int planThreads) {
        if (switchedOff()) {
            LOG.info("{}=false: {} runs on its framework's own layers", PROPERTY, model);
            return Optional.empty();
        }
        try {
            return Optional.of(new CompiledNetwork(graph, hosts, model, winograd, planThreads));
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            LOG.warn("oneDNN's presets (org.bytedeco:dnnl) cannot be loaded on {}-{} ({}): {} runs on its framework's own layers, "
                    + "several times slower", System.getProperty("os.name"), System.getProperty("os.arch"), e.toString(), model);
            return Optional.empty();
        }
    }

    /** The plan that runs {@code pictures} pictures forward and reads the nodes {@code reads}. */
    public Plan forward(int pictures, Set<Integer> reads) {
        return plan(new Key(pictures, Set.copyOf(reads), Set.of(), Set.of(), false));
    }

    /**
     * The plan that runs {@code pictures} pictures forward, reading {@code reads}, then back from
     * gradients given at {@code seeds} to the gradients with respect to {@code wanted}.
     */
    public Plan gradients(int pictures, Set<Integer> reads, Set<Integer> seeds, Set<Integer> wanted) {
        return gradients(pictures, reads, seeds, wanted, false);
    }

    /**
     * {@link #gradients(int, Set, Set, Set)}, with each ReLU's way back guided when {@code guided}
     * (Springenberg et al. 2015): only positive gradients pass, where the input was positive.
     */
    public Plan gradients(int pictures, Set<Integer> reads, Set<Integer> seeds, Set<Integer> wanted, boolean guided) {
        if (seeds.isEmpty() || wanted.isEmpty()) {
            throw new IllegalArgumentException("a gradient needs a seed and a node to differentiate at");
        }
        return plan(new Key(pictures, Set.copyOf(reads), Set.copyOf(seeds), Set.copyOf(wanted), guided));
    }

    private Plan plan(Key key) {
        Plan plan = plans.get(key);
        if (plan != null) {
            return plan;
        }
        if (plans.size() >= PLANS) {
            var eldest = plans.entrySet().iterator().next();
            eldest.getValue().close();
            plans.remove(eldest.getKey());
            madeWith.remove(eldest.getKey());
        }
        int[] threads = new int[1];
        plan = OmpThreads.with(planThreads, () -> {
            threads[0] = OmpThreads.current();
            while (true) {
                try {
                    return lower(key);
                } catch (ForwardLowering.Refused e) {
                    hostRefused(e);
                }
            }
        });
        plans.put(key, plan);
        madeWith.put(key, threads[0]);
        long total = plans.values().stream().mapToLong(Plan::bytes).sum();
        for (var it = plans.entrySet().iterator(); total > KEPT_BYTES && plans.size() > 1; ) {
            var eldest = it.next();
            total -= eldest.getValue().bytes();
            eldest.getValue().close();
            madeWith.remove(eldest.getKey());
            it.remove();
        }
        return plan;
    }

    private Plan lower(Key key) {
        boolean training = !key.seeds().isEmpty();
        Set<Integer> kept = new HashSet<>(key.reads());
        kept.addAll(key.seeds());
        kept.addAll(key.wanted());
        Graph lowered = Passes.run(graph, kept, kept, training, winograd);
        Lowered out = new Lowered(cpu, key.pictures(), training);
        try {
            ForwardLowering.lower(lowered, key.reads(), out, kernels);
            if (training) {
                BackwardLowering.lower(lowered, key.seeds(), key.wanted(), out, kernels, key.guided());
            }
            return new Plan(lowered, out);
        } catch (RuntimeException e) {
            out.owners.forEach(OnednnSteps::close);
            throw e;
        }
    }

    /** The nodes behind a refused (maybe fused) node run on their framework from now on. */
    private void hostRefused(ForwardLowering.Refused e) {
        Set<String> names = new LinkedHashSet<>(e.node().layers());
        List<Node> nodes = new ArrayList<>();
        boolean changed = false;
        for (Node n : graph.nodes()) {
            if (names.contains(n.name()) && hosts.containsKey(n.id()) && !(n.op() instanceof Op.Host)) {
                nodes.add(n.with(new Op.Host(hosts.get(n.id()), e.getMessage())));
                changed = true;
            } else {
                nodes.add(n);
            }
        }
        if (!changed) {
            throw new IllegalStateException(model + ": " + e.node().description() + ": " + e.getMessage(), e);
        }
        graph = new Graph(nodes);
        LOG.warn("{}: {}", model, note());
    }

    private List<Node> hostNodes() {
        return graph.nodes().stream().filter(n -> n.op() instanceof Op.Host).toList();
    }

    /** For the report: "oneDNN runs all 12 layers", or which run on the framework and why. */
    public String note() {
        Set<String> layers = new LinkedHashSet<>();
        graph.nodes().stream().filter(n -> !(n.op() instanceof Op.Input)).forEach(n -> layers.addAll(n.layers()));
        List<Node> hosted = hostNodes();
        if (hosted.isEmpty()) {
            return "oneDNN runs all " + layers.size() + " layers, forward and backward";
        }
        Set<String> where = new LinkedHashSet<>();
        hosted.forEach(n -> where.add(((Op.Host) n.op()).layer().runsOn()));
        StringBuilder s = new StringBuilder("oneDNN runs " + (layers.size() - hosted.size()) + " of " + layers.size()
                + " layers, forward and backward; these run on " + String.join(" and ", where) + ", slower: ");
        String sep = "";
        for (Node n : hosted) {
            s.append(sep).append(n.name()).append(" (").append(((Op.Host) n.op()).why()).append(')');
            sep = "; ";
        }
        return s.toString();
    }

    /** Names of the layers that run on their framework. */
    public List<String> fallbacks() {
        return hostNodes().stream().map(Node::name).toList();
    }

    /** The OpenMP threads every plan is made with. */
    public int planThreads() {
        return planThreads;
    }

    /** The OpenMP threads each kept plan was made with. */
    public List<Integer> threadsOfPlans() {
        return List.copyOf(madeWith.values());
    }

    @Override
    public void close() {
        plans.values().forEach(Plan::close);
        plans.clear();
        kernels.close();
        cpu.close();
    }
}
