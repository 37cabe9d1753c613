package io.cnnsee.spark;

import io.cnnsee.ImageLoader;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the jobs of this module share: the pictures' names (paths, or URIs Hadoop's file systems
 * read) shared out in partitions, each task reading its pictures and adding them to a summary of
 * its own on its executor, only the summaries travelling back, merged by a tree reduction so that
 * the driver's memory does not grow with the pictures.
 */
final class PartitionedRun {

    private PartitionedRun() {
    }

    /** What a task does with its pictures, on an executor: serialisable, as it travels there. */
    interface Work<S extends Serializable> extends Serializable {
        /** An empty summary, made where it is used (on the executor, or on the driver for no pictures). */
        S empty();

        /** How pictures are read (their limits), by path or through Hadoop's file systems. */
        ImageLoader loader();

        /** Adds the picture called {@code name}, read by {@code picture}, or counts it as skipped. */
        void add(S summary, String name, Supplier<BufferedImage> picture);

        void merge(S into, S from);
    }

    /**
     * @param partitions tasks the pictures are shared out in; 0 for 4 per core of the context
     * @param done       counts the pictures of finished tasks as they finish, or null
     */
    static <S extends Serializable> S run(JavaSparkContext sc, List<String> pictures, int partitions, PicturesDone done,
                                          Work<S> work) {
        if (pictures.isEmpty()) {
            return work.empty();
        }
        int slices = partitions > 0 ? partitions : Math.max(1, Math.min(pictures.size(), 4 * sc.defaultParallelism()));
        JavaRDD<String> rdd = sc.parallelize(pictures, slices);
        JavaRDD<S> parts = rdd.mapPartitions(names -> {
            if (!names.hasNext()) {
                return Collections.emptyIterator();
            }
            S summary = work.empty();
            ImageLoader loader = work.loader();
            while (names.hasNext()) {
                String name = names.next();
                work.add(summary, name, name.contains("://") ? () -> HadoopFiles.read(name, loader)
                        : () -> loader.read(Path.of(name)));
                if (done != null) {
                    done.add(1L);
                }
            }
            return List.of(summary).iterator();
        });
        return parts.treeReduce((a, b) -> {
            work.merge(a, b);
            return a;
        });
    }
}
