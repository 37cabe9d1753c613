package io.cnnsee.serve;

import io.cnnsee.ChannelRanker;
import io.cnnsee.ImageLoader;
import io.cnnsee.InspectableModel;
import io.cnnsee.explore.Explorer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
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
    /** A connection with nothing to send or read for 30 s is closed; a request's body has its own, shorter limits ({@link UploadLimits}). */
    static final long IDLE_TIMEOUT_MS = 30_000;

    private final Server server;
    private final ServerConnector connector;
    private final String host;
    private final ExplorerHandler handler;
    private final UploadBudget budget;

    private ExplorerServer(Builder b) throws Exception {
        Explorer explorer = Explorer.of(b.model, b.rankers);
        QueuedThreadPool threads = new QueuedThreadPool(b.threads, Math.min(4, b.threads));
        threads.setName("cnnsee-serve");
        threads.setDaemon(true);
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false); // a version in every answer only helps whoever looks for a known flaw
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        this.host = b.host;
        connector.setHost(b.host);
        connector.setPort(b.port);
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        // Past it Jetty stops accepting until one closes: clients that send nothing hold no more than this.
        server.addBean(new NetworkConnectionLimit(b.maxConnections, connector));
        this.budget = new UploadBudget(b.uploadBudgetBytes > 0 ? b.uploadBudgetBytes
                : Builder.DEFAULT_BUDGET_UPLOADS * b.maxUploadBytes);
        UploadLimits limits = new UploadLimits(b.maxUploadBytes, b.stall, b.grace, b.minBytesPerSecond);
        // Half the threads may wait for the model; the other half serve the page, layers and uploads arriving.
        this.handler = new ExplorerHandler(explorer, new ExplorationCache(b.keep), b.loader, limits, budget,
                new Passes(b.concurrentPasses, Math.max(1, b.threads / 2)));
        server.setHandler(new HostCheck(b.host, b.allowedHosts, handler));
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

    /** The bytes that uploads in flight hold, against their budget: for tests. */
    UploadBudget uploadBudget() {
        return budget;
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
        /**
         * Pixels of one upload, by default: 50 million (a 48-megapixel phone photo, 8000 x 6000). The
         * library's loader takes 100 million, but one such picture costs the explorer about 4 s and
         * 300 MB to decode, convert and resize, and it is shown at 512 pixels a side.
         */
        public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
        /** The largest upload limit: an upload is held in one array. */
        public static final long MAX_UPLOAD_BYTES = Integer.MAX_VALUE - 8;
        /** Open connections at most, by default: far above a lab's clients, far below a process's file limit. */
        public static final int DEFAULT_MAX_CONNECTIONS = 512;
        /** Uploads of the largest size that may be held at once, by default: the budget of bytes in flight is this many times the upload limit. */
        public static final int DEFAULT_BUDGET_UPLOADS = 8;

        private final InspectableModel model;
        private String host = "127.0.0.1";
        private int port = 8080;
        private long maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES;
        private ImageLoader loader = ImageLoader.withMaxPixels(DEFAULT_MAX_PIXELS);
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private long uploadBudgetBytes;
        private Duration stall = UploadLimits.DEFAULT_STALL;
        private Duration grace = UploadLimits.DEFAULT_GRACE;
        private long minBytesPerSecond = UploadLimits.DEFAULT_MIN_BYTES_PER_SECOND;
        private final List<String> allowedHosts = new ArrayList<>();
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
            if (bytes < 1 || bytes > MAX_UPLOAD_BYTES) {
                throw new IllegalArgumentException("The upload limit must be 1 byte to " + MAX_UPLOAD_BYTES / 1_000_000
                        + " MB (an upload is held as one array), was " + bytes);
            }
            this.maxUploadBytes = bytes;
            return this;
        }

        /**
         * The bytes all uploads in flight may hold together (arriving, or waiting to be decoded);
         * past it, uploads are refused with 503 and Retry-After. By default {@value #DEFAULT_BUDGET_UPLOADS}
         * times {@link #maxUploadBytes}.
         */
        public Builder uploadBudgetBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("The upload budget must be at least 1 byte, was " + bytes);
            }
            this.uploadBudgetBytes = bytes;
            return this;
        }

        /**
         * Another name the server answers to besides its own addresses (a proxy's, an alias in
         * /etc/hosts); requests naming any other host get 421, against DNS rebinding.
         */
        public Builder allowHost(String name) {
            allowedHosts.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** How long a body may stall, and the rate it must keep after a grace: shorter in tests. */
        Builder uploadTimeouts(Duration stall, Duration grace, long minBytesPerSecond) {
            this.stall = stall;
            this.grace = grace;
            this.minBytesPerSecond = minBytesPerSecond;
            return this;
        }

        /**
         * Open connections at most ({@value #DEFAULT_MAX_CONNECTIONS} by default): past it, new ones
         * wait in the system's queue until one closes, and idle ones close after the idle timeout.
         */
        public Builder maxConnections(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("At least 1 connection, was " + n);
            }
            this.maxConnections = n;
            return this;
        }

        /** The loader uploads are decoded with, and so its pixel limit ({@value #DEFAULT_MAX_PIXELS} by default). */
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
