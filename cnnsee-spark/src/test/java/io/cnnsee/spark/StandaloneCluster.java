package io.cnnsee.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster of separate JVMs on 127.0.0.1, started from the test's own class
 * path: a master and workers, their SPARK_HOME a folder whose {@code jars/} links the class path's
 * jars (what the workers build executors' class paths from). Stopped, with every JVM it started,
 * by {@link #close()}.
 */
public final class StandaloneCluster implements AutoCloseable {

    private final List<Process> processes = new ArrayList<>();
    private final int port;
    private final Path home;

    private StandaloneCluster(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    public static StandaloneCluster start(Path dir, int workers, String javaOptions) throws Exception {
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : System.getProperty("java.class.path").split(java.util.regex.Pattern.quote(java.io.File.pathSeparator), -1)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(jars.resolve(p.getFileName()))) {
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
            }
        }
        StandaloneCluster cluster = new StandaloneCluster(home, freePort());
        try {
            cluster.launch(dir.resolve("master.log"), javaOptions, "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", String.valueOf(cluster.port), "--webui-port", String.valueOf(freePort()));
            cluster.waitForLog(dir.resolve("master.log"), "I have been elected leader", Duration.ofSeconds(60));
            for (int w = 0; w < workers; w++) {
                Path log = dir.resolve("worker" + w + ".log");
                cluster.launch(log, javaOptions, "org.apache.spark.deploy.worker.Worker", cluster.url(),
                        "--host", "127.0.0.1", "--cores", "1", "--memory", "3g", "--webui-port", String.valueOf(freePort()),
                        "--work-dir", Files.createDirectories(dir.resolve("work" + w)).toString());
                cluster.waitForLog(log, "Successfully registered with master", Duration.ofSeconds(60));
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    public String url() {
        return "spark://127.0.0.1:" + port;
    }

    /** The JVMs the workers started for executors, found among their children. */
    public List<ProcessHandle> executors() {
        List<ProcessHandle> out = new ArrayList<>();
        for (int i = 1; i < processes.size(); i++) {
            processes.get(i).toHandle().descendants().forEach(out::add);
        }
        return out;
    }

    private void launch(Path log, String javaOptions, String main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(javaOptions.trim().split("\\s+")));
        command.add("-Xmx512m");
        // the lines waited for are INFO; a class path with SLF4J's simple logger may say WARN in its properties
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        processes.add(pb.start());
    }

    private void waitForLog(Path log, String line, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return;
            }
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("A cluster JVM ended early; its log: " + Files.readString(log));
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("No '" + line + "' in " + log + " within " + limit + ": " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
