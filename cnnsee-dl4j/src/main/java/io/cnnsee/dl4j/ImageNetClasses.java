package io.cnnsee.dl4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The names of the 1000 ImageNet classes, in the order of VGG16's outputs. */
final class ImageNetClasses {

    /** Number of ImageNet classes. */
    public static final int COUNT = 1000;

    private static final String RESOURCE = "imagenet_classes.txt";

    private ImageNetClasses() {
    }

    /** The name of class {@code index}, e.g. 281: "tabby, tabby cat". */
    public static String label(int index) {
        List<String> labels = Holder.LABELS;
        if (index < 0 || index >= labels.size()) {
            throw new IllegalArgumentException("ImageNet has classes 0 to " + (labels.size() - 1) + ", not " + index);
        }
        return labels.get(index);
    }

    /** All 1000 names, class 0 first. */
    public static List<String> labels() {
        return Holder.LABELS;
    }

    /** Read on first use only. */
    private static final class Holder {
        static final List<String> LABELS = read();
    }

    private static List<String> read() {
        try (InputStream in = ImageNetClasses.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The ImageNet class names (" + RESOURCE + ") are missing from cnnsee-dl4j's jar");
            }
            List<String> labels = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
            if (labels.size() != COUNT) {
                throw new IllegalStateException(RESOURCE + " has " + labels.size() + " names, expected " + COUNT);
            }
            return labels;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
