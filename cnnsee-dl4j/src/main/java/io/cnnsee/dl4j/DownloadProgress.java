package io.cnnsee.dl4j;

/** Told how a weights download goes, about once a second and at the end. */
@FunctionalInterface
public interface DownloadProgress {

    /**
     * @param fileName       the file being downloaded
     * @param bytes          bytes received so far
     * @param totalBytes     the file's size, or -1 if the server did not say
     * @param bytesPerSecond average rate since the download started
     * @param done           true for the last call of a finished download
     */
    void update(String fileName, long bytes, long totalBytes, double bytesPerSecond, boolean done);

    /** Logs progress at INFO through SLF4J. */
    static DownloadProgress logging() {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DownloadProgress.class);
        return (file, bytes, total, rate, done) -> log.info("{} {}", done ? "Downloaded" : "Downloading",
                describe(file, bytes, total, rate));
    }

    /** {@code "vgg16_..._notop.h5: 12.3 MB of 58.9 MB (21 %), 5.2 MB/s"}. */
    static String describe(String file, long bytes, long total, double rate) {
        String size = total > 0
                ? String.format(java.util.Locale.ROOT, "%.1f MB of %.1f MB (%d %%)", bytes / 1e6, total / 1e6,
                        Math.round(100.0 * bytes / total))
                : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
        return String.format(java.util.Locale.ROOT, "%s: %s, %.1f MB/s", file, size, rate / 1e6);
    }
}
