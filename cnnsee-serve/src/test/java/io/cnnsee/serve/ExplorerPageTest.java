package io.cnnsee.serve;

import io.cnnsee.dl4j.Dl4jModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The explorer page's layout and controls in a real browser, on a network of twelve layers: the
 * start page and its sample picture, the numbers and marks of the layer list, clicks on the edges
 * of tiles, and where Grad-CAM starts and shows.
 */
class ExplorerPageTest {

    @TempDir
    static Path dir;
    static Dl4jModel model;
    static ExplorerServer server;

    @BeforeAll
    static void start() throws Exception {
        model = DeepNetwork.model();
        server = ExplorerServer.builder(model).port(0).start();
    }

    /** Over HTTP as on the page: a map asked without a layer is at the last default layer, conv10, not the last layer. */
    @Test
    void aMapAskedWithoutALayerIsAtTheLastDefaultLayer() throws Exception {
        java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(16, 16, java.awt.image.BufferedImage.TYPE_INT_RGB);
        String id = ExplorerServerTest.id(ExplorerServerTest.post(server, ExplorerServerTest.png(picture), "black.png"));
        java.net.http.HttpResponse<byte[]> map = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(server.uri().resolve("api/explorations/" + id + "/gradcam?class=0")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(map.statusCode()).isEqualTo(200);
        assertThat(ExplorerServerTest.text(map)).contains("\"layer\":\"conv10\"");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        model.close();
    }

    @Test
    void startPageExploresASamplePictureInOneClick() throws Exception {
        try (Browser b = Browser.start()) {
            b.driver.get(server.uri().toString());
            assertThat(b.byId("intro").isDisplayed()).isTrue();
            // The file input is out of sight behind its label, which looks like a button, and still takes the keyboard.
            assertThat(b.byId("file").getRect().getWidth()).isLessThanOrEqualTo(1);
            assertThat(b.byId("drop").getText()).contains("Choose a picture");
            new Actions(b.driver).sendKeys(Keys.TAB).perform();
            assertThat(b.script("return document.activeElement.id")).isEqualTo("file");

            b.byId("sample").click();
            waitReady(b);
            assertThat(b.byId("picture-caption").getText()).isEqualTo("chelsea.jpg (224 × 149)");
            assertThat(b.tileCount()).isEqualTo(DeepNetwork.CHANNELS);
            assertThat(b.byId("intro").isDisplayed()).isFalse();
            assertThat(b.byId("error").isDisplayed()).isFalse();
        }
    }

    @Test
    void layerNumbersFitAndTheMarkIsExplained() throws Exception {
        try (Browser b = Browser.start()) {
            explore(b);
            List<WebElement> numbers = b.driver.findElements(By.cssSelector("#layers .number"));
            assertThat(numbers).extracting(WebElement::getText)
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, DeepNetwork.LAYERS).mapToObj(Integer::toString).toList());
            // Each number's text whole inside the side bar, which clips what overflows it, and before its layer's button.
            @SuppressWarnings("unchecked")
            List<String> outside = (List<String>) b.script("const side = document.getElementById('side').getBoundingClientRect();"
                    + "return [...document.querySelectorAll('#layers .number')].filter((n) => {"
                    + "  const range = document.createRange(); range.selectNodeContents(n);"
                    + "  const t = range.getBoundingClientRect(), button = n.parentElement.querySelector('button').getBoundingClientRect();"
                    + "  return t.width === 0 || t.left < side.left || t.right > button.left; }).map((n) => n.textContent);");
            assertThat(outside).isEmpty();

            // The dot beside the layers a report shows by default says what it is, over the layer and under the list.
            List<WebElement> marked = b.driver.findElements(By.cssSelector("#layers button.default"));
            assertThat(marked).extracting(WebElement::getText).containsExactly("conv5 12 × 16 × 16", "conv10 12 × 8 × 8");
            assertThat(marked).extracting(m -> m.getDomAttribute("title")).containsOnly("A layer reports show by default: the last"
                    + " at each size, where a block ends");
            assertThat(b.byId("layers-legend").getText()).isEqualTo("● A layer reports show by default: the last at each"
                    + " size, where a block ends. Grad-CAM starts at the last of them.");
            assertThat(b.driver.findElements(By.cssSelector("#layers button[title]"))).hasSize(2);
        }
    }

    @Test
    void everyPixelOfATileOpensItsChannel() throws Exception {
        try (Browser b = Browser.start()) {
            explore(b);
            int columns = ((Number) b.script("return window.cnnsee.state.grid.columns")).intValue();
            assertThat(columns).isLessThan(DeepNetwork.CHANNELS); // two rows of tiles
            // The grid 0.4 px past a pixel, as fonts and zoom may place it: clicks on its first row and
            // column then land a fraction of a pixel above or left of it.
            b.script("const t = document.getElementById('tiles'), r = document.getElementById('grid').getBoundingClientRect();"
                    + "const past = (v) => (((0.4 - v) % 1) + 1) % 1;"
                    + "t.style.paddingTop = past(r.top) + 'px'; t.style.paddingLeft = past(r.left) + 'px';");
            List<Integer> order = b.tileOrder();
            int first = order.get(0);
            int second = order.get(1);
            int below = order.get(columns);
            int last = order.get(order.size() - 1);
            int[] box = b.tileBox(first);
            int w = box[2];
            int h = box[3];
            assertClickOpens(b, box[0], box[1], first); // the tile's top left pixel
            assertClickOpens(b, box[0] + w - 1, box[1] + h - 1, first); // its bottom right pixel
            int[] next = b.tileBox(second);
            assertClickOpens(b, next[0] + w / 2, 0, second); // the grid's top row, above a tile
            int[] row2 = b.tileBox(below);
            assertClickOpens(b, 0, row2[1] + h / 2, below); // the grid's left column, beside the second row's first tile
            int[] end = b.tileBox(last);
            assertClickOpens(b, end[0], end[1], last);
            assertClickOpens(b, end[0] + w - 1, end[1] + h - 1, last);
        }
    }

    @Test
    void gradCamStartsAtTheLastDefaultLayerAndComesIntoView() throws Exception {
        try (Browser b = Browser.start()) {
            // A short window: the side bar's Grad-CAM lies below its fold.
            b.driver.manage().window().setSize(new Dimension(1000, 500));
            explore(b);
            assertThat(b.driver.findElement(By.cssSelector("#layers li.selected button")).getText()).startsWith("conv1 ");
            Select layer = new Select(b.byId("gradcam-layer"));
            assertThat(layer.getOptions()).hasSize(DeepNetwork.LAYERS);
            assertThat(layer.getFirstSelectedOption().getText()).isEqualTo("conv10");

            b.byId("gradcam-run").click();
            b.waiting().until(d -> b.byId("gradcam-caption").getText().startsWith("Grad-CAM: "));
            assertThat(b.byId("gradcam-caption").getText()).endsWith(" at conv10");
            b.waiting().until(d -> b.script("const img = document.getElementById('gradcam'), r = img.getBoundingClientRect();"
                    + "return !img.hidden && img.complete && r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight"
                    + " && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === img") == Boolean.TRUE);

            // Another layer chosen for Grad-CAM is the one it is computed at.
            layer.selectByVisibleText("pool1");
            b.byId("gradcam-run").click();
            b.waiting().until(d -> b.byId("gradcam-caption").getText().endsWith(" at pool1"));
        }
    }

    private static void explore(Browser b) throws Exception {
        b.driver.get(server.uri().toString());
        b.byId("file").sendKeys(ColourNetwork.pictureFile(dir).toString());
        waitReady(b);
    }

    private static void waitReady(Browser b) {
        b.waiting().until(d -> "ready".equals(b.script("return document.body.dataset.state")));
    }

    /** Clicks pixel (x, y) of the grid and checks that channel {@code c} of the first layer opens, with its numbers. */
    private static void assertClickOpens(Browser b, int x, int y, int c) {
        b.script("document.getElementById('detail-title').textContent = ''");
        b.clickGridPixel(x, y);
        b.waiting().until(d -> !b.byId("detail-title").getText().isEmpty());
        assertThat(b.byId("detail-title").getText()).as("a click at %d, %d of the grid", x, y).isEqualTo("conv1, channel " + c);
        assertThat(b.byId("stats").getText()).doesNotContain("NaN").doesNotContain("undefined");
    }
}
