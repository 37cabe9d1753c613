package io.cnnsee.serve;

import io.cnnsee.explore.Exploration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The explorations the server keeps, the least recently used dropped first: the bound on its
 * memory (an exploration of VGG16 holds every layer's output, about 60 MB).
 */
final class ExplorationCache {

    private final int capacity;
    private final Map<String, Exploration> entries;

    ExplorationCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("The server must keep at least 1 exploration, was asked for " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Exploration> eldest) {
                return size() > ExplorationCache.this.capacity;
            }
        };
    }

    synchronized void put(Exploration exploration) {
        entries.put(exploration.id(), exploration);
    }

    synchronized Optional<Exploration> get(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    synchronized int size() {
        return entries.size();
    }

    int capacity() {
        return capacity;
    }
}
