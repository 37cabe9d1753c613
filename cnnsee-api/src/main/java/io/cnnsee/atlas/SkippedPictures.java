package io.cnnsee.atlas;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The pictures a summary could not use: all counted, the first {@link AtlasSummary#SKIPPED_KEPT}
 * listed with why, so that a summary stays small however many fail. Serialisable and mergeable,
 * as the summaries that hold it. Not thread-safe.
 */
final class SkippedPictures implements Serializable {

    private static final long serialVersionUID = 1L;

    private long count;
    private final LinkedHashMap<String, String> reasons = new LinkedHashMap<>();

    /**
     * The picture {@code reader} reads, or null when it cannot, the picture then counted here with
     * the reader's message: a picture that cannot be read never stops a run.
     */
    BufferedImage read(String name, Supplier<BufferedImage> reader) {
        try {
            return reader.get();
        } catch (RuntimeException e) {
            add(name, e.getMessage() == null ? e.toString() : e.getMessage());
            return null;
        }
    }

    void add(String picture, String reason) {
        count++;
        if (reasons.size() < AtlasSummary.SKIPPED_KEPT) {
            reasons.put(picture, reason);
        }
    }

    void merge(SkippedPictures other) {
        count += other.count;
        for (var s : other.reasons.entrySet()) {
            if (reasons.size() < AtlasSummary.SKIPPED_KEPT) {
                reasons.put(s.getKey(), s.getValue());
            }
        }
    }

    long count() {
        return count;
    }

    /** The listed pictures and why, in the order they were skipped. */
    Map<String, String> reasons() {
        return Collections.unmodifiableMap(reasons);
    }
}
