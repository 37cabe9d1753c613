package io.cnnsee.dl4j;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A weights file as Keras publishes it: its name, the MD5 hash Keras checks it with
 * ({@code file_hash} in {@code keras/applications/vgg16.py}), and where to download it.
 *
 * @param fileName the file name, also its name in the cache
 * @param md5      lower-case hex MD5 of the whole file
 * @param urls     where to download it, tried in order
 */
public record OfficialWeightsFile(String fileName, String md5, List<URI> urls) {

    public OfficialWeightsFile {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(md5, "md5");
        urls = List.copyOf(urls);
        if (!fileName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("Not a plain file name: " + fileName);
        }
    }

    /** The same file fetched from other addresses (a mirror of your own, or a test server). */
    public OfficialWeightsFile withUrls(List<URI> otherUrls) {
        return new OfficialWeightsFile(fileName, md5, otherUrls);
    }
}
