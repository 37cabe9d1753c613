package io.cnnsee.bench;

import io.cnnsee.Tap;
import io.cnnsee.dl4j.Vgg16Model;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the forward benchmarks run, the same for cnnsee's pass and the default configuration:
 * {@code batch} copies of the sample picture, and the five block taps without top or the
 * predictions with it.
 */
record ForwardWork(Vgg16Model model, List<BufferedImage> pictures, List<Tap> taps) {

    /** The work for {@code model}; prints the native build the JVM loaded, to tie the numbers to it. */
    static ForwardWork of(Vgg16Model model, int batch, boolean top) {
        System.out.println(Machine.nativeBuild());
        return new ForwardWork(model, new ArrayList<>(Collections.nCopies(batch, Pictures.sample())),
                top ? List.of(model.tap("predictions")) : model.taps());
    }
}
