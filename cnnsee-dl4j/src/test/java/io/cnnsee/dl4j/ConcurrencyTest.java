package io.cnnsee.dl4j;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.TapInspection;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** One inspector shared by 8 threads gives exactly what a sequential run gives. */
class ConcurrencyTest {

    static final Vgg16Architecture SMALL = new Vgg16Architecture(new int[] {4, 6, 8, 8, 8}, 64, false, 0, 0);

    @Test
    void eightThreadsGiveTheSequentialResults() throws Exception {
        try (Vgg16Model model = Vgg16.builder().architecture(SMALL).weights(Vgg16Weights.random(11)).build()) {
            FeatureMapInspector inspector = FeatureMapInspector.builder().model(model).channels(4).build();
            List<BufferedImage> pictures = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                pictures.add(TestImages.noise(30 + 7 * i, 60 - i, 100 + i)); // every one different, in size too
            }
            List<Inspection> sequential = new ArrayList<>();
            for (BufferedImage p : pictures) {
                sequential.add(inspector.run(p));
            }

            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Inspection>> futures = new ArrayList<>();
                for (BufferedImage p : pictures) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        return inspector.run(p);
                    }));
                }
                start.countDown(); // all at once, so passes really contend
                for (int i = 0; i < pictures.size(); i++) {
                    assertSame(sequential.get(i), futures.get(i).get(2, TimeUnit.MINUTES), "picture " + i);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    static void assertSame(Inspection expected, Inspection actual, String what) {
        assertThat(actual.taps()).hasSameSizeAs(expected.taps());
        for (int t = 0; t < expected.taps().size(); t++) {
            TapInspection e = expected.taps().get(t);
            TapInspection a = actual.taps().get(t);
            assertThat(a.featureMap()).as(what + ", " + e.tap().layerName() + " values").isEqualTo(e.featureMap());
            assertThat(a.ranking()).as(what + ", " + e.tap().layerName() + " ranking").isEqualTo(e.ranking());
            assertThat(a.grid().toPng()).as(what + ", " + e.tap().layerName() + " grid").isEqualTo(e.grid().toPng());
        }
    }
}
