package io.cnnsee;

/**
 * A model that ends in class probabilities: predictions in reports, and the class that Grad-CAM
 * and saliency explain.
 */
public interface Classifying extends Capability {

    /** The layer whose output is the class probabilities, one channel per class. */
    Tap classifier();

    /** The name of class {@code index}, e.g. "tabby, tabby cat"; "class i" when the model has no names. */
    String classLabel(int index);

    /** How many classes the model tells apart. */
    default int classCount() {
        return classifier().shape().channels();
    }
}
