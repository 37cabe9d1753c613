package io.cnnsee.dl4j;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A published weights file: which model it is for, its name, the checksum its publisher checks it
 * with (MD5 for the Keras files, {@code file_hash} in {@code keras/applications/vgg16.py}; Adler-32
 * for Deeplearning4j's zoo, {@code pretrainedChecksum} of its models), and where to download it.
 *
 * @param model     the model, for messages, e.g. {@code "VGG16"}
 * @param fileName  the file name, also its name in the cache
 * @param algorithm {@code "MD5"} (lower-case hex) or {@code "Adler32"} (unsigned decimal)
 * @param checksum  the expected checksum of the whole file
 * @param urls      where to download it, tried in order
 */
public record OfficialWeightsFile(String model, String fileName, String algorithm, String checksum, List<URI> urls) {

    public static final String MD5 = "MD5";
    public static final String ADLER32 = "Adler32";

    public OfficialWeightsFile {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(checksum, "checksum");
        urls = List.copyOf(urls);
        if (!fileName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("Not a plain file name: " + fileName);
        }
        if (!MD5.equals(algorithm) && !ADLER32.equals(algorithm)) {
            throw new IllegalArgumentException("Checksums are " + MD5 + " or " + ADLER32 + ", not " + algorithm);
        }
    }

    /** A Keras VGG16 file checked with MD5. */
    public OfficialWeightsFile(String fileName, String md5, List<URI> urls) {
        this("VGG16", fileName, MD5, md5, urls);
    }

    /** A file of Deeplearning4j's zoo, checked with Adler-32 as the zoo does. */
    public static OfficialWeightsFile zoo(String model, String fileName, long adler32, List<URI> urls) {
        return new OfficialWeightsFile(model, fileName, ADLER32, Long.toString(adler32), urls);
    }

    /** The same file fetched from other addresses (a mirror of your own, or a test server). */
    public OfficialWeightsFile withUrls(List<URI> otherUrls) {
        return new OfficialWeightsFile(model, fileName, algorithm, checksum, otherUrls);
    }
}
