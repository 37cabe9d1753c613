package io.cnnsee.serve;

import io.cnnsee.ChannelRanker;
import io.cnnsee.ImageLoader;
import io.cnnsee.InspectableModel;
import io.cnnsee.explore.Explorer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The explorer as a local web app: {@code ExplorerServer.builder(model).port(8080).start()}, then
 * open {@link #uri()}. Jetty's core handlers serve one page and a small JSON API; the model is
 * shared by all clients (passes at once are bounded), explorations are kept in an LRU.
 *
 * <p>Jetty rather than Javalin or Helidon: the explorer needs eight fixed routes and a body read,
 * which Jetty's core API gives without a servlet container, and Javalin would add Kotlin's
 * library on top of the same Jetty.
 */
public final class ExplorerServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExplorerServer.class);

    private final Server server;
    private final ServerConnector connector;
    private final String host;
    private final ExplorerHandler handler;

    private ExplorerServer(Builder b) throws Exception {
        Explorer explorer = Explorer.of(b.model, b.rankers);
        QueuedThreadPool threads = new QueuedThreadPool(b.threads, Math.min(4, b.threads));
        threads.setName("cnnsee-serve");
        threads.setDaemon(true);
        this.server = new Server(threads);
        this.connector = new ServerConnector(server);
        this.host = b.host;
        connector.setHost(b.host);
        connector.setPort(b.port);
        server.addConnector(connector);
        this.handler = new ExplorerHandler(explorer, new ExplorationCache(b.keep), b.loader, b.maxUploadBytes,
                b.concurrentPasses);
        server.setHandler(handler);
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            handler.close();
            throw e;
        }
        if (!isLoopback(b.host)) {
            LOG.warn("The explorer listens on {}, not only on this machine: anyone who can reach port {} can upload"
                    + " pictures to it", b.host, port());
        }
        LOG.info("Explorer of {} at {}", explorer.model().name(), uri());
    }

    public static Builder builder(InspectableModel model) {
        return new Builder(model);
    }

    /** The port listened on: the one given, or the one the system chose for port 0. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The page's address. */
    public URI uri() {
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : shown) + ":" + port() + "/");
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the explorer failed", e);
        } finally {
            handler.close();
        }
    }

    /** Whether {@code host} is this machine only (127.0.0.1, ::1, localhost). */
    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Options of an {@link ExplorerServer}. */
    public static final class Builder {
        /** Bytes of one upload, by default. */
        public static final long DEFAULT_MAX_UPLOAD_BYTES = 32_000_000L;
        /** Explorations kept, by default. */
        public static final int DEFAULT_KEEP = 8;

        private final InspectableModel model;
        private String host = "127.0.0.1";
        private int port = 8080;
        private long maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES;
        private ImageLoader loader = ImageLoader.defaults();
        private int keep = DEFAULT_KEEP;
        private int concurrentPasses = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int threads = 64;
        private final List<ChannelRanker> rankers = new ArrayList<>();

        private Builder(InspectableModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** The address to listen on; 127.0.0.1 unless told otherwise, and the server warns when it is not a loopback address. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port; 0 lets the system choose one ({@link ExplorerServer#port()} tells which). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("A port is 0 to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** The largest upload accepted, in bytes; larger ones are refused with 413 and a message. */
        public Builder maxUploadBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("The upload limit must be at least 1 byte, was " + bytes);
            }
            this.maxUploadBytes = bytes;
            return this;
        }

        /** The loader uploads are decoded with, and so its pixel limit. */
        public Builder loader(ImageLoader loader) {
            this.loader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /** How many explorations are kept for their pages (least recently used dropped first). */
        public Builder keep(int explorations) {
            if (explorations < 1) {
                throw new IllegalArgumentException("The server must keep at least 1 exploration, was " + explorations);
            }
            this.keep = explorations;
            return this;
        }

        /** Passes through the model at once (uploads, Grad-CAM, reports); more wait their turn. */
        public Builder concurrentPasses(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("At least 1 pass at once, was " + n);
            }
            this.concurrentPasses = n;
            return this;
        }

        /** A ranker the page can sort by, after the built-in ones. */
        public Builder ranker(ChannelRanker ranker) {
            rankers.add(Objects.requireNonNull(ranker, "ranker"));
            return this;
        }

        /**
         * Starts the server.
         *
         * @throws java.io.IOException (through Jetty) naming the address when the port is taken
         */
        public ExplorerServer start() throws Exception {
            return new ExplorerServer(this);
        }
    }
}
