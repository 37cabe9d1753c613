package io.cnnsee.dl4j;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Download, hash check and cache, against a web server on the loopback address. */
class WeightsCacheTest {

    private static final byte[] CONTENT = "pretend these are 58.9 MB of VGG16 weights".repeat(5000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @TempDir
    Path cacheDir;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Boolean> progressDone = new ArrayList<>();
    private final List<Long> progressBytes = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            byte[] body = served.get(path);
            if (path.startsWith("/short/")) {
                // Claims the full length, sends half, hangs up: an interrupted download.
                exchange.sendResponseHeaders(200, CONTENT.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(CONTENT, 0, CONTENT.length / 2);
                    out.flush();
                }
                exchange.close();
                return;
            }
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private WeightsCache cache() {
        return new WeightsCache(cacheDir, (file, bytes, total, rate, done) -> {
            progressBytes.add(bytes);
            progressDone.add(done);
        });
    }

    private List<String> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private OfficialWeightsFile notop(URI... urls) {
        return Vgg16Weights.NO_TOP.withUrls(List.of(urls));
    }

    @Test
    void downloadsVerifiesKeepsAndThenUsesTheCache() throws Exception {
        served.put("/w.h5", CONTENT);
        OfficialWeightsFile file = new OfficialWeightsFile("w.h5", md5(CONTENT), List.of(url("/w.h5")));

        Path path = cache().resolve(file);

        assertThat(path).isEqualTo(cacheDir.resolve("w.h5").toAbsolutePath());
        assertThat(Files.readAllBytes(path)).isEqualTo(CONTENT);
        assertThat(cacheFiles()).containsExactly("w.h5");
        assertThat(progressDone).last().isEqualTo(true);
        assertThat(progressBytes).last().isEqualTo((long) CONTENT.length);
        assertThat(requests).hasValue(1);

        assertThat(cache().resolve(file)).isEqualTo(path);
        assertThat(requests).as("the second call reads the cache").hasValue(1);
    }

    @Test
    void aDownloadedFileHasThePermissionsOfAnyNewFile() throws Exception {
        assumeTrue(cacheDir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        served.put("/w.h5", CONTENT);
        OfficialWeightsFile file = new OfficialWeightsFile("w.h5", md5(CONTENT), List.of(url("/w.h5")));
        Path reference = Files.write(cacheDir.resolve("made-as-usual"), new byte[] {0});

        Path path = cache().resolve(file);

        // A cache folder shared by several accounts is read by all of them, as the umask allows.
        assertThat(Files.getPosixFilePermissions(path)).isEqualTo(Files.getPosixFilePermissions(reference));
    }

    @Test
    void fallsBackToTheMirror() throws Exception {
        served.put("/mirror/w.h5", CONTENT);
        OfficialWeightsFile file = new OfficialWeightsFile("w.h5", md5(CONTENT),
                List.of(url("/missing/w.h5"), url("/mirror/w.h5")));
        assertThat(Files.readAllBytes(cache().resolve(file))).isEqualTo(CONTENT);
        assertThat(requests).hasValue(2);
    }

    @Test
    void aChecksumMismatchIsAnErrorAndLeavesTheCacheClean() throws Exception {
        served.put("/w.h5", CONTENT);
        OfficialWeightsFile file = notop(url("/w.h5"));
        assertThatThrownBy(() -> cache().resolve(file))
                .isInstanceOf(WeightsUnavailableException.class)
                .hasMessageContaining("the downloaded file has MD5 " + md5(CONTENT) + ", expected "
                        + "6d6bbae143d832006294945121d1f1fc (damaged or altered); it was discarded");
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void anInterruptedTransferLeavesNothingInTheCache() throws Exception {
        OfficialWeightsFile file = new OfficialWeightsFile("w.h5", md5(CONTENT), List.of(url("/short/w.h5")));
        assertThatThrownBy(() -> cache().resolve(file)).isInstanceOf(WeightsUnavailableException.class);
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void offlineTheErrorSaysWhichFileWhereToGetItAndWhereToPutIt() throws Exception {
        server.stop(0);
        OfficialWeightsFile file = Vgg16Weights.NO_TOP.withUrls(List.of(url("/a/notop.h5"), url("/b/notop.h5")));
        assertThatThrownBy(() -> cache().resolve(file))
                .isInstanceOf(WeightsUnavailableException.class)
                .hasMessageStartingWith("The VGG16 weights file vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 is not in "
                        + "the cache " + cacheDir.toAbsolutePath() + " and could not be downloaded")
                .hasMessageContaining("Download it yourself from " + url("/a/notop.h5") + " (or " + url("/b/notop.h5") + ")")
                .hasMessageContaining("put it at " + cacheDir.toAbsolutePath().resolve(file.fileName()))
                .hasMessageContaining("cnnsee.weights")
                .hasMessageContaining("CNNSEE_WEIGHTS")
                .hasMessageContaining("Vgg16Weights.random(seed)")
                .hasMessageContaining(url("/a/notop.h5") + ": cannot connect (ConnectException)")
                .hasMessageNotContaining(": null");
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void theOfficialFilesAreTheKerasOnes() {
        assertThat(Vgg16Weights.NO_TOP.urls()).extracting(URI::toString).containsExactly(
                "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                "https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5");
        assertThat(Vgg16Weights.WITH_TOP.checksum()).isEqualTo("64373286793e3c8b2b4e3219cbf3544b");
        assertThat(Vgg16Weights.NO_TOP.checksum()).isEqualTo("6d6bbae143d832006294945121d1f1fc");
    }

    @Test
    void aCacheFolderThatCannotBeCreatedIsNamed() throws Exception {
        Path notADirectory = cacheDir.resolve("file");
        Files.writeString(notADirectory, "x");
        served.put("/w.h5", CONTENT);
        OfficialWeightsFile file = new OfficialWeightsFile("w.h5", md5(CONTENT), List.of(url("/w.h5")));
        assertThatThrownBy(() -> new WeightsCache(notADirectory, DownloadProgress.logging()).resolve(file))
                .isInstanceOf(WeightsUnavailableException.class)
                .hasMessageContaining("cannot create the cache folder " + notADirectory.toAbsolutePath());
    }

    @Test
    void aCacheFolderThatCannotBeWrittenIsNamedAndNothingIsDownloaded() throws Exception {
        // /proc/self exists and refuses new files even to root, so this works wherever the tests run as.
        Path readOnly = Path.of("/proc/self");
        assumeTrue(Files.isDirectory(readOnly), "needs Linux's /proc");
        served.put("/w.h5", CONTENT);
        OfficialWeightsFile file = new OfficialWeightsFile("w.h5", md5(CONTENT), List.of(url("/w.h5"), url("/mirror/w.h5")));
        assertThatThrownBy(() -> new WeightsCache(readOnly, DownloadProgress.logging()).resolve(file))
                .isInstanceOf(WeightsUnavailableException.class)
                .hasMessageStartingWith("Cannot keep w.h5 in the cache: cannot write in the cache folder " + readOnly)
                .hasMessageContaining("Choose a writable cache folder with the system property cnnsee.cache or the "
                        + "environment variable CNNSEE_CACHE, or download the file yourself from " + url("/w.h5")
                        + " and point cnnsee.weights at it.");
        assertThat(requests).as("no download into a folder that cannot keep it").hasValue(0);
    }

    @Test
    void aDamagedCachedFileIsDownloadedAgainAndReplaced() throws Exception {
        served.put("/w.h5", CONTENT);
        OfficialWeightsFile file = new OfficialWeightsFile("w.h5", md5(CONTENT), List.of(url("/w.h5")));
        Files.write(cacheDir.resolve("w.h5"), Arrays.copyOf(CONTENT, CONTENT.length / 3));

        Path path = cache().resolve(file);

        assertThat(Files.readAllBytes(path)).isEqualTo(CONTENT);
        assertThat(requests).hasValue(1);
        assertThat(cacheFiles()).containsExactly("w.h5");
    }

    @Test
    void aDamagedCachedFileOfflineIsNamedInTheError() throws Exception {
        OfficialWeightsFile file = new OfficialWeightsFile("w.h5", md5(CONTENT), List.of(url("/gone/w.h5")));
        byte[] damaged = Arrays.copyOf(CONTENT, CONTENT.length / 3);
        Files.write(cacheDir.resolve("w.h5"), damaged);
        assertThatThrownBy(() -> cache().resolve(file))
                .isInstanceOf(WeightsUnavailableException.class)
                .hasMessageContaining("the cached copy " + cacheDir.resolve("w.h5").toAbsolutePath() + " is damaged (MD5 "
                        + md5(damaged) + ", expected " + md5(CONTENT) + ")");
        assertThat(Files.readAllBytes(cacheDir.resolve("w.h5"))).as("left as it was for the user to look at").isEqualTo(damaged);
    }

    @Test
    void progressIsDescribedInMegabytes() {
        assertThat(DownloadProgress.describe("w.h5", 12_300_000, 58_900_000, 5_200_000))
                .isEqualTo("w.h5: 12.3 MB of 58.9 MB (21 %), 5.2 MB/s");
        assertThat(DownloadProgress.describe("w.h5", 1_000_000, -1, 0)).isEqualTo("w.h5: 1.0 MB, 0.0 MB/s");
    }

    @Test
    void aWrappedConnectExceptionIsNamedOnce() {
        var inner = new java.net.ConnectException();
        inner.initCause(new java.nio.channels.UnresolvedAddressException());
        var outer = new java.net.ConnectException();
        outer.initCause(inner);
        assertThat(WeightsCache.reason(outer)).isEqualTo("cannot connect (ConnectException): UnresolvedAddressException");
        assertThat(WeightsCache.reason(new java.io.IOException("HTTP 404"))).isEqualTo("HTTP 404");
    }
}
