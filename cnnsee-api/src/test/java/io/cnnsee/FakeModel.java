package io.cnnsee;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny model whose outputs are known in advance, for tests of everything around the network.
 *
 * <p>Input 3 x 8 x 8. Tap {@code conv_a} ("block 1", 4 x 8 x 8): channel k at (y, x) is
 * {@code k * (x + 1) + red(y, x) / 255}. Tap {@code conv_b} ("block 2", 3 x 4 x 4): channel k is
 * {@code (2 - k) * (y + 1)}, so its ranking by sum is 0, 1, 2. Pictures are resized to 8 x 8 by
 * nearest neighbour.
 */
public final class FakeModel implements InspectableModel {

    static final Tap A = new Tap("block 1", "conv_a", new MapShape(4, 8, 8));
    static final Tap B = new Tap("block 2", "conv_b", new MapShape(3, 4, 4));

    final AtomicInteger forwardPasses = new AtomicInteger();

    @Override
    public String name() {
        return "FakeNet";
    }

    @Override
    public WeightsInfo weights() {
        return new WeightsInfo("made up for tests", "CC0, the cnnsee authors", false);
    }

    @Override
    public MapShape inputShape() {
        return new MapShape(3, 8, 8);
    }

    @Override
    public List<Tap> taps() {
        return List.of(A, B);
    }

    @Override
    public Tap tap(String layerName) {
        for (Tap t : taps()) {
            if (t.layerName().equals(layerName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("FakeNet has no layer '" + layerName + "'; its layers: [conv_a, conv_b]");
    }

    @Override
    public List<FeatureMap> forward(BufferedImage image, List<Tap> taps) {
        forwardPasses.incrementAndGet();
        BufferedImage rgb = ImageLoader.toRgb(image);
        List<FeatureMap> out = new ArrayList<>();
        for (Tap t : taps) {
            out.add(FeatureMap.fill(t, v -> {
                int h = t.shape().height();
                int w = t.shape().width();
                for (int k = 0; k < t.shape().channels(); k++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            int red = rgb.getRGB(x * rgb.getWidth() / w, y * rgb.getHeight() / h) >> 16 & 0xFF;
                            v[(k * h + y) * w + x] = t.equals(A) ? k * (x + 1) + red / 255f : (2 - k) * (y + 1);
                        }
                    }
                }
            }));
        }
        return out;
    }
}
