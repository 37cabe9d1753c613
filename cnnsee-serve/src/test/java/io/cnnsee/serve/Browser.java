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
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("cnnsee.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("cnnsee.chromedriver", "/usr/bin/chromedriver"));

    final ChromeDriver driver;
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
    static Browser start() throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && System.getenv("CNNSEE_REQUIRE_BROWSER") != null) {
            throw new IllegalStateException("The explorer's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get install chromium chromium-driver (.ci/run does)");
        }
        Assumptions.assumeTrue(present, "No chromium at " + CHROMIUM + " with " + CHROMEDRIVER
                + ": the browser tests are skipped (apt-get install chromium chromium-driver)");
        return new Browser();
    }

    WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(30));
    }

    WebElement byId(String id) {
        return driver.findElement(By.id(id));
    }

    List<WebElement> tiles() {
        return driver.findElements(By.cssSelector("#tiles .tile"));
    }

    /** The channels of the tiles, in the order shown. */
    List<Integer> tileOrder() {
        return tiles().stream().map(t -> Integer.parseInt(t.getAttribute("data-channel"))).toList();
    }

    WebElement tile(int channel) {
        return driver.findElement(By.cssSelector("#tiles .tile[data-channel='" + channel + "'] canvas"));
    }

    /** What the screen shows of {@code element}. */
    static BufferedImage screenshot(WebElement element) {
        try {
            return ImageIO.read(new ByteArrayInputStream(element.getScreenshotAs(OutputType.BYTES)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Object script(String js, Object... args) {
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
