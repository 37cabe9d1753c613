package io.cnnsee.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.util.AccumulatorV2;

import java.util.HashMap;
import java.util.Map;

/**
 * How many pictures a job has done, counted once however often Spark runs a partition: a task
 * run again (its executor lost after it finished, or a speculative copy) reports its partition's
 * count again, and a plain sum would count those pictures twice ("727/647 pictures"). Kept per
 * partition, the larger count of two reports wins. Synchronised: Spark merges task results on its
 * scheduler's thread while the driver reads the value on its own. Register it with
 * {@code sc.sc().register(done, "pictures")}; the driver sees a task's count when the task ends.
 */
public final class PicturesDone extends AccumulatorV2<Long, Long> {

    private static final long serialVersionUID = 1L;

    private final HashMap<Integer, Long> byPartition = new HashMap<>();

    /** Adds {@code n} pictures to the partition of the task that calls it (partition -1 outside a task). */
    @Override
    public synchronized void add(Long n) {
        TaskContext task = TaskContext.get();
        byPartition.merge(task == null ? -1 : task.partitionId(), n, Long::sum);
    }

    @Override
    public synchronized void merge(AccumulatorV2<Long, Long> other) {
        if (!(other instanceof PicturesDone o)) {
            throw new UnsupportedOperationException("Cannot merge " + other.getClass().getName() + " into pictures done");
        }
        o.partitions().forEach((partition, n) -> byPartition.merge(partition, n, Math::max));
    }

    /** The pictures done: each partition's count once. */
    @Override
    public synchronized Long value() {
        return byPartition.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public synchronized boolean isZero() {
        return byPartition.isEmpty();
    }

    @Override
    public synchronized PicturesDone copy() {
        PicturesDone c = new PicturesDone();
        c.byPartition.putAll(byPartition);
        return c;
    }

    @Override
    public synchronized void reset() {
        byPartition.clear();
    }

    /** Each partition's count, a copy. */
    synchronized Map<Integer, Long> partitions() {
        return Map.copyOf(byPartition);
    }
}
