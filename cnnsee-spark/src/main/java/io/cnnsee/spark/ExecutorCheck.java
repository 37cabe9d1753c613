package io.cnnsee.spark;

import org.apache.spark.api.java.JavaSparkContext;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Before a job: can the executors read the files the model is made from? A small job of its own,
 * a few tasks each looking for the files where it runs, so that a file missing on a machine stops
 * the run at once with its name and the machine's, rather than after every task failed four
 * times. Executors that join later are not checked.
 */
final class ExecutorCheck {

    private ExecutorCheck() {
    }

    /**
     * @throws IllegalStateException naming each file and the machines that cannot read it
     */
    static void run(JavaSparkContext sc, SparkAtlas.ModelFactory factory) {
        List<String> files = factory.files();
        if (files.isEmpty()) {
            return;
        }
        int tasks = Math.max(2, sc.defaultParallelism());
        List<String> problems = sc.parallelize(IntStream.range(0, tasks).boxed().toList(), tasks)
                .flatMap(i -> unreadable(files).iterator()).distinct().collect();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("An executor cannot read what the model is made from: "
                    + String.join("; ", new TreeSet<>(problems)) + ". Every executor reads the same path: put the file on "
                    + "storage every machine mounts at that path, or copy it to each machine");
        }
    }

    private static List<String> unreadable(List<String> files) {
        List<String> out = new ArrayList<>();
        for (String f : files) {
            if (!Files.isReadable(Path.of(f))) {
                out.add(f + " on " + host());
            }
        }
        return out;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "an executor whose host has no name";
        }
    }
}
