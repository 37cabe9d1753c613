package io.cnnsee.dl4j;

import io.cnnsee.FeatureMap;
import io.cnnsee.FullGradient;
import io.cnnsee.MapShape;
import io.cnnsee.Objective;
import io.cnnsee.Tap;
import io.cnnsee.dl4j.engine.frontend.Dl4jGraphReader;
import io.cnnsee.dl4j.engine.graph.Graph;
import io.cnnsee.dl4j.engine.graph.Network;
import io.cnnsee.dl4j.engine.graph.Node;
import io.cnnsee.dl4j.engine.graph.Op;
import io.cnnsee.dl4j.engine.graph.Shape;
import io.cnnsee.dl4j.engine.onednn.CompiledNetwork;
import io.cnnsee.dl4j.engine.onednn.Plan;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * What a {@link Dl4jModel} asks of the one engine, as plans of the compiled network: the outputs
 * of some vertices, a class score's gradient with respect to taps, objectives' gradients with
 * respect to the input; several pictures at once in batches of up to {@link #BATCH}, fewer where
 * a differentiated plan would take more than {@link #BATCH_BYTES}. Vertex
 * indices are node ids ({@link Dl4jGraphReader}). Not thread-safe: the model serialises its use.
 */
final class CompiledRuns implements AutoCloseable {

    /** Pictures per plan at most: several share each primitive's setup and each kernel's reading. */
    static final int BATCH = 4;
    /**
     * Memory a batch of a differentiated plan may take, reckoned as three times every node's
     * output (values, gradients, what lies between): 329 MB a picture for VGG16, which goes one
     * picture at a time, 130 MB for the zoo ResNet50, four at a time.
     */
    static final long BATCH_BYTES = 640L << 20;

    private final CompiledNetwork network;
    private final Network front;
    private final int input;
    /** Pictures per plan of gradients. */
    private final int batch;

    private final String model;
    private final boolean winograd;
    private final int planThreads;
    /** The networks from a layer on, made on first use: Ablation-CAM's. */
    private final Map<Integer, Optional<CompiledRuns>> heads = new java.util.HashMap<>();

    private CompiledRuns(CompiledNetwork network, Network front, String model, boolean winograd, int planThreads) {
        this.network = network;
        this.front = front;
        this.model = model;
        this.winograd = winograd;
        this.planThreads = planThreads;
        this.input = front.graph().input();
        long perPicture = 3L * Float.BYTES * front.graph().nodes().stream().mapToLong(n -> n.shape().size()).sum();
        this.batch = (int) Math.max(1, Math.min(BATCH, BATCH_BYTES / perPicture));
    }

    static Optional<CompiledRuns> of(ComputationGraph graph, Map<String, InputType> types, Shape input, String model,
                                     boolean winograd, int planThreads) {
        return of(Dl4jGraphReader.read(graph, types, input), model, winograd, planThreads);
    }

    /** Any front-end's network on oneDNN; empty where oneDNN's presets do not load or are switched off. */
    static Optional<CompiledRuns> of(Network front, String model, boolean winograd, int planThreads) {
        return CompiledNetwork.of(front.graph(), front.hosts(), model, winograd, planThreads)
                .map(n -> new CompiledRuns(n, front, model, winograd, planThreads));
    }

    /**
     * The network from node {@code from} on, up to the classifier's scores, compiled as a network
     * of its own whose input is {@code from}'s output: what a layer's changed output does to the
     * class scores. Empty when something before {@code from} also feeds what comes after it (a
     * connection across it), or the classifier's scores are not a node.
     */
    Optional<CompiledRuns> from(int from, int classifier) {
        return heads.computeIfAbsent(from, f -> head(f, classifier));
    }

    private Optional<CompiledRuns> head(int from, int classifier) {
        Integer logits = front.logits().get(classifier);
        if (logits == null) {
            return Optional.empty();
        }
        Graph g = front.graph();
        Set<Integer> needed = g.ancestors(List.of(classifier));
        if (!needed.contains(from)) {
            return Optional.empty();
        }
        Set<Integer> after = new java.util.HashSet<>();
        List<Node> ordered = new ArrayList<>();
        Node start = g.node(from);
        ordered.add(Node.of(from, start.name(), new Op.Input(), List.of(), start.shape()));
        after.add(from);
        for (Node n : g.nodes()) {
            if (n.id() == from || !needed.contains(n.id()) || n.inputs().stream().noneMatch(after::contains)) {
                continue;
            }
            if (!after.containsAll(n.inputs())) {
                return Optional.empty();
            }
            after.add(n.id());
            ordered.add(n);
        }
        if (!after.contains(classifier) || !after.contains(logits)) {
            return Optional.empty();
        }
        Map<Integer, Integer> keptLogits = new java.util.HashMap<>();
        front.logits().forEach((k, v) -> {
            if (after.contains(k) && after.contains(v)) {
                keptLogits.put(k, v);
            }
        });
        Map<Integer, io.cnnsee.dl4j.engine.graph.HostLayer> hosts = new java.util.HashMap<>();
        front.hosts().forEach((k, v) -> {
            if (after.contains(k)) {
                hosts.put(k, v);
            }
        });
        return of(new Network(new Graph(ordered), hosts, keptLogits), model + " from " + start.name(), winograd, planThreads);
    }

    /** Reads a node's output for one picture, channel-major, into {@code target}. */
    interface Reader {
        void read(int node, float[] target);
    }

    /**
     * Runs the inputs forward in batches; for each input, in order, {@code each} is given its
     * index and a reader of the nodes {@code nodes}, valid during the call.
     */
    void forward(List<float[]> inputs, int[] nodes, java.util.function.ObjIntConsumer<Reader> each) {
        Set<Integer> reads = setOf(nodes);
        for (int from = 0; from < inputs.size(); from += BATCH) {
            int count = Math.min(BATCH, inputs.size() - from);
            Plan plan = network.forward(count, reads);
            for (int p = 0; p < count; p++) {
                plan.input(p, inputs.get(from + p));
            }
            plan.forward();
            for (int p = 0; p < count; p++) {
                int picture = p;
                each.accept((node, target) -> plan.read(node, picture, target), from + p);
            }
        }
    }

    /** A class's score before softmax, its gradient with respect to some taps, and what the pass read on the way. */
    record ClassScore(int chosen, float score, float[] probabilities, float[][] activations, float[][] gradients) {
    }

    /**
     * The score of {@code classIndex} ({@code -1}: the most probable) of the softmax at vertex
     * {@code classifier} (a softmax node), and its gradient with respect to the outputs of {@code taps}; empty when
     * the classifier's scores before softmax are not a node of the graph.
     */
    Optional<ClassScore> classScore(float[] values, int classifier, int classIndex, int[] taps) {
        return classScore(values, classifier, classIndex, taps, taps);
    }

    /** {@link #classScore}, reading the outputs of {@code read} and differentiating at {@code wanted}. */
    private Optional<ClassScore> classScore(float[] values, int classifier, int classIndex, int[] read, int[] wanted) {
        Integer logits = front.logits().get(classifier);
        if (logits == null) {
            return Optional.empty();
        }
        Set<Integer> reads = setOf(read);
        reads.add(classifier);
        reads.add(logits);
        Plan plan = network.gradients(1, reads, Set.of(logits), setOf(wanted));
        plan.input(0, values);
        plan.forward();
        float[] probabilities = new float[size(classifier)];
        plan.read(classifier, 0, probabilities);
        float[] scores = new float[size(logits)];
        plan.read(logits, 0, scores);
        int chosen = classIndex < 0 ? Dl4jModel.argmax(probabilities) : classIndex;
        float[] seed = new float[scores.length];
        seed[chosen] = 1f;
        plan.clearSeeds();
        plan.seed(logits, 0, seed);
        plan.backward();
        float[][] gradients = new float[wanted.length][];
        for (int i = 0; i < wanted.length; i++) {
            gradients[i] = new float[size(wanted[i])];
            plan.gradient(wanted[i], 0, gradients[i]);
        }
        return Optional.of(new ClassScore(chosen, scores[chosen], probabilities, read(plan, 0, read), gradients));
    }

    /**
     * The score of {@code classIndex} ({@code -1}: the most probable) and its gradient with respect
     * to the input and to the output of every node with a bias over a map: a convolution with a
     * bias, or a channel affine (a batch normalisation) after a convolution (an affine before any,
     * the network's own preprocessing, is not a bias of the network's). Those nodes are kept apart
     * from their activations, so their output is the one before it. Empty when the classifier's
     * scores before softmax are not a node.
     */
    Optional<FullGradient> fullGradient(float[] values, int classifier, int classIndex) {
        Integer logits = front.logits().get(classifier);
        if (logits == null) {
            return Optional.empty();
        }
        Graph g = front.graph();
        Set<Integer> needed = g.ancestors(List.of(logits));
        Map<Node, float[]> biased = new java.util.LinkedHashMap<>();
        for (Node n : g.nodes()) {
            float[] bias = needed.contains(n.id()) && !n.shape().flat() ? bias(n, g) : null;
            if (bias != null) {
                biased.put(n, bias);
            }
        }
        List<Node> nodes = List.copyOf(biased.keySet());
        int[] wanted = new int[nodes.size() + 1];
        for (int i = 0; i < nodes.size(); i++) {
            wanted[i] = nodes.get(i).id();
        }
        wanted[nodes.size()] = input;
        // nothing read but the scores: the gradients are all FullGrad takes, and the input is the values given
        return classScore(values, classifier, classIndex, new int[0], wanted).map(s -> {
            List<FullGradient.Bias> biases = new ArrayList<>(nodes.size());
            for (int i = 0; i < nodes.size(); i++) {
                Node n = nodes.get(i);
                biases.add(new FullGradient.Bias(biased.get(n), FeatureMap.copyOf(tap(n.name(), n.shape()), s.gradients()[i])));
            }
            Tap in = tap("input", g.node(input).shape());
            return new FullGradient(s.chosen(), s.score(), s.probabilities()[s.chosen()], FeatureMap.copyOf(in, values),
                    FeatureMap.copyOf(in, s.gradients()[nodes.size()]), biases);
        });
    }

    private static Tap tap(String name, Shape shape) {
        return Tap.of(name, new MapShape(shape.channels(), shape.height(), shape.width()));
    }

    /** The node's bias per channel, or null where it has none (or is preprocessing before any convolution). */
    private static float[] bias(Node n, Graph g) {
        if (n.op() instanceof Op.Conv c && c.bias() != null) {
            return c.bias().values();
        }
        if (n.op() instanceof Op.ChannelAffine a
                && g.ancestors(n.inputs()).stream().anyMatch(id -> g.node(id).op() instanceof Op.Conv)) {
            return a.shift().clone();
        }
        return null;
    }

    /** An objective's value at an input and its gradient with respect to the input. */
    record Gradient(double value, float[] gradient) {
    }

    /**
     * Each objective's value at its input and gradient with respect to it, in batches.
     *
     * @param nodeOf the node a term reads: a tap's vertex, or for a class score the classifier's logits
     */
    List<Gradient> inputGradients(List<float[]> inputs, List<Objective> objectives, ToIntFunction<Objective.Term> nodeOf) {
        return inputGradients(inputs, objectives, nodeOf, false);
    }

    /** {@link #inputGradients}, each ReLU's way back guided when {@code guided} (guided backpropagation). */
    List<Gradient> inputGradients(List<float[]> inputs, List<Objective> objectives, ToIntFunction<Objective.Term> nodeOf,
                                  boolean guided) {
        List<Gradient> out = new ArrayList<>(inputs.size());
        for (int from = 0; from < inputs.size(); from += batch) {
            int count = Math.min(batch, inputs.size() - from);
            Set<Integer> seeds = new LinkedHashSet<>();
            for (int p = 0; p < count; p++) {
                objectives.get(from + p).terms().forEach(t -> seeds.add(nodeOf.applyAsInt(t)));
            }
            Plan plan = network.gradients(count, seeds, seeds, Set.of(input), guided);
            for (int p = 0; p < count; p++) {
                plan.input(p, inputs.get(from + p));
            }
            plan.forward();
            plan.clearSeeds();
            double[] values = new double[count];
            for (int p = 0; p < count; p++) {
                values[p] = seed(plan, p, objectives.get(from + p), nodeOf);
            }
            plan.backward();
            for (int p = 0; p < count; p++) {
                float[] g = new float[size(input)];
                plan.gradient(input, p, g);
                out.add(new Gradient(values[p], g));
            }
        }
        return out;
    }

    /** Writes picture {@code p}'s seeds for {@code objective}, and returns the objective's value. */
    private double seed(Plan plan, int p, Objective objective, ToIntFunction<Objective.Term> nodeOf) {
        Map<Integer, float[]> seeds = new java.util.LinkedHashMap<>();
        double value = 0;
        for (Objective.Term t : objective.terms()) {
            int node = nodeOf.applyAsInt(t);
            Shape shape = front.graph().node(node).shape();
            float[] values = new float[size(node)];
            plan.read(node, p, values);
            float[] seed = seeds.computeIfAbsent(node, n -> new float[values.length]);
            if (t.kind() == Objective.Kind.CLASS_LOGIT) {
                value += t.weight() * values[t.index()];
                seed[t.index()] += (float) t.weight();
            } else {
                value += t.weight() * ChannelSeed.addTo(seed, values, shape.height(), shape.width(), t.index(),
                        t.kind() == Objective.Kind.CENTRE_UNIT, t.weight());
            }
        }
        seeds.forEach((node, s) -> plan.seed(node, p, s));
        return value;
    }

    /** The node of the scores before softmax of the classifier at vertex {@code classifier}, if the graph has one. */
    /**
     * The scores before softmax of the classifier at {@code classifier} for each input, forward
     * only, in batches; empty when they are not a node of the graph.
     */
    Optional<List<float[]>> classScores(List<float[]> inputs, int classifier) {
        Integer logits = front.logits().get(classifier);
        if (logits == null) {
            return Optional.empty();
        }
        List<float[]> out = new java.util.ArrayList<>(inputs.size());
        forward(inputs, new int[] {logits}, (reader, picture) -> {
            float[] scores = new float[size(logits)];
            reader.read(logits, scores);
            out.add(scores);
        });
        return Optional.of(out);
    }

    Optional<Integer> logits(int classifier) {
        return Optional.ofNullable(front.logits().get(classifier));
    }

    private float[][] read(Plan plan, int picture, int[] nodes) {
        float[][] values = new float[nodes.length][];
        for (int i = 0; i < nodes.length; i++) {
            values[i] = new float[size(nodes[i])];
            plan.read(nodes[i], picture, values[i]);
        }
        return values;
    }

    private int size(int node) {
        return Math.toIntExact(front.graph().node(node).shape().size());
    }

    private static Set<Integer> setOf(int[] nodes) {
        Set<Integer> s = new HashSet<>();
        for (int n : nodes) {
            s.add(n);
        }
        return s;
    }

    String note() {
        return network.note();
    }

    List<String> fallbacks() {
        return network.fallbacks();
    }

    /** Pictures per plan of gradients, as memory allows. */
    int batch() {
        return batch;
    }

    int planThreads() {
        return network.planThreads();
    }

    List<Integer> threadsOfPlans() {
        return network.threadsOfPlans();
    }

    List<String> implementations(int[] nodes) {
        return network.forward(1, setOf(nodes)).implementations();
    }

    @Override
    public void close() {
        heads.values().forEach(h -> h.ifPresent(CompiledRuns::close));
        heads.clear();
        network.close();
    }
}
