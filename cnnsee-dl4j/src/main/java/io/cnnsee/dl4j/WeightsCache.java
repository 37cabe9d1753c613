package io.cnnsee.dl4j;

import io.cnnsee.files.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The folder where downloaded weights are kept ({@code ~/.cache/cnnsee} unless the system
 * property {@code cnnsee.cache} or the environment variable {@code CNNSEE_CACHE} names another),
 * and the download into it.
 *
 * <p>A download goes to a temporary file in the cache folder, its MD5 is checked against the
 * official hash, and only then is it renamed to its final name. No partial or unverified file is
 * ever left under the final name, whatever fails (network, hash, disk, interruption).
 */
public final class WeightsCache {

    /** System property naming the cache folder. */
    public static final String CACHE_PROPERTY = "cnnsee.cache";
    /** Environment variable naming the cache folder. */
    public static final String CACHE_ENV = "CNNSEE_CACHE";

    private static final Logger LOG = LoggerFactory.getLogger(WeightsCache.class);
    private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

    private final Path directory;
    private final DownloadProgress progress;
    private final HttpClient http;

    /**
     * @param directory where verified files are kept
     * @param progress  told how downloads go
     */
    public WeightsCache(Path directory, DownloadProgress progress) {
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
        this.progress = Objects.requireNonNull(progress, "progress");
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    /** The cache named by {@code cnnsee.cache}, {@code CNNSEE_CACHE}, or {@code ~/.cache/cnnsee}, logging progress. */
    public static WeightsCache defaults() {
        return new WeightsCache(defaultDirectory(), DownloadProgress.logging());
    }

    /** The default cache folder. */
    public static Path defaultDirectory() {
        String property = System.getProperty(CACHE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv(CACHE_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "cnnsee");
    }

    public Path directory() {
        return directory;
    }

    /** Where {@code file} is (or would be) kept. */
    public Path pathOf(OfficialWeightsFile file) {
        return directory.resolve(file.fileName());
    }

    /**
     * The path of {@code file} in the cache, downloading it first if it is not there.
     *
     * @throws WeightsUnavailableException saying where to get the file and where to put it when
     *                                     no address gave a file with the right hash
     */
    public Path resolve(OfficialWeightsFile file) {
        Path target = pathOf(file);
        List<String> failures = new ArrayList<>();
        if (Files.isRegularFile(target)) {
            // Checked on every use, as Keras does: a file damaged on disk or replaced by hand is not used.
            String sum = checksumOrNull(target, file.algorithm());
            if (file.checksum().equalsIgnoreCase(sum)) {
                LOG.debug("Using cached weights {}", target);
                return target;
            }
            String damaged = "the cached copy " + target + " is damaged (" + file.algorithm() + " " + sum + ", expected "
                    + file.checksum() + ")";
            LOG.warn("{}: downloading it again", damaged);
            failures.add(damaged);
        }
        for (URI url : file.urls()) {
            try {
                download(file, url, target);
                return target;
            } catch (InterruptedIOException e) {
                Thread.currentThread().interrupt();
                throw new WeightsUnavailableException("Download of " + file.fileName() + " was interrupted; "
                        + "nothing was kept in " + directory, e);
            } catch (CacheFolderException e) {
                // Another address would not help: the file has nowhere to go.
                throw new WeightsUnavailableException("Cannot keep " + file.fileName() + " in the cache: " + e.getMessage()
                        + ". Choose a writable cache folder with the system property " + CACHE_PROPERTY
                        + " or the environment variable " + CACHE_ENV + ", or download the file yourself from "
                        + (file.urls().isEmpty() ? "the Keras applications release" : file.urls().get(0))
                        + " and point " + Vgg16Weights.WEIGHTS_PROPERTY + " at it.", e);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not download {} from {}: {}", file.fileName(), url, reason(e));
                failures.add(url + ": " + reason(e));
            }
        }
        throw new WeightsUnavailableException(missingMessage(file, failures), null);
    }

    private String missingMessage(OfficialWeightsFile file, List<String> failures) {
        StringBuilder m = new StringBuilder();
        m.append("The ").append(file.model()).append(" weights file ").append(file.fileName()).append(" is not in the cache ").append(directory)
                .append(" and could not be downloaded");
        for (String f : failures) {
            m.append("\n  - ").append(f);
        }
        m.append("\nDownload it yourself from ").append(file.urls().isEmpty() ? "the Keras applications release"
                : file.urls().get(0));
        if (file.urls().size() > 1) {
            m.append(" (or ").append(file.urls().get(1)).append(')');
        }
        m.append(" and put it at ").append(pathOf(file));
        if (file.model().equals("VGG16")) {
            m.append(", or point the system property ").append(Vgg16Weights.WEIGHTS_PROPERTY)
                    .append(" or the environment variable ").append(Vgg16Weights.WEIGHTS_ENV).append(" at it");
        } else {
            m.append(", or give its path (--weights PATH on the command line)");
        }
        m.append(" (").append(file.algorithm()).append(' ').append(file.checksum()).append(").")
                .append(" To see the pipeline run without trained weights, use ")
                .append(file.model().equals("VGG16") ? "Vgg16Weights.random(seed)" : "random weights")
                .append(" (--weights random on the command line).");
        return m.toString();
    }

    private void download(OfficialWeightsFile file, URI url, Path target) throws IOException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new CacheFolderException("cannot create the cache folder " + directory + " (" + e + ")", e);
        }
        Path temp;
        try {
            temp = AtomicFiles.createPartFile(target); // permissions as the umask gives, like the cache folder's other files
        } catch (IOException e) {
            throw new CacheFolderException("cannot write in the cache folder " + directory + " (" + e + ")", e);
        }
        try {
            LOG.info("Downloading {} from {} into {}", file.fileName(), url, directory);
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(30)).GET().build();
            HttpResponse<InputStream> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted while connecting to " + url);
            }
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP status " + response.statusCode());
                }
                long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                String sum = copyWithProgress(body, temp, file.fileName(), total, file.algorithm());
                if (!sum.equalsIgnoreCase(file.checksum())) {
                    throw new IOException("the downloaded file has " + file.algorithm() + " " + sum + ", expected " + file.checksum()
                            + " (damaged or altered); it was discarded");
                }
            }
            AtomicFiles.moveIntoPlace(temp, target);
            LOG.info("Saved verified weights {}", target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private String copyWithProgress(InputStream body, Path temp, String name, long total, String algorithm) throws IOException {
        Summer summer = Summer.of(algorithm);
        long start = System.nanoTime();
        long lastReport = start;
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = body; OutputStream out = Files.newOutputStream(temp)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                summer.update(buffer, n);
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted after " + bytes + " bytes");
                }
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    throw new CacheFolderException("cannot write in the cache folder " + directory
                            + " after " + bytes + " bytes (" + e.getMessage() + ", a full disk?)", e);
                }
                bytes += n;
                long now = System.nanoTime();
                if (now - lastReport >= PROGRESS_INTERVAL_NANOS) {
                    progress.update(name, bytes, total, rate(bytes, now - start), false);
                    lastReport = now;
                }
            }
        }
        if (total >= 0 && bytes != total) {
            throw new IOException("the connection ended after " + bytes + " of " + total + " bytes");
        }
        progress.update(name, bytes, total, rate(bytes, System.nanoTime() - start), true);
        return summer.value();
    }

    private static double rate(long bytes, long nanos) {
        return nanos <= 0 ? 0 : bytes * 1e9 / nanos;
    }

    /** Why a download failed, in words: some network errors have no message of their own. */
    static String reason(Throwable e) {
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            return message;
        }
        String name = e.getClass().getSimpleName();
        if (e instanceof java.net.ConnectException) {
            name = "cannot connect (" + name + ")";
        }
        if (e.getCause() == null || e.getCause() == e) {
            return name;
        }
        // Java's HTTP client wraps a ConnectException in another: say it once.
        String cause = reason(e.getCause());
        return cause.startsWith(name) ? cause : name + ": " + cause;
    }

    private static String checksumOrNull(Path file, String algorithm) {
        try {
            return checksumOf(file, algorithm);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** The cache folder itself is the problem, not the address: no use trying another. */
    private static final class CacheFolderException extends IOException {
        CacheFolderException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The lower-case hex MD5 of {@code file}. */
    public static String md5Of(Path file) throws IOException {
        return checksumOf(file, OfficialWeightsFile.MD5);
    }

    /** The checksum of {@code file} as {@link OfficialWeightsFile#checksum()} writes it for {@code algorithm}. */
    public static String checksumOf(Path file, String algorithm) throws IOException {
        Summer summer = Summer.of(algorithm);
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                summer.update(buffer, n);
            }
        }
        return summer.value();
    }

    /** MD5 in hex, or Adler-32 in decimal as Deeplearning4j's zoo states it. */
    private interface Summer {
        void update(byte[] bytes, int length);

        String value();

        static Summer of(String algorithm) {
            if (OfficialWeightsFile.ADLER32.equals(algorithm)) {
                java.util.zip.Adler32 adler = new java.util.zip.Adler32();
                return new Summer() {
                    @Override
                    public void update(byte[] bytes, int length) {
                        adler.update(bytes, 0, length);
                    }

                    @Override
                    public String value() {
                        return Long.toString(adler.getValue());
                    }
                };
            }
            MessageDigest md5 = md5();
            return new Summer() {
                @Override
                public void update(byte[] bytes, int length) {
                    md5.update(bytes, 0, length);
                }

                @Override
                public String value() {
                    return HexFormat.of().formatHex(md5.digest());
                }
            };
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This Java runtime has no MD5", e);
        }
    }
}
