package io.cnnsee.bench;

import io.cnnsee.InspectableModel;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.serve.Browser;
import io.cnnsee.serve.ExplorerServer;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The README's picture of the explorer: VGG16 with random weights (the only weights this machine
 * has), the README's cat, a layer and a channel opened, taken by headless chromium.
 * <pre>
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.ExplorerScreenshot docs/explorer.png
 * </pre>
 */
public final class ExplorerScreenshot {

    private ExplorerScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/explorer.png");
        Path picture = Pictures.sampleFile().toAbsolutePath();
        try (InspectableModel model = Vgg16.builder().includeTop(true).weights(Vgg16Weights.random(42)).build();
             ExplorerServer server = ExplorerServer.builder(model).port(0).start();
             Browser browser = Browser.open()) {
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 900));
            browser.driver.get(server.uri().toString());
            browser.byId("file").sendKeys(picture.toString());
            browser.waiting().until(d -> "ready".equals(browser.script("return document.body.dataset.state")));
            List<WebElement> layers = browser.driver.findElements(By.cssSelector("#layers button"));
            long loads = (Long) browser.script("return window.cnnsee.state.layerLoads");
            layers.get(6).click(); // block3_conv1: 256 channels of 56 x 56
            browser.waiting().until(d -> (Long) browser.script("return window.cnnsee.state.layerLoads") > loads);
            new Select(browser.byId("ranker")).selectByVisibleText("variance");
            int best = browser.tileOrder().get(0);
            browser.script("window.scrollTo(0, 0)");
            browser.clickTile(best);
            browser.waiting().until(d -> browser.script("return window.cnnsee.state.values !== null") == Boolean.TRUE);
            browser.byId("gradcam-run").click();
            browser.waiting().until(d -> browser.byId("gradcam").isDisplayed());
            browser.script("window.scrollTo(0, 0); document.getElementById('side').scrollTo(0, 0)");
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.write(out, browser.driver.getScreenshotAs(OutputType.BYTES));
            System.out.println(out + ": " + model.name() + ", block3_conv1 by variance, channel " + best + " opened");
        }
    }
}
