package io.cnnsee;

import java.util.Optional;

/** A model that says which input pixels a unit of a layer sees: the atlas cuts its patches with it. */
public interface ReceptiveFields extends Capability {

    /**
     * The input pixels a unit of {@code tap} sees, from the network's strides and kernels; empty
     * for a tap without a spatial map (after a global pool).
     */
    Optional<ReceptiveField> receptiveField(Tap tap);
}
