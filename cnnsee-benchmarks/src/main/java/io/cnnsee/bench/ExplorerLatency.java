package io.cnnsee.bench;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.InspectableModel;
import io.cnnsee.dl4j.Vgg16;
import io.cnnsee.dl4j.Vgg16Weights;
import io.cnnsee.report.ReportWriter;
import io.cnnsee.serve.Browser;
import io.cnnsee.serve.ExplorerServer;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The explorer against {@code inspect}, in one JVM, taking turns in rounds: VGG16 with its top and
 * random weights, the README's picture. The explorer's times are the page's own, read in Debian's
 * chromium: from the file chosen to the first layer's tiles painted (upload, decoding, the pass
 * over every layer, that layer's levels and statistics, their decoding and painting in the page),
 * and from a click on a layer to its tiles painted (no pass: served from the kept outputs).
 * {@code inspect} is {@code FeatureMapInspector.run}: the pass over the five default taps,
 * ranking and grids. Then 20 clients upload at once over HTTP.
 * <pre>
 * java -cp cnnsee-benchmarks/target/benchmarks.jar io.cnnsee.bench.ExplorerLatency [ROUNDS=5]
 * </pre>
 */
public final class ExplorerLatency {

    /** Clients uploading at once in the last part. */
    static final int CLIENTS = 20;

    private ExplorerLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.println(table(rounds, CLIENTS));
    }

    /** The measurements as a Markdown table. */
    static String table(int rounds, int clients) throws Exception {
        Path picture = Pictures.sampleFile().toAbsolutePath();
        try (InspectableModel model = Vgg16.builder().includeTop(true).weights(Vgg16Weights.random(42)).build();
             ExplorerServer server = ExplorerServer.builder(model).port(0).keep(Math.max(8, clients)).start();
             Browser browser = Browser.open()) {
            FeatureMapInspector inspector = FeatureMapInspector.builder().model(model).build();
            browser.driver.get(server.uri().toString());
            Path reports = Files.createTempDirectory("cnnsee-explorer-latency");
            List<Double> inspect = new ArrayList<>();
            List<Double> withReport = new ArrayList<>();
            List<Double> upload = new ArrayList<>();
            List<Double> switches = new ArrayList<>();
            int layers = 0;
            for (int r = -1; r < rounds; r++) { // round -1 warms both up
                double a = 0;
                double b = 0;
                double c = 0;
                for (int side = 0; side < 2; side++) {
                    if ((r % 2 == 0) == (side == 0)) {
                        long start = System.nanoTime();
                        io.cnnsee.Inspection inspection = inspector.run(picture);
                        long inspected = System.nanoTime();
                        ReportWriter.write(inspection, reports.resolve("r" + r));
                        a = (inspected - start) / 1e6;
                        c = (System.nanoTime() - start) / 1e6;
                    } else {
                        b = uploadInPage(browser, picture);
                    }
                }
                // Every other layer once, then back to the first: no pass, the kept outputs.
                List<WebElement> buttons = browser.driver.findElements(By.cssSelector("#layers button"));
                layers = buttons.size();
                List<Double> round = new ArrayList<>();
                for (int i = 1; i <= layers; i++) {
                    round.add(switchInPage(browser, buttons.get(i % layers)));
                }
                if (r >= 0) {
                    inspect.add(a);
                    withReport.add(c);
                    upload.add(b);
                    switches.addAll(round);
                }
                System.err.printf(Locale.ROOT, "round %d: inspect %.0f ms, upload to tiles %.0f ms, layer switches %.0f..%.0f ms%n",
                        r, a, b, round.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                        round.stream().mapToDouble(Double::doubleValue).max().orElse(0));
            }
            Folders.delete(reports);
            double inspectMs = Paired.quantile(inspect, 0.5);
            double reportMs = Paired.quantile(withReport, 0.5);
            double uploadMs = Paired.quantile(upload, 0.5);
            String concurrent = concurrentUploads(server, picture, clients);
            return String.format(Locale.ROOT, "| VGG16 with top, random weights, 2 cores, median of %d rounds | ms |%n"
                            + "| --- | ---: |%n| inspect (FeatureMapInspector.run: pass, 5 taps, ranking, grids) | %.0f |%n"
                            + "| explorer: picture chosen to first layer's tiles painted | %.0f |%n"
                            + "| explorer / inspect | %.2f |%n"
                            + "| inspect and its report (what `cnnsee inspect` does for a picture) | %.0f |%n"
                            + "| explorer / (inspect and report) | %.2f |%n"
                            + "| layer switch, median of %d (every layer, each round) | %.0f |%n"
                            + "| layer switch, 95th percentile / slowest | %.0f / %.0f |%n%n%s",
                    rounds, inspectMs, uploadMs, uploadMs / inspectMs, reportMs, uploadMs / reportMs, switches.size(), Paired.quantile(switches, 0.5),
                    Paired.quantile(switches, 0.95), switches.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                    concurrent);
        }
    }

    /** Chooses the picture in the page's file input and returns the page's time to the first tiles, in ms. */
    private static double uploadInPage(Browser browser, Path picture) {
        long loads = (Long) browser.script("return window.cnnsee.state.layerLoads");
        browser.byId("file").sendKeys(picture.toString());
        browser.waiting().until(d -> (Long) browser.script("return window.cnnsee.state.layerLoads") > loads
                && "ready".equals(browser.script("return document.body.dataset.state")));
        browser.script("document.getElementById('file').value = ''"); // the same file again is a change
        if (System.getenv("CNNSEE_SPLIT") != null) {
            System.err.println("  upload answered " + browser.script("const t = window.cnnsee.timings; return t.uploadAnswered.toFixed(0) + ' (' + t.server + ')'"
                    + " + ', layer fetched ' + t.layerFetched.toFixed(0) + ' painted ' + t.layerPainted.toFixed(0) + ' shown ' + t.layerSwitch.toFixed(0)"));
        }
        return ((Number) browser.script("return window.cnnsee.timings.uploadToTiles")).doubleValue();
    }

    /** Clicks a layer and returns the page's time to its tiles, in ms. */
    private static double switchInPage(Browser browser, WebElement button) {
        long loads = (Long) browser.script("return window.cnnsee.state.layerLoads");
        button.click();
        browser.waiting().until(d -> (Long) browser.script("return window.cnnsee.state.layerLoads") > loads);
        if (System.getenv("CNNSEE_SPLIT") != null) {
            System.err.println("  " + browser.script("const t = window.cnnsee.timings; return document.body.dataset.layer + ' fetched '"
                    + " + t.layerFetched.toFixed(0) + ' painted ' + t.layerPainted.toFixed(0) + ' shown ' + t.layerSwitch.toFixed(0)"));
        }
        return ((Number) browser.script("return window.cnnsee.timings.layerSwitch")).doubleValue();
    }

    /** {@code clients} threads uploading the picture at the same moment: every answer must be 201. */
    private static String concurrentUploads(ExplorerServer server, Path picture, int clients) throws Exception {
        byte[] bytes = Files.readAllBytes(picture);
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            long start = System.nanoTime();
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> http.send(HttpRequest.newBuilder(server.uri().resolve("api/explorations"))
                        .header("X-File-Name", "sample.png").POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                        HttpResponse.BodyHandlers.ofString())));
            }
            int ok = 0;
            List<String> errors = new ArrayList<>();
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 201) {
                    ok++;
                } else {
                    errors.add(r.statusCode() + " " + r.body());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!errors.isEmpty()) {
                throw new IllegalStateException(errors.size() + " of " + clients + " concurrent uploads failed: " + errors.get(0));
            }
            return String.format(Locale.ROOT, "%d clients uploading at once: %d of %d answered 201 in %.1f s (%.2f s a picture; "
                    + "the model is shared, passes take turns)", clients, ok, clients, seconds, seconds / clients);
        } finally {
            pool.shutdownNow();
        }
    }
}
