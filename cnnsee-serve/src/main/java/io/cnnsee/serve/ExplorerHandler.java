package io.cnnsee.serve;

import io.cnnsee.CamMethod;
import io.cnnsee.ImageLoader;
import io.cnnsee.explore.Exploration;
import io.cnnsee.explore.Explorer;
import io.cnnsee.explore.ExplorerPage;
import io.cnnsee.explore.Json;
import io.cnnsee.explore.LayerView;
import io.cnnsee.render.Png;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The explorer's routes. Every URL is matched against a fixed list and its parts parsed as an id
 * or a number, so nothing from a request reaches the file system; every failure is answered with
 * a JSON {@code {"error": "..."}} the page shows, and the server goes on serving.
 */
final class ExplorerHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(ExplorerHandler.class);
    private static final Pattern EXPLORATION = Pattern.compile(
            "/api/explorations/([0-9a-f]{32})(/picture\\.png|/gradcam|/report\\.zip|/layers/(\\d{1,4})(|/levels\\.png|/channels/(\\d{1,5})))");
    /** Pages are inline and data is per picture: nothing may load from elsewhere. */
    private static final String CONTENT_SECURITY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
            + " img-src 'self' data: blob:; connect-src 'self' data:; base-uri 'none'; form-action 'none'";

    private final Explorer explorer;
    private final ExplorationCache cache;
    private final ImageLoader loader;
    private final long maxUploadBytes;
    private final Semaphore passes;
    private final byte[] page;
    /** The model's description (its 1000 class names, say): made once, for the page and for /api/model. */
    private final String modelJson;
    /**
     * Makes the other layers' views after an upload, so that a layer switch finds its view made;
     * at the lowest priority, as a hint that an upload's own pass comes first.
     */
    @SuppressWarnings("ThreadPriorityCheck")
    private final ExecutorService ahead = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cnnsee-serve-layers");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });

    ExplorerHandler(Explorer explorer, ExplorationCache cache, ImageLoader loader, long maxUploadBytes, int concurrentPasses) {
        this.explorer = explorer;
        this.cache = cache;
        this.loader = loader;
        this.maxUploadBytes = maxUploadBytes;
        this.passes = new Semaphore(concurrentPasses, true);
        this.modelJson = explorer.modelJson();
        this.page = ExplorerPage.server(modelJson).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        try {
            if (path.equals("/") || path.equals("/index.html")) {
                requireMethod(method, "GET");
                response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY);
                return send(response, callback, HttpStatus.OK_200, "text/html; charset=utf-8", page);
            }
            if (path.equals("/api/model")) {
                requireMethod(method, "GET");
                return json(response, callback, HttpStatus.OK_200, modelJson);
            }
            if (path.equals("/api/explorations")) {
                requireMethod(method, "POST");
                StringBuilder timing = new StringBuilder();
                Exploration e = upload(request, timing);
                long explored = System.nanoTime();
                String summary = e.json();
                // The first layer comes with the answer: one round trip less before the page shows tiles,
                // and the page has it even if other uploads push this one out of the cache meanwhile.
                String first = e.layer(0).jsonWithLevels(0);
                // What the page waited for, for the browser's developer tools and the latency benchmark.
                response.getHeaders().put("Server-Timing", timing.append(String.format(Locale.ROOT, "layer;dur=%.1f",
                        (System.nanoTime() - explored) / 1e6)).toString());
                return json(response, callback, HttpStatus.CREATED_201, summary.substring(0, summary.length() - 1)
                        + ",\"firstLayer\":" + first + "}");
            }
            Matcher m = EXPLORATION.matcher(path);
            if (!m.matches()) {
                return error(response, callback, HttpStatus.NOT_FOUND_404, "Nothing here: " + path);
            }
            requireMethod(method, "GET");
            Optional<Exploration> found = cache.get(m.group(1));
            if (found.isEmpty()) {
                return error(response, callback, HttpStatus.NOT_FOUND_404, "This picture's inspection is no longer kept"
                        + " (the server keeps the last " + cache.capacity() + "): upload the picture again");
            }
            Exploration e = found.get();
            String what = m.group(2);
            if (what.equals("/picture.png")) {
                return send(response, callback, HttpStatus.OK_200, "image/png", Png.encode(e.picture()));
            }
            if (what.equals("/gradcam")) {
                Fields query = Request.extractQueryParameters(request);
                int classIndex = number(query.getValue("class"), "class");
                String layer = query.getValue("layer");
                int layerIndex = layer == null ? e.layerCount() - 1 : number(layer, "layer");
                String camName = query.getValue("method");
                CamMethod cam = camName == null ? CamMethod.GRAD_CAM : CamMethod.builtIn(camName);
                return json(response, callback, HttpStatus.OK_200, withPass(() -> explorer.cam(e, classIndex, layerIndex, cam)).json());
            }
            if (what.equals("/report.zip")) {
                byte[] zip = withPass(() -> ReportZip.of(explorer.inspection(e), "cnnsee-report"));
                response.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"cnnsee-report.zip\"");
                return send(response, callback, HttpStatus.OK_200, "application/zip", zip);
            }
            int layer = Integer.parseInt(m.group(3));
            LayerView view = e.layer(layer);
            if (m.group(4).isEmpty()) {
                return json(response, callback, HttpStatus.OK_200, view.json(layer));
            }
            if (m.group(4).equals("/levels.png")) {
                return send(response, callback, HttpStatus.OK_200, "image/png", view.levelsPng());
            }
            int channel = Integer.parseInt(m.group(5));
            if (channel >= view.channels()) {
                return error(response, callback, HttpStatus.NOT_FOUND_404, "Layer " + view.tap().layerName() + " has channels 0 to "
                        + (view.channels() - 1) + ", not " + channel);
            }
            float[] values = e.map(layer).channel(channel).toArray();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            return send(response, callback, HttpStatus.OK_200, "application/octet-stream", bytes.array());
        } catch (Refused r) {
            return error(response, callback, r.status, r.getMessage());
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            return error(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
        } catch (Exception | OutOfMemoryError e) {
            LOG.error("Request {} {} failed", method, path, e);
            return error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "The server failed: " + e
                    + " (its log has the details)");
        }
    }

    /** Reads the upload (within the byte limit), decodes it (within the loader's pixel limit) and explores it. */
    private Exploration upload(Request request, StringBuilder timing) throws IOException, InterruptedException {
        String name = fileName(request.getHeaders().get("X-File-Name"));
        long length = request.getLength();
        if (length > maxUploadBytes) {
            throw new Refused(HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge(name, length));
        }
        long start = System.nanoTime();
        byte[] bytes;
        try (InputStream in = Request.asInputStream(request)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxUploadBytes + 1));
        }
        if (bytes.length > maxUploadBytes) {
            throw new Refused(HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge(name, -1));
        }
        long[] times = new long[3];
        times[0] = System.nanoTime() - start;
        Exploration e = withPass(() -> {
            long t0 = System.nanoTime();
            BufferedImage image = loader.read(new ByteArrayInputStream(bytes), name);
            long t1 = System.nanoTime();
            Exploration explored = explorer.explore(image, name);
            times[1] = t1 - t0;
            times[2] = System.nanoTime() - t1;
            return explored;
        });
        timing.append(String.format(Locale.ROOT, "read;dur=%.1f, decode;dur=%.1f, pass;dur=%.1f, ",
                times[0] / 1e6, times[1] / 1e6, times[2] / 1e6));
        cache.put(e);
        LOG.info("Explored {} ({} bytes) as {}", name, bytes.length, e.id());
        ahead.execute(() -> {
            for (int i = 1; i < e.layerCount() && cache.get(e.id()).isPresent(); i++) {
                e.layer(i);
            }
        });
        return e;
    }

    /** Stops making views ahead. */
    void close() {
        ahead.shutdownNow();
    }

    private String tooLarge(String name, long length) {
        return "Picture " + name + " is " + (length < 0 ? "larger than " + megabytes(maxUploadBytes) : megabytes(length))
                + "; this server takes pictures of at most " + megabytes(maxUploadBytes)
                + " (cnnsee serve --max-upload-mb)";
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** The name the page sent, for messages and the report only: its last path part, printable, at most 120 characters. */
    static String fileName(String header) {
        if (header == null || header.isBlank()) {
            return "upload";
        }
        String name;
        try {
            name = URLDecoder.decode(header, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            name = header;
        }
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1)
                .replaceAll("\\p{Cntrl}", "").strip();
        if (name.isEmpty()) {
            return "upload";
        }
        return name.length() > 120 ? name.substring(0, 120) : name;
    }

    private <T> T withPass(Pass<T> pass) throws IOException, InterruptedException {
        passes.acquire();
        try {
            return pass.run();
        } finally {
            passes.release();
        }
    }

    private interface Pass<T> {
        T run() throws IOException;
    }

    private static int number(String value, String what) {
        if (value == null || !value.matches("\\d{1,6}")) {
            throw new IllegalArgumentException("The " + what + " must be a number, was " + (value == null ? "missing" : "'" + value + "'"));
        }
        return Integer.parseInt(value);
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new Refused(HttpStatus.METHOD_NOT_ALLOWED_405, method + " is not allowed here; use " + expected);
        }
    }

    private static boolean json(Response response, Callback callback, int status, String json) {
        return send(response, callback, status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean error(Response response, Callback callback, int status, String message) {
        return json(response, callback, status, new Json().object().name("error").value(message).end().toString());
    }

    private static boolean send(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** A request refused with its own status. */
    private static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
