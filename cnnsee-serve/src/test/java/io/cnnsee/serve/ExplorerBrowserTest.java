package io.cnnsee.serve;

import io.cnnsee.ChannelRanker;
import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.dl4j.Dl4jModel;
import io.cnnsee.render.Colormap;
import io.cnnsee.report.ReportWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The explorer in a real browser: a picture uploaded through the page's file input, layers,
 * rankers, colormaps and normalisations switched, a channel opened, Grad-CAM asked for; and the
 * offline explore.html of a report opened from disk. Tiles are checked by the pixels on screen,
 * against the colormap entries the colour network's obvious values must take.
 */
class ExplorerBrowserTest {

    @TempDir
    static Path dir;
    static Dl4jModel model;
    static ExplorerServer server;

    @BeforeAll
    static void start() throws Exception {
        model = ColourNetwork.model(dir);
        server = ExplorerServer.builder(model).port(0).ranker(ChannelRanker.named("reversed sum", c -> -c.sum())).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        model.close();
    }

    @Test
    void exploresAnUploadedPicture() throws Exception {
        Path picture = ColourNetwork.pictureFile(dir);
        try (Browser b = Browser.start()) {
            b.driver.get(server.uri().toString());
            assertThat(b.byId("model").getText()).isEqualTo("Colours");
            assertThat(b.byId("weights-note").isDisplayed()).isFalse();

            b.byId("file").sendKeys(picture.toString());
            b.waiting().until(d -> "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
            assertThat(b.tileCount()).isEqualTo(3);
            assertThat(b.byId("layer-title").getText()).isEqualTo("colour: 3 channels of 16 × 16");
            assertThat(b.byId("predictions").findElements(By.tagName("li")).get(0).getText())
                    .isEqualTo(String.format(Locale.ROOT, "red — %.1f %%", 100 * ColourNetwork.redProbability()));
            assertThat(b.driver.findElements(By.cssSelector("#layers button")).stream().map(WebElement::getText).toList())
                    .containsExactly("colour 3 × 16 × 16", "pooled 3 × 8 × 8");
            assertThat(b.byId("report").getAttribute("href")).endsWith("/report.zip");

            // By sum: redness (192), blueness (64 x 128/255), greenness (0).
            assertThat(b.tileOrder()).containsExactly(0, 2, 1);
            int full = Colormap.VIRIDIS.rgb(255);
            int none = Colormap.VIRIDIS.rgb(0);
            assertHalves(b.tileShot(0), full, none);
            assertHalves(b.tileShot(2), none, full);
            assertHalves(b.tileShot(1), none, none);

            new Select(b.byId("ranker")).selectByVisibleText("reversed sum");
            assertThat(b.tileOrder()).containsExactly(1, 2, 0);

            new Select(b.byId("colormap")).selectByVisibleText("gray");
            assertHalves(b.tileShot(0), Colormap.GRAY.rgb(255), Colormap.GRAY.rgb(0));
            // One range for the layer (0 to 1): blueness, 128/255, is no longer the top of its own range.
            new Select(b.byId("normalization")).selectByValue("layer");
            assertHalves(b.tileShot(2), Colormap.GRAY.rgb(0), Colormap.GRAY.rgb(Colormap.indexOf(ColourNetwork.BLUE / 255.0)));
            assertHalves(b.tileShot(0), Colormap.GRAY.rgb(255), Colormap.GRAY.rgb(0));

            // A channel large, its statistics, the exact value under the pointer.
            b.clickTile(2);
            b.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("detail")));
            assertThat(b.byId("detail-title").getText()).isEqualTo("colour, channel 2");
            String stats = b.byId("stats").getText();
            assertThat(stats).contains("rank by reversed sum 2 of 3").contains("max 0.502").contains("mean 0.1255")
                    .contains("positive 25.0 %");
            WebElement large = b.byId("channel-large");
            b.waiting().until(d -> b.script("return window.cnnsee.state.values !== null") == Boolean.TRUE);
            new Actions(b.driver).moveToElement(large, 150, -150).perform(); // column 15, row 0: blue
            b.waiting().until(d -> !b.byId("pointer").getText().startsWith("Point"));
            assertThat(b.byId("pointer").getText()).isEqualTo("y 0, x 15: 0.502");
            new Actions(b.driver).moveToElement(large, -150, 150).perform(); // column 0, row 15: red
            b.waiting().until(d -> b.byId("pointer").getText().startsWith("y 15, x 0"));
            assertThat(b.byId("pointer").getText()).isEqualTo("y 15, x 0: 0");

            // Another layer, from the same pass.
            b.driver.findElements(By.cssSelector("#layers button")).get(1).click();
            b.waiting().until(d -> "pooled".equals(d.findElement(By.tagName("body")).getAttribute("data-layer")));
            assertThat(b.tileCount()).isEqualTo(3);
            assertThat(b.byId("detail").isDisplayed()).isFalse();
            assertThat(b.script("return window.cnnsee.state.layerLoads")).isEqualTo(2L);

            // Grad-CAM of "blue" at the pooled layer: hot over the blue columns, cold over the red ones.
            Select camLayer = new Select(b.byId("gradcam-layer"));
            assertThat(camLayer.getFirstSelectedOption().getText()).isEqualTo("colour"); // the model's last default tap
            camLayer.selectByVisibleText("pooled");
            new Select(b.byId("gradcam-class")).selectByValue("2");
            b.byId("gradcam-run").click();
            b.waiting().until(d -> b.byId("gradcam-caption").getText().startsWith("Grad-CAM: blue"));
            assertThat(b.byId("gradcam-caption").getText()).endsWith("at pooled");
            long[] cold = pixel(b, "gradcam", 0.3, 0.5);
            long[] hot = pixel(b, "gradcam", 0.95, 0.5);
            assertThat(cold).containsExactly(blend(0xFF0000, Colormap.TURBO.rgb(0)));
            assertThat(hot).containsExactly(blend(ColourNetwork.BLUE, Colormap.TURBO.rgb(255)));
            // Another method of the CAM family, chosen on the page: the same known answer.
            Select methods = new Select(b.byId("gradcam-method"));
            assertThat(methods.getOptions()).extracting(o -> o.getText()).containsExactly("Grad-CAM", "Grad-CAM++",
                    "XGrad-CAM", "HiResCAM", "LayerCAM", "Eigen-CAM", "EigenGrad-CAM", "Score-CAM", "Ablation-CAM");
            methods.selectByValue("layercam");
            b.byId("gradcam-run").click();
            b.waiting().until(d -> b.byId("gradcam-caption").getText().startsWith("LayerCAM: blue"));
            assertThat(pixel(b, "gradcam", 0.3, 0.5)).containsExactly(blend(0xFF0000, Colormap.TURBO.rgb(0)));
            assertThat(pixel(b, "gradcam", 0.95, 0.5)).containsExactly(blend(ColourNetwork.BLUE, Colormap.TURBO.rgb(255)));

            // A file that is no picture: a message, and the page keeps what it showed.
            Path notes = Files.writeString(dir.resolve("notes.txt"), "just some words");
            b.byId("file").sendKeys(notes.toString());
            b.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
            assertThat(b.byId("error").getText()).startsWith("Cannot read picture notes.txt: not a picture format");
            assertThat(b.tileCount()).isEqualTo(3);
            b.byId("file").sendKeys(picture.toString());
            b.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("error")));
            b.waiting().until(d -> b.script("return window.cnnsee.state.layerLoads").equals(3L));
            assertThat(b.script("return window.cnnsee.timings.uploadToTiles")).isNotNull();
        }
    }

    @Test
    void reportFolderExplorerWorksFromDisk() throws Exception {
        Path folder = dir.resolve("report");
        Inspection inspection = FeatureMapInspector.builder().model(model).taps("colour", "pooled").gradCam(true).build()
                .run(ColourNetwork.picture(), "halves.png");
        ReportWriter.write(inspection, folder);
        assertThat(Files.readString(folder.resolve("report.html"))).contains("href=\"explore.html\"");
        try (Browser b = Browser.start()) {
            b.driver.get(folder.resolve("explore.html").toUri().toString());
            b.waiting().until(d -> "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
            assertThat(b.byId("upload").isDisplayed()).isFalse();
            assertThat(b.tileCount()).isEqualTo(3);
            assertThat(b.tileOrder()).containsExactly(0, 2, 1);
            assertHalves(b.tileShot(0), Colormap.VIRIDIS.rgb(255), Colormap.VIRIDIS.rgb(0));
            new Select(b.byId("colormap")).selectByVisibleText("magma");
            assertHalves(b.tileShot(2), Colormap.MAGMA.rgb(0), Colormap.MAGMA.rgb(255));
            new Select(b.byId("ranker")).selectByVisibleText("max");
            assertThat(b.tileOrder()).containsExactly(0, 2, 1);
            new Select(b.byId("ranker")).selectByVisibleText("active");
            assertThat(b.tileOrder()).containsExactly(0, 2, 1);

            b.clickTile(2);
            b.waiting().until(d -> b.script("return window.cnnsee.state.values !== null") == Boolean.TRUE);
            new Actions(b.driver).moveToElement(b.byId("channel-large"), 150, 10).perform();
            b.waiting().until(d -> !b.byId("pointer").getText().startsWith("Point"));
            assertThat(b.byId("pointer").getText()).isEqualTo("y 8, x 15: ≈ 0.502 (from 8-bit levels)");

            assertThat(b.byId("gradcam-caption").getText()).isEqualTo("red at colour"); // the model's last default tap
            assertThat(b.byId("report").getAttribute("href")).endsWith("/report.html");
            b.driver.findElements(By.cssSelector("#layers button")).get(1).click();
            b.waiting().until(d -> "pooled".equals(d.findElement(By.tagName("body")).getAttribute("data-layer")));
            assertThat(b.byId("layer-title").getText()).isEqualTo("pooled: 3 channels of 8 × 8");
        }
    }

    /** The tile's left three quarters show {@code left}, its right quarter {@code right} (the red and blue columns). */
    private static void assertHalves(BufferedImage shot, int left, int right) {
        int w = shot.getWidth();
        int h = shot.getHeight();
        assertThat(w).isEqualTo(72);
        assertThat(h).isEqualTo(72);
        for (double fy : new double[] {0.2, 0.5, 0.8}) {
            assertRgb(shot.getRGB((int) (w * 0.35), (int) (h * fy)), left);
            assertRgb(shot.getRGB((int) (w * 0.9), (int) (h * fy)), right);
        }
    }

    private static void assertRgb(int actual, int expected) {
        for (int shift : new int[] {16, 8, 0}) {
            assertThat(Math.abs((actual >> shift & 0xFF) - (expected >> shift & 0xFF)))
                    .as("colour %06x, expected %06x", actual & 0xFFFFFF, expected).isLessThanOrEqualTo(2);
        }
    }

    /** The RGB of image {@code id} at a fraction of its width and height, read in the page. */
    private static long[] pixel(Browser b, String id, double fx, double fy) {
        @SuppressWarnings("unchecked")
        List<Long> rgb = (List<Long>) b.script("const img = document.getElementById(arguments[0]);"
                + "const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;"
                + "const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);"
                + "const d = ctx.getImageData(Math.floor(c.width * arguments[1]), Math.floor(c.height * arguments[2]), 1, 1).data;"
                + "return [d[0], d[1], d[2]];", id, fx, fy);
        return rgb.stream().mapToLong(Long::longValue).toArray();
    }

    /** Half the picture's colour and half the colormap's, rounded, as Overlay blends them. */
    private static long[] blend(int picture, int colour) {
        long[] out = new long[3];
        for (int i = 0; i < 3; i++) {
            int shift = 16 - 8 * i;
            out[i] = Math.round(0.5 * (picture >> shift & 0xFF) + 0.5 * (colour >> shift & 0xFF));
        }
        return out;
    }
}
