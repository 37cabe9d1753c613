package io.cnnsee.serve;

import io.cnnsee.explore.Exploration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The explorations the server keeps, the least recently used dropped first: the bound on its
 * memory (an exploration of VGG16 holds every layer's output, about 60 MB). The ids of the last
 * {@link #REMEMBERED} dropped are remembered, so that a page asking for one hears that it is no
 * longer kept, and a made-up or stale id that it never was.
 */
final class ExplorationCache {

    /** Dropped ids remembered: 36 bytes each. */
    static final int REMEMBERED = 4096;

    /** Why an id has no exploration here. */
    enum Absence {
        /** The server made it and dropped it to keep newer ones. */
        DROPPED,
        /** The server never made it since it started (every id it dropped is remembered). */
        UNKNOWN,
        /** Either: more were dropped than are remembered. */
        UNKNOWN_OR_DROPPED
    }

    private final int capacity;
    private final Map<String, Exploration> entries;
    private final Map<String, Boolean> dropped = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private long droppedEver;

    ExplorationCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("The server must keep at least 1 exploration, was asked for " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Exploration> eldest) {
                if (size() <= ExplorationCache.this.capacity) {
                    return false;
                }
                dropped.put(eldest.getKey(), Boolean.TRUE);
                droppedEver++;
                return true;
            }
        };
    }

    synchronized void put(Exploration exploration) {
        entries.put(exploration.id(), exploration);
    }

    synchronized Optional<Exploration> get(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    /** Why {@code id}, which {@link #get} did not find, is not here. */
    synchronized Absence absence(String id) {
        if (dropped.containsKey(id)) {
            return Absence.DROPPED;
        }
        return droppedEver <= REMEMBERED ? Absence.UNKNOWN : Absence.UNKNOWN_OR_DROPPED;
    }

    synchronized int size() {
        return entries.size();
    }

    int capacity() {
        return capacity;
    }
}
