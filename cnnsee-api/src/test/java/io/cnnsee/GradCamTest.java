package io.cnnsee;

import io.cnnsee.render.Colormap;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Grad-CAM's arithmetic on maps small enough to work out by hand. */
class GradCamTest {

    static final Tap CONV = new Tap("block 5", "conv", new MapShape(2, 2, 2));

    /** Channel 0: 1 2 / 3 4 with gradient 1 everywhere (alpha 1); channel 1: 4 0 / 0 1 with gradient -4 at (0, 0) (alpha -1). */
    static GradCam example() {
        FeatureMap activation = FeatureMap.copyOf(CONV, new float[] {1, 2, 3, 4, 4, 0, 0, 1});
        FeatureMap gradient = FeatureMap.copyOf(CONV, new float[] {1, 1, 1, 1, -4, 0, 0, 0});
        return GradCam.of(activation, gradient, 7, "seven", 0.25f);
    }

    @Test
    void weightsAreMeanGradientsAndTheMapIsTheRectifiedWeightedSum() {
        GradCam cam = example();
        assertThat(cam.weights()).containsExactly(1.0, -1.0);
        // ReLU(A0 - A1) = ReLU(-3, 2, 3, 3)
        assertThat(cam.heatmap().toArray()).containsExactly(0f, 2f, 3f, 3f);
        assertThat(cam.heatmap().height()).isEqualTo(2);
        assertThat(cam.tap()).isEqualTo(CONV);
        assertThat(cam.classIndex()).isEqualTo(7);
        assertThat(cam.label()).isEqualTo("seven");
        assertThat(cam.probability()).isEqualTo(0.25f);
        // At the map's own size the upsampling is the identity; divided by the maximum, 3.
        assertThat(cam.upsampled(2, 2)).containsExactly(0f, 2f / 3, 1f, 1f);
        // 4 x 4: the corners keep the corner values; (0, 1) lies a quarter of the way from 0 to 2.
        float[] up = cam.upsampled(4, 4);
        assertThat(up[0]).isZero();
        assertThat(up[1]).isEqualTo(0.5f / 3);
        assertThat(up[15]).isEqualTo(1f);
    }

    @Test
    void theRankerOrdersChannelsByTheirWeight() {
        GradCam cam = example();
        FeatureMap activation = FeatureMap.copyOf(CONV, new float[] {1, 2, 3, 4, 4, 0, 0, 1});
        Ranking ranking = cam.ranker().rank(activation);
        assertThat(ranking.rankerName()).isEqualTo("grad-cam");
        assertThat(ranking.channels()).extracting(RankedChannel::channel).containsExactly(0, 1);
        assertThat(ranking.channels()).extracting(RankedChannel::score).containsExactly(1.0, -1.0);
        FeatureMap other = FeatureMap.copyOf(Tap.of("other", new MapShape(2, 2, 2)), new float[8]);
        assertThatThrownBy(() -> cam.ranker().rank(other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Grad-CAM weights of conv cannot rank channels of other");
    }

    @Test
    void theOverlayBlendsTheMapScaledFromZeroToItsMaximum() {
        GradCam cam = example();
        BufferedImage picture = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        picture.setRGB(1, 1, 0x102030);
        BufferedImage out = cam.overlay(picture, Colormap.TURBO, 0.5);
        float[] heat = {0, 2f / 3, 1, 1};
        for (int i = 0; i < 4; i++) {
            int x = i % 2;
            int y = i / 2;
            int p = picture.getRGB(x, y);
            int c = Colormap.TURBO.colorOf(heat[i]);
            int expected = 0;
            for (int shift = 16; shift >= 0; shift -= 8) {
                expected = expected << 8 | (int) Math.round(0.5 * (p >> shift & 0xFF) + 0.5 * (c >> shift & 0xFF));
            }
            assertThat(out.getRGB(x, y) & 0xFFFFFF).as("pixel (%d, %d)", x, y).isEqualTo(expected);
        }
    }

    @Test
    void aMapWithoutEvidenceIsZeroEverywhere() {
        FeatureMap activation = FeatureMap.copyOf(CONV, new float[] {1, 2, 3, 4, 4, 0, 0, 1});
        FeatureMap gradient = FeatureMap.copyOf(CONV, new float[] {-1, -1, -1, -1, 0, 0, 0, 0});
        GradCam cam = GradCam.of(activation, gradient, 0, "none", 0.5f);
        assertThat(cam.heatmap().toArray()).containsOnly(0f);
        assertThat(cam.upsampled(3, 3)).containsOnly(0f);
    }

    @Test
    void mismatchesAreRefused() {
        FeatureMap activation = FeatureMap.copyOf(CONV, new float[8]);
        FeatureMap elsewhere = FeatureMap.copyOf(Tap.of("other", new MapShape(2, 2, 2)), new float[8]);
        assertThatThrownBy(() -> GradCam.of(activation, elsewhere, 0, "x", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The gradient is of other");
        FeatureMap probabilities = FeatureMap.copyOf(Tap.of("predictions", new MapShape(3, 1, 1)), new float[] {0.2f, 0.3f, 0.5f});
        assertThatThrownBy(() -> new ClassGradient(3, 1, probabilities, List.of(activation), List.of(activation)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Class 3 is not one of the 3 classes");
        assertThatThrownBy(() -> new ClassGradient(0, 1, probabilities, List.of(activation), List.of(elsewhere)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Gradient 0 is of other");
        ClassGradient g = new ClassGradient(2, 1, probabilities, List.of(activation), List.of(activation));
        assertThat(g.probability()).isEqualTo(0.5f);
        assertThatThrownBy(() -> g.gradCam(elsewhere.tap(), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("No gradient at other; differentiated: [conv]");
    }
}
