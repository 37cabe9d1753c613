package io.cnnsee.spark;

import io.cnnsee.InspectableModel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The models of this JVM, by key: one per executor, made once and shared by its tasks and jobs. */
final class JvmModels {

    private static final Map<String, InspectableModel> MODELS = new ConcurrentHashMap<>();

    private JvmModels() {
    }

    static InspectableModel get(String key, SparkAtlas.ModelFactory factory) {
        return MODELS.computeIfAbsent(key, k -> factory.create());
    }

    static void use(String key, InspectableModel model) {
        MODELS.put(key, model);
    }
}
