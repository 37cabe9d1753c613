package io.cnnsee.spark;

import io.cnnsee.ImageLoader;
import io.cnnsee.UnreadablePictureException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.URI;

/** Pictures read through Hadoop's file systems, for URIs an executor cannot read as local paths. */
final class HadoopFiles {

    private HadoopFiles() {
    }

    /**
     * The picture at {@code uri}, decoded by {@code loader} (with its limits).
     *
     * @throws IllegalArgumentException naming the URI and the reason when it cannot be read
     */
    static BufferedImage read(String uri, ImageLoader loader) {
        try {
            URI u = URI.create(uri);
            FileSystem fs = FileSystem.get(u, new Configuration());
            try (FSDataInputStream in = fs.open(new org.apache.hadoop.fs.Path(u))) {
                return loader.read(new BufferedInputStream(in, 1 << 16), uri);
            }
        } catch (UnreadablePictureException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UnreadablePictureException(uri, "through Hadoop's file systems: " + e.getMessage(), e);
        }
    }
}
