package io.cnnsee;

import java.util.List;
import java.util.Objects;

/** A layer was asked for by a name the model does not have; the message lists the names it has. */
public class UnknownLayerException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String layerName;
    private final transient List<String> known;

    /**
     * @param modelName the model's name
     * @param layerName the name asked for
     * @param what      what the names listed are, e.g. "its layers with maps"
     * @param known     the names the model has
     */
    public UnknownLayerException(String modelName, String layerName, String what, List<String> known) {
        super(Objects.requireNonNull(modelName, "modelName") + " has no layer '" + layerName + "'; "
                + Objects.requireNonNull(what, "what") + ": " + known);
        this.layerName = layerName;
        this.known = List.copyOf(known);
    }

    /** The name that was asked for. */
    public String layerName() {
        return layerName;
    }

    /** The names the model has. */
    public List<String> known() {
        return known;
    }
}
