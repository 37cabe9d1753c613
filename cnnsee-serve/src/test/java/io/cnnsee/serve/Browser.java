package io.cnnsee.serve;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's chromium, headless, driven through its chromedriver: the real browser of the explorer's
 * tests. Where chromium is missing the tests are skipped, unless {@code CNNSEE_REQUIRE_BROWSER} is
 * set (CI sets it, after installing chromium), which makes them fail instead.
 */
public final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("cnnsee.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("cnnsee.chromedriver", "/usr/bin/chromedriver"));

    /** Selenium warns that it has no DevTools protocol for this chromium; WebDriver, all the tests use, needs none. */
    private static final java.util.logging.Logger CDP = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    static {
        CDP.setLevel(java.util.logging.Level.SEVERE);
    }

    public final ChromeDriver driver;
    private final Path profile;

    private Browser() throws IOException {
        profile = Files.createTempDirectory("cnnsee-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // The flags that keep chromium from calling Google's hosts, which this machine cannot reach.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--force-device-scale-factor=1", "--window-size=1400,1000",
                "--allow-file-access-from-files", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    /** A browser, or the test skipped (failed under CI) when there is none. */
    public static Browser start() throws IOException {
        if (!available() && System.getenv("CNNSEE_REQUIRE_BROWSER") == null) {
            Assumptions.assumeTrue(false, "No chromium at " + CHROMIUM + " with " + CHROMEDRIVER
                    + ": the browser tests are skipped (apt-get install chromium chromium-driver)");
        }
        return open();
    }

    /**
     * A browser, for the benchmarks.
     *
     * @throws IllegalStateException saying what to install when there is none
     */
    public static Browser open() throws IOException {
        if (!available()) {
            throw new IllegalStateException("The explorer's browser tests and benchmark need " + CHROMIUM + " and "
                    + CHROMEDRIVER + ": apt-get install chromium chromium-driver (.ci/run does)");
        }
        return new Browser();
    }

    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(30));
    }

    public WebElement byId(String id) {
        return driver.findElement(By.id(id));
    }

    /** The number of tiles in the grid. */
    public int tileCount() {
        return ((Number) script("return window.cnnsee.state.order.length")).intValue();
    }

    /** The channels of the tiles, in the order shown. */
    public List<Integer> tileOrder() {
        @SuppressWarnings("unchecked")
        List<Number> order = (List<Number>) script("return window.cnnsee.state.order");
        return order.stream().map(Number::intValue).toList();
    }

    /** Channel {@code c}'s tile as the screen shows it: the grid's screenshot cut to the tile's box. */
    public BufferedImage tileShot(int c) {
        int[] box = tileBox(c);
        return screenshot(byId("grid")).getSubimage(box[0], box[1], box[2], box[3]);
    }

    /** Clicks channel {@code c}'s tile, where the screen shows it. */
    public void clickTile(int c) {
        int[] box = tileBox(c);
        // Scrolled so that the tile is in view, then clicked where the screen shows its middle.
        @SuppressWarnings("unchecked")
        List<Number> at = (List<Number>) script("const g = document.getElementById('grid');"
                + "window.scrollBy(0, g.getBoundingClientRect().top + arguments[1] - 100);"
                + "const r = g.getBoundingClientRect(); return [r.left + arguments[0], r.top + arguments[1]];",
                box[0] + box[2] / 2, box[1] + box[3] / 2);
        new org.openqa.selenium.interactions.Actions(driver).moveToLocation(at.get(0).intValue(), at.get(1).intValue())
                .click().perform();
    }

    /**
     * Clicks the screen pixel that shows pixel ({@code x}, {@code y}) of the grid, in CSS pixels
     * from its top left. Chromium paints the grid from the pixel nearest its layout position, which
     * may fall between pixels, and a click on its first row or column may then land a fraction of a
     * pixel above or left of it.
     */
    public void clickGridPixel(int x, int y) {
        @SuppressWarnings("unchecked")
        List<Number> at = (List<Number>) script("const g = document.getElementById('grid');"
                + "window.scrollBy(0, g.getBoundingClientRect().top + arguments[1] - 100);"
                + "const r = g.getBoundingClientRect(); return [Math.round(r.left) + arguments[0], Math.round(r.top) + arguments[1]];",
                x, y);
        new org.openqa.selenium.interactions.Actions(driver).moveToLocation(at.get(0).intValue(), at.get(1).intValue())
                .click().perform();
    }

    /** x, y, width, height of channel {@code c}'s tile in the grid, in CSS pixels. */
    int[] tileBox(int c) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Number> box = (java.util.Map<String, Number>) script("return window.cnnsee.tileBox(arguments[0])", c);
        return new int[] {box.get("x").intValue(), box.get("y").intValue(), box.get("width").intValue(), box.get("height").intValue()};
    }

    /** What the screen shows of {@code element}. */
    static BufferedImage screenshot(WebElement element) {
        try {
            return ImageIO.read(new ByteArrayInputStream(element.getScreenshotAs(OutputType.BYTES)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var walk = Files.walk(profile)) {
                walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
