package io.cnnsee;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Pictures given as R, G, B planes (as feature visualisation optimises them) take the same input conventions as decoded pictures. */
class ImageInputPlanesTest {

    @Test
    void planesOfAPictureBecomeTheInputItsDecodedSelfBecomes() {
        BufferedImage picture = Pictures.noise(6, 5, 3);
        double[] planes = new double[3 * 30];
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 6; x++) {
                int rgb = picture.getRGB(x, y);
                planes[y * 6 + x] = rgb >> 16 & 0xFF;
                planes[30 + y * 6 + x] = rgb >> 8 & 0xFF;
                planes[60 + y * 6 + x] = rgb & 0xFF;
            }
        }
        for (ImageInput input : new ImageInput[] {ImageInput.caffe(1).withSize(5, 6), ImageInput.torch(1).withSize(5, 6),
                ImageInput.unit(1).withSize(5, 6).grey()}) {
            assertThat(input.toChannelsFirst(planes)).as("%s", input).containsExactly(input.toChannelsFirst(picture));
        }
    }

    /** The mapping is affine: its gradient's transpose satisfies &lt;T a - T b, g&gt; = &lt;a - b, T' g&gt;. */
    @Test
    void theRgbGradientIsTheTransposeOfTheMapping() {
        SplittableRandom r = new SplittableRandom(4);
        for (ImageInput input : new ImageInput[] {ImageInput.caffe(4), ImageInput.torch(4), ImageInput.tensorflow(4).grey()}) {
            double[] a = new double[48];
            double[] b = new double[48];
            for (int i = 0; i < 48; i++) {
                a[i] = r.nextDouble() * 255;
                b[i] = r.nextDouble() * 255;
            }
            float[] g = new float[input.shape().size()];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (r.nextDouble() - 0.5);
            }
            float[] ta = input.toChannelsFirst(a);
            float[] tb = input.toChannelsFirst(b);
            double left = 0;
            for (int i = 0; i < g.length; i++) {
                left += ((double) ta[i] - tb[i]) * g[i];
            }
            double[] back = input.rgbGradient(g);
            double right = 0;
            for (int i = 0; i < 48; i++) {
                right += (a[i] - b[i]) * back[i];
            }
            assertThat(left).as("%s", input).isCloseTo(right, within(1e-3 * Math.max(1, Math.abs(right))));
        }
    }
}
