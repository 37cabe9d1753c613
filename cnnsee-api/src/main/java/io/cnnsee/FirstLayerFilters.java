package io.cnnsee;

/** A model whose first layer is a convolution of the picture's 3 channels, whose kernels it shows. */
public interface FirstLayerFilters extends Capability {

    /** The kernels of the first convolution, for {@link io.cnnsee.render.Filters}. */
    FirstLayerKernels firstLayerKernels();
}
