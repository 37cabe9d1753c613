package io.cnnsee.serve;

import io.cnnsee.ChannelRanker;
import io.cnnsee.ImageLoader;
import io.cnnsee.dl4j.Dl4jModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The explorer's HTTP API, asked as the page asks it, against the colour network's obvious answers. */
class ExplorerServerTest {

    @TempDir
    static Path dir;
    static Dl4jModel model;
    static ExplorerServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        model = ColourNetwork.model(dir);
        server = ExplorerServer.builder(model).port(0).keep(3).ranker(ChannelRanker.named("reversed sum", c -> -c.sum()))
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    static HttpResponse<byte[]> post(ExplorerServer s, byte[] body, String name) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(s.uri().resolve("api/explorations")).header("X-File-Name", name)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    static String id(HttpResponse<byte[]> r) {
        Matcher m = Pattern.compile("\"id\":\"([0-9a-f]{32})\"").matcher(text(r));
        assertThat(m.find()).as(text(r)).isTrue();
        return m.group(1);
    }

    @Test
    void listensOnLoopbackOnlyByDefault() {
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
        assertThat(ExplorerServer.isLoopback("127.0.0.1")).isTrue();
        assertThat(ExplorerServer.isLoopback("0.0.0.0")).isFalse();
    }

    @Test
    void pageIsSelfContained() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        String html = text(page);
        assertThat(html).contains("cnnsee explorer").contains("\"mode\": \"server\"").contains("\"name\":\"Colours\"")
                .contains("\"classes\":[\"red\",\"green\",\"blue\"]").contains("\"reversed sum\"");
        // No script, style or font from anywhere else.
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'");
        assertThat(page.headers().firstValue("Server")).as("no server name or version").isEmpty();
    }

    @Test
    void servesTheSamplePictureThePageOffers() throws Exception {
        HttpResponse<byte[]> sample = get("/sample.jpg");
        assertThat(sample.statusCode()).isEqualTo(200);
        assertThat(sample.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("image/jpeg");
        BufferedImage cat = ImageIO.read(new ByteArrayInputStream(sample.body()));
        assertThat(cat.getWidth()).isEqualTo(224);
        assertThat(cat.getHeight()).isEqualTo(149);
        HttpResponse<byte[]> explored = post(server, sample.body(), "chelsea.jpg");
        assertThat(explored.statusCode()).as(text(explored)).isEqualTo(201);
        assertThat(HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/sample.jpg"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                .isEqualTo(405);
    }

    @Test
    void uploadGivesPredictionsAndEveryLayer() throws Exception {
        HttpResponse<byte[]> r = post(server, png(ColourNetwork.picture()), "halves.png");
        assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
        String json = text(r);
        assertThat(json).contains("\"source\":\"halves.png\"").contains("\"width\":16,\"height\":16");
        assertThat(json).contains("{\"index\":0,\"name\":\"colour\",\"displayName\":\"colour\",\"channels\":3,\"height\":16,\"width\":16");
        assertThat(json).contains("{\"index\":1,\"name\":\"pooled\",\"displayName\":\"pooled\",\"channels\":3,\"height\":8,\"width\":8");
        Matcher p = Pattern.compile("\"label\":\"red\",\"probability\":([0-9.E-]+)").matcher(json);
        assertThat(p.find()).as(json).isTrue();
        assertThat(Double.parseDouble(p.group(1))).isCloseTo(ColourNetwork.redProbability(), within(1e-5));
    }

    @Test
    void layerStatisticsScoresAndLevelsMatchTheColours() throws Exception {
        String id = id(post(server, png(ColourNetwork.picture()), "halves.png"));
        String layer = text(get("api/explorations/" + id + "/layers/0"));
        double blue = ColourNetwork.BLUE / 255.0;
        double redShare = ColourNetwork.RED_COLUMNS / (double) ColourNetwork.SIDE;
        assertThat(numbers(layer, "max")).containsExactly(new double[] {1, 0, blue}, within(1e-6));
        assertThat(numbers(layer, "min")).containsExactly(new double[] {0, 0, 0}, within(1e-6));
        assertThat(numbers(layer, "mean")).containsExactly(new double[] {redShare, 0, (1 - redShare) * blue}, within(1e-6));
        assertThat(numbers(layer, "active")).containsExactly(new double[] {redShare, 0, 1 - redShare}, within(1e-9));
        assertThat(numbers(layer, "sum")).containsExactly(new double[] {192, 0, 64 * blue}, within(1e-4));
        assertThat(numbers(layer, "reversed sum")).containsExactly(new double[] {-192, 0, -64 * blue}, within(1e-4));
        assertThat(layer).contains("\"columns\":2");

        // Levels: channel c at column c % 2, row c / 2 of 16 x 16 tiles, from its minimum (0) to its maximum (255).
        BufferedImage levels = ImageIO.read(new ByteArrayInputStream(get("api/explorations/" + id + "/layers/0/levels.png").body()));
        assertThat(levels.getWidth()).isEqualTo(32);
        assertThat(levels.getHeight()).isEqualTo(32);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                boolean red = x < ColourNetwork.RED_COLUMNS;
                assertThat(levels.getRaster().getSample(x, y, 0)).isEqualTo(red ? 255 : 0);           // redness
                assertThat(levels.getRaster().getSample(16 + x, y, 0)).isEqualTo(0);                   // greenness
                assertThat(levels.getRaster().getSample(x, 16 + y, 0)).isEqualTo(red ? 0 : 255);       // blueness
            }
        }

        // The exact values of one channel, little-endian floats, row by row.
        HttpResponse<byte[]> values = get("api/explorations/" + id + "/layers/1/channels/2");
        assertThat(values.body()).hasSize(8 * 8 * 4);
        ByteBuffer b = ByteBuffer.wrap(values.body()).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertThat((double) b.getFloat()).isCloseTo(x >= ColourNetwork.RED_COLUMNS / 2 ? blue : 0, within(1e-6));
            }
        }
    }

    @Test
    void gradCamOfBlueLightsTheBlueColumns() throws Exception {
        String id = id(post(server, png(ColourNetwork.picture()), "halves.png"));
        String json = text(get("api/explorations/" + id + "/gradcam?class=2&layer=0"));
        assertThat(json).contains("\"method\":\"Grad-CAM\",\"classIndex\":2,\"label\":\"blue\"")
                .contains("\"layer\":\"colour\"").contains("data:image/png;base64,");
        assertThat(text(get("api/explorations/" + id + "/gradcam?class=2&layer=0&method=scorecam")))
                .contains("\"method\":\"Score-CAM\",\"classIndex\":2,\"label\":\"blue\"");
        assertThat(text(get("api/explorations/" + id + "/gradcam?class=2&layer=0&method=gradcam%2B%2B")))
                .contains("\"method\":\"Grad-CAM++\"");
        HttpResponse<byte[]> unknown = get("api/explorations/" + id + "/gradcam?class=2&method=occlusion");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(text(unknown)).contains("Unknown CAM method 'occlusion': choose one of [gradcam, gradcam++,");
        assertThat(text(get("api/explorations/" + id + "/gradcam?class=7&layer=0"))).contains("Class 7 is out of range: it is not one of 0..2 (Colours has 3 classes)");
        assertThat(text(get("api/explorations/" + id + "/gradcam?class=x"))).contains("Class must be a whole number, one of 0..2; was 'x'");
    }

    @Test
    void numbersOutOfRangeAreSaidToBe() throws Exception {
        String id = id(post(server, png(ColourNetwork.picture()), "halves.png"));
        HttpResponse<byte[]> bigClass = get("api/explorations/" + id + "/gradcam?class=1000000&layer=0");
        assertThat(bigClass.statusCode()).isEqualTo(400);
        assertThat(text(bigClass)).contains("Class 1000000 is out of range: it is not one of 0..2 (Colours has 3 classes)");
        for (String layer : List.of("2", "9999", "2147483648", "99999999999999999999")) {
            HttpResponse<byte[]> r = get("api/explorations/" + id + "/layers/" + layer);
            assertThat(r.statusCode()).as(layer).isEqualTo(400);
            assertThat(text(r)).as(layer).contains("Layer " + layer + " is out of range: it is not one of 0..1"
                    + " (the picture was explored at 2 layers)");
        }
        assertThat(text(get("api/explorations/" + id + "/gradcam?class=2&layer=2147483648")))
                .contains("Layer 2147483648 is out of range: it is not one of 0..1");
        HttpResponse<byte[]> channel = get("api/explorations/" + id + "/layers/0/channels/4294967296");
        assertThat(channel.statusCode()).isEqualTo(400);
        assertThat(text(channel)).contains("Channel 4294967296 is out of range: it is not one of 0..2 (layer colour has 3 channels)");
    }

    @Test
    void anIdNeverGivenIsUnknownNotDropped() throws Exception {
        HttpResponse<byte[]> r = get("api/explorations/0123456789abcdef0123456789abcdef/layers/0");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(text(r)).contains("No picture has id 0123456789abcdef0123456789abcdef: this server never gave it")
                .doesNotContain("no longer kept");
    }

    @Test
    void aFormUploadIsAPictureToo() throws Exception {
        // As curl -F file=@halves.png sends it, and an HTML form.
        String boundary = "------------------------cnnsee" + System.nanoTime();
        java.io.ByteArrayOutputStream form = new java.io.ByteArrayOutputStream();
        form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"halves.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        form.writeBytes(png(ColourNetwork.picture()));
        form.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/explorations"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
        assertThat(text(r)).contains("\"source\":\"halves.png\"").contains("\"width\":16,\"height\":16");
        assertThat(numbers(text(r), "max")).containsExactly(new double[] {1, 0, ColourNetwork.BLUE / 255.0}, within(1e-6));

        String empty = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary + "--\r\n";
        HttpResponse<byte[]> noFile = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/explorations"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(empty)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(noFile.statusCode()).isEqualTo(400);
        assertThat(text(noFile)).contains("The form has no file: send the picture in a field called 'file' (curl -F file=@picture.jpg)");
    }

    @Test
    void reportDownloadHoldsTheReportAndItsOfflineExplorer() throws Exception {
        String id = id(post(server, png(ColourNetwork.picture()), "halves.png"));
        HttpResponse<byte[]> zip = get("api/explorations/" + id + "/report.zip");
        assertThat(zip.statusCode()).isEqualTo(200);
        assertThat(zip.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("application/zip");
        Set<String> names = new TreeSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        assertThat(names).contains("cnnsee-report/report.html", "cnnsee-report/explore.html",
                "cnnsee-report/explore-data.js", "cnnsee-report/grad-cam.png", "cnnsee-report/original.png");
    }

    @Test
    void badUploadsAreRefusedWithAMessageAndTheServerGoesOn() throws Exception {
        HttpResponse<byte[]> notPicture = post(server, "just some words".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "notes.txt");
        assertThat(notPicture.statusCode()).isEqualTo(400);
        assertThat(text(notPicture)).startsWith("{\"error\":\"Cannot read picture notes.txt: not a picture format");
        HttpResponse<byte[]> empty = post(server, new byte[0], "empty.png");
        assertThat(text(empty)).contains("Cannot read picture empty.png: it is empty (0 bytes)");
        byte[] good = png(ColourNetwork.picture());
        HttpResponse<byte[]> truncated = post(server, java.util.Arrays.copyOf(good, good.length / 2), "cut.png");
        assertThat(truncated.statusCode()).isEqualTo(400);
        assertThat(text(truncated)).contains("Cannot read picture cut.png");
        // A path in the name is not a path: only its last part is kept, for messages.
        assertThat(text(post(server, good, "..%2F..%2Fetc%2Fpasswd"))).contains("\"source\":\"passwd\"");
        assertThat(post(server, good, "halves.png").statusCode()).isEqualTo(201);
    }

    @Test
    void uploadsAreLimitedInBytesAndPixels() throws Exception {
        byte[] good = png(ColourNetwork.picture());
        try (ExplorerServer small = ExplorerServer.builder(model).port(0).maxUploadBytes(good.length - 1).start()) {
            HttpResponse<byte[]> r = post(small, good, "halves.png");
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(text(r)).contains("Picture halves.png is 0.0 MB; this server takes pictures of at most 0.0 MB"
                    + " (cnnsee serve --max-upload-mb)");
        }
        try (ExplorerServer few = ExplorerServer.builder(model).port(0).loader(ImageLoader.withMaxPixels(255)).start()) {
            HttpResponse<byte[]> r = post(few, good, "halves.png");
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(text(r)).contains("Picture halves.png is 16 x 16 pixels (0.0 million); this server decodes at most"
                    + " 0.0 million pixels. Make it smaller");
        }
    }

    @Test
    void aSmallPngOfManyPixelsIsRefusedFromItsHeader() throws Exception {
        // 12 KB that decode to 10000 x 10000: within the library's limit, beyond the explorer's.
        byte[] bomb = png(new BufferedImage(10_000, 10_000, BufferedImage.TYPE_BYTE_BINARY));
        assertThat(bomb.length).isLessThan(20_000);
        long start = System.nanoTime();
        HttpResponse<byte[]> r = post(server, bomb, "bomb.png");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).as(text(r)).isEqualTo(413);
        assertThat(text(r)).contains("Picture bomb.png is 10000 x 10000 pixels (100.0 million); this server decodes at most"
                + " 50.0 million pixels");
        assertThat(ms).as("refused from the header, not decoded").isLessThan(1_000);
    }

    @Test
    void requestsOutsideTheRoutesReachNothing() throws Exception {
        String id = id(post(server, png(ColourNetwork.picture()), "halves.png"));
        for (String path : List.of("/api/explorations/" + id + "/../../../etc/passwd", "/etc/passwd", "/explorer.js",
                "/api/explorations/" + id + "/layers/9", "/api/explorations/" + id + "/layers/0/channels/3",
                "/api/explorations/0123456789abcdef0123456789abcdef/layers/0")) {
            HttpResponse<byte[]> r = get(path);
            assertThat(r.statusCode()).as(path).isIn(400, 404);
            assertThat(text(r)).as(path).startsWith("{\"error\":");
        }
        assertThat(text(get("/api/explorations/" + id + "/layers/9"))).contains("Layer 9 is out of range: it is not one of 0..1");
        assertThat(text(get("/api/explorations/" + id + "/layers/0/channels/3"))).contains("Channel 3 is out of range: it is not one of 0..2");
        HttpResponse<byte[]> delete = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/explorations/" + id + "/layers/0"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(delete.statusCode()).isEqualTo(405);
    }

    @Test
    void keepsOnlyTheMostRecentlyUsedExplorations() throws Exception {
        try (ExplorerServer one = ExplorerServer.builder(model).port(0).keep(1).start()) {
            byte[] good = png(ColourNetwork.picture());
            String first = id(post(one, good, "a.png"));
            String second = id(post(one, good, "b.png"));
            HttpResponse<byte[]> gone = HTTP.send(HttpRequest.newBuilder(one.uri().resolve("api/explorations/" + first + "/layers/0"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(gone.statusCode()).isEqualTo(410);
            assertThat(text(gone)).contains("This picture's inspection is no longer kept (the server keeps the last 1)");
            assertThat(HTTP.send(HttpRequest.newBuilder(one.uri().resolve("api/explorations/" + second + "/layers/0")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void twentyClientsAtOnceShareTheModel() throws Exception {
        byte[] good = png(ColourNetwork.picture());
        ExecutorService clients = Executors.newFixedThreadPool(20);
        try {
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                answers.add(clients.submit(() -> {
                    // The server keeps 3 explorations: the first layer, which comes with the answer, is what every client is sure of.
                    return post(server, good, "p" + n + ".png");
                }));
            }
            for (Future<HttpResponse<byte[]>> a : answers) {
                HttpResponse<byte[]> r = a.get();
                assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
                assertThat(text(r)).contains("\"firstLayer\":{\"index\":0,\"name\":\"colour\"");
                assertThat(numbers(text(r), "max")).containsExactly(new double[] {1, 0, ColourNetwork.BLUE / 255.0}, within(1e-6));
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /** The array called {@code name} in {@code json}. */
    static double[] numbers(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\\[([^\\]]*)\\]").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return java.util.Arrays.stream(m.group(1).split(",")).mapToDouble(s -> s.equals("null") ? Double.NaN : Double.parseDouble(s)).toArray();
    }
}
