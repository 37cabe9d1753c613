package io.cnnsee.dl4j;

import io.cnnsee.WeightsInfo;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Makes VGG16 models:
 * <pre>{@code
 * Vgg16Model imagenet = Vgg16.builder().build();                       // ImageNet weights, no top
 * Vgg16Model classifier = Vgg16.builder().includeTop(true).build();    // with predictions
 * Vgg16Model untrained = Vgg16.builder().weights(Vgg16Weights.random(42)).build();
 * }</pre>
 */
public final class Vgg16 {

    private static final Logger LOG = LoggerFactory.getLogger(Vgg16.class);

    private Vgg16() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of a VGG16 model. */
    public static final class Builder {
        private boolean includeTop;
        private Vgg16Weights weights = Vgg16Weights.imagenet();
        private Vgg16Architecture architecture;
        private boolean centerCrop;
        private ConvolutionAlgorithm convolutions = ConvolutionAlgorithm.WINOGRAD;

        private Builder() {
        }

        /** Whether to build and load the dense layers (553 MB of weights instead of 58.9 MB); false by default. */
        public Builder includeTop(boolean includeTop) {
            this.includeTop = includeTop;
            return this;
        }

        /** The weights; the ImageNet weights by default. */
        public Builder weights(Vgg16Weights weights) {
            this.weights = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /** Crop pictures to their central square before resizing, keeping proportions; false by default. */
        public Builder centerCrop(boolean centerCrop) {
            this.centerCrop = centerCrop;
            return this;
        }

        /**
         * How the convolutions are computed: {@link ConvolutionAlgorithm#WINOGRAD} by default,
         * about twice as fast per picture as {@link ConvolutionAlgorithm#DIRECT} after a one-time
         * setup of about 0.6 s, for 100 to 250 MB more memory; both agree with a plain computation
         * to float rounding (a few millionths of a layer's largest value).
         */
        public Builder convolutions(ConvolutionAlgorithm convolutions) {
            this.convolutions = Objects.requireNonNull(convolutions, "convolutions");
            return this;
        }

        /**
         * A network of another shape (narrower blocks, another input size), for tests and
         * experiments; its top, if any, replaces {@link #includeTop(boolean)}.
         */
        public Builder architecture(Vgg16Architecture architecture) {
            this.architecture = Objects.requireNonNull(architecture, "architecture");
            return this;
        }

        /**
         * The model, weights loaded. May take long: the ImageNet weights may be downloaded first.
         *
         * @throws WeightsUnavailableException if the ImageNet weights can be neither found nor fetched
         * @throws WeightsFormatException      if the weights file does not fit the network
         */
        public Vgg16Model build() {
            Vgg16Architecture arch = architecture != null ? architecture : Vgg16Architecture.standard(includeTop);
            long start = System.nanoTime();
            Path file = weights.locate(arch.includeTop());
            Map<String, LayerWeights> loaded = file == null ? null : KerasWeightsReader.read(file, arch);
            MultiLayerNetwork network = Vgg16Network.build(arch, weights.isRandom() ? weights.seed() : 0);
            if (loaded != null) {
                Vgg16Network.setWeights(network, arch, loaded);
            }
            WeightsInfo info = weights.info(file);
            LOG.info("Loaded {} with {} in {} ms", arch, info.source(), (System.nanoTime() - start) / 1_000_000);
            return new Vgg16Model(arch, network, info, new Preprocessing(arch.inputSize(), centerCrop), convolutions);
        }
    }
}
