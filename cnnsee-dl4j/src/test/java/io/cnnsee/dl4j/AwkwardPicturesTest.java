package io.cnnsee.dl4j;

import io.cnnsee.FeatureMap;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.TapInspection;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Pictures of odd sizes and kinds go through the network to finite maps and whole grids. */
class AwkwardPicturesTest {

    static Map<String, BufferedImage> pictures() {
        Map<String, BufferedImage> pictures = new LinkedHashMap<>();
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        one.setRGB(0, 0, 0xC08040);
        pictures.put("1 x 1", one);
        pictures.put("1 x 300 strip", TestImages.noise(1, 300, 1));
        pictures.put("300 x 1 strip", TestImages.noise(300, 1, 2));
        BufferedImage grey = new BufferedImage(20, 10, BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(TestImages.noise(20, 10, 3), 0, 0, null);
        pictures.put("grey", grey);
        BufferedImage deep = new BufferedImage(20, 10, BufferedImage.TYPE_USHORT_GRAY);
        deep.getGraphics().drawImage(TestImages.noise(20, 10, 4), 0, 0, null);
        pictures.put("16-bit grey", deep);
        BufferedImage alpha = new BufferedImage(20, 10, BufferedImage.TYPE_INT_ARGB);
        alpha.getGraphics().drawImage(TestImages.noise(20, 10, 5), 0, 0, null);
        alpha.setRGB(3, 3, 0x00FFFFFF);
        pictures.put("alpha", alpha);
        byte[] r = {0, (byte) 255};
        byte[] g = {0, (byte) 128};
        byte[] b = {(byte) 255, 0};
        BufferedImage palette = new BufferedImage(20, 10, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, r, g, b));
        palette.setRGB(5, 5, 0xFF8000);
        pictures.put("palette", palette);
        BufferedImage black = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        pictures.put("all black", black);
        return pictures;
    }

    @Test
    void everyKindGivesFiniteMapsAndWholeGrids() {
        Vgg16Architecture small = new Vgg16Architecture(new int[] {4, 4, 6, 6, 6}, 32, false, 0, 0);
        for (boolean crop : new boolean[] {false, true}) {
            try (Vgg16Model model = Vgg16.builder().architecture(small).centerCrop(crop).weights(Vgg16Weights.random(5)).build()) {
                FeatureMapInspector inspector = FeatureMapInspector.builder().model(model).channels(3).build();
                for (Map.Entry<String, BufferedImage> p : pictures().entrySet()) {
                    String what = p.getKey() + (crop ? ", centre crop" : "");
                    Inspection result = inspector.run(p.getValue(), p.getKey());
                    assertThat(result.taps()).as(what).hasSize(5);
                    for (TapInspection t : result.taps()) {
                        assertFinite(t.featureMap(), what);
                        assertThat(t.ranking().channels()).as(what).hasSize(3)
                                .allSatisfy(c -> assertThat(Double.isFinite(c.score())).as(what + " score").isTrue());
                        assertThat(t.grid().tiles()).as(what).hasSize(3);
                        assertThat(t.grid().width()).as(what).isGreaterThanOrEqualTo(3 * t.width());
                    }
                }
            }
        }
    }

    static void assertFinite(FeatureMap map, String what) {
        float[] values = map.toArray();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new AssertionError(what + ": " + map.tap().layerName() + " value " + i + " is " + values[i]);
            }
        }
    }
}
