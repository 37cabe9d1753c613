package io.cnnsee.bench;

import io.cnnsee.CamMethod;
import io.cnnsee.ClassActivationMap;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.dl4j.TwoObjects;
import io.cnnsee.render.Colormap;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;

/**
 * The picture of docs/explanations.md: every CAM method on the known-answer network of the tests
 * ({@code TwoObjects}: a 1 x 1 convolution reading red and blue, tanh, a global mean, class 0
 * reading the red), at 32 x 32, explaining class 0 over a picture with a red object of two intensities and a blue one.
 * Every map should light the red object alone; how each spreads over its two intensities differs.
 * <pre>
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.ExplanationsPicture docs/explanations.png
 * </pre>
 */
public final class ExplanationsPicture {

    private static final int SIDE = 32;
    private static final int SHOWN = 128;

    private ExplanationsPicture() {
    }

    public static void main(String[] args) throws Exception {
        BufferedImage picture = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int red = y >= 6 && y < 26 && x >= 3 && x < 13 ? (y < 16 ? 255 : 110) : 0;
                int blue = y >= 10 && y < 22 && x >= 19 && x < 29 ? 255 : 0;
                picture.setRGB(x, y, red << 16 | 40 << 8 | blue);
            }
        }
        try (Dl4jModel model = TwoObjects.network(SIDE)) {
            Inspection result = FeatureMapInspector.builder().model(model).gradCamLayer("colour").explainedClass(0)
                    .cams(CamMethod.builtIns()).channels(2).build().run(picture, "two objects");
            BufferedImage shown = enlarged(picture);
            int n = result.classActivationMaps().size() + 1;
            int columns = 3;
            int rows = (n + columns - 1) / columns;
            BufferedImage sheet = new BufferedImage(columns * (SHOWN + 12) + 12, rows * (SHOWN + 30) + 12,
                    BufferedImage.TYPE_INT_RGB);
            Graphics2D g = sheet.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (int i = 0; i < n; i++) {
                int x = 12 + i % columns * (SHOWN + 12);
                int y = 12 + i / columns * (SHOWN + 30);
                BufferedImage tile = i == 0 ? shown
                        : result.classActivationMaps().get(i - 1).overlay(shown, Colormap.TURBO, 0.6);
                String caption = i == 0 ? "picture" : result.classActivationMaps().get(i - 1).method();
                g.drawImage(tile, x, y, null);
                g.drawString(caption, x, y + SHOWN + 18);
            }
            g.dispose();
            ImageIO.write(sheet, "png", new File(args.length > 0 ? args[0] : "explanations.png"));
            for (ClassActivationMap m : result.classActivationMaps()) {
                System.out.println(m.method() + ": half-red / full-red = "
                        + m.heatmap().get(20, 8) / Math.max(1e-12, m.heatmap().get(10, 8)));
            }
        }
    }

    /** Each pixel a square of SHOWN / SIDE pixels: the network's pixels as they are. */
    private static BufferedImage enlarged(BufferedImage p) {
        int scale = SHOWN / SIDE;
        BufferedImage out = new BufferedImage(SHOWN, SHOWN, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SHOWN; y++) {
            for (int x = 0; x < SHOWN; x++) {
                out.setRGB(x, y, p.getRGB(x / scale, y / scale));
            }
        }
        return out;
    }
}
