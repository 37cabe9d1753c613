package io.cnnsee.serve;

import io.cnnsee.CamMethod;
import io.cnnsee.ImageLoader;
import io.cnnsee.explore.Exploration;
import io.cnnsee.explore.Explorer;
import io.cnnsee.explore.ExplorerPage;
import io.cnnsee.explore.LayerView;
import io.cnnsee.render.Png;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
            "/api/explorations/([0-9a-f]{32})(/picture\\.png|/gradcam|/report\\.zip|/layers/(\\d+)(|/levels\\.png|/channels/(\\d+)))");
    /** Pages are inline and data is per picture: nothing may load from elsewhere. */
    private static final String CONTENT_SECURITY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
            + " img-src 'self' data: blob:; connect-src 'self' data:; base-uri 'none'; form-action 'none'";
    /** The picture the start page offers to show what the explorer does: Chelsea the cat, CC0 (README.md beside it). */
    private static final byte[] SAMPLE = sample();

    private final Explorer explorer;
    private final ExplorationCache cache;
    private final ImageLoader loader;
    private final PixelLimit pixels;
    private final UploadLimits limits;
    private final UploadBudget budget;
    private final Passes passes;
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

    ExplorerHandler(Explorer explorer, ExplorationCache cache, ImageLoader loader, UploadLimits limits, UploadBudget budget,
            Passes passes) {
        this.explorer = explorer;
        this.cache = cache;
        this.loader = loader;
        this.pixels = new PixelLimit(loader.maxPixels());
        this.limits = limits;
        this.budget = budget;
        this.passes = passes;
        this.modelJson = explorer.modelJson();
        this.page = ExplorerPage.server(modelJson).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        return answer(request, response, callback, () -> route(request, response, callback));
    }

    /** Sends what {@code route} answers, or its failure as a message: a refusal with its status, a bad argument as 400. */
    private static boolean answer(Request request, Response response, Callback callback, Route route) {
        try {
            return route.answer();
        } catch (Refused r) {
            return Replies.refused(response, callback, r);
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            return Replies.error(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
        } catch (Exception | OutOfMemoryError e) {
            LOG.error("Request {} {} failed", request.getMethod(), Request.getPathInContext(request), e);
            return Replies.error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "The server failed: " + e
                    + " (its log has the details)");
        }
    }

    private interface Route {
        boolean answer() throws Exception;
    }

    private boolean route(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (path.equals("/") || path.equals("/index.html")) {
            requireMethod(method, "GET");
            response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY);
            return Replies.send(response, callback, HttpStatus.OK_200, "text/html; charset=utf-8", page);
        }
        if (path.equals("/sample.jpg")) {
            requireMethod(method, "GET");
            return Replies.send(response, callback, HttpStatus.OK_200, "image/jpeg", SAMPLE);
        }
        if (path.equals("/api/model")) {
            requireMethod(method, "GET");
            return Replies.json(response, callback, HttpStatus.OK_200, modelJson);
        }
        if (path.equals("/api/explorations")) {
            requireMethod(method, "POST");
            return receive(request, response, callback);
        }
        Matcher m = EXPLORATION.matcher(path);
        if (!m.matches()) {
            return Replies.error(response, callback, HttpStatus.NOT_FOUND_404, "Nothing here: " + path);
        }
        requireMethod(method, "GET");
        String id = m.group(1);
        Exploration e = cache.get(id).orElseThrow(() -> missing(id));
        String what = m.group(2);
        if (what.equals("/picture.png")) {
            return Replies.send(response, callback, HttpStatus.OK_200, "image/png", Png.encode(e.picture()));
        }
        if (what.equals("/gradcam")) {
            Fields query = Request.extractQueryParameters(request);
            // A model that does not classify has no classes to count: the explorer says it cannot.
            int classIndex = explorer.classCount() == 0 ? 0 : Indices.of(query.getValue("class"), "Class",
                    explorer.classCount(), explorer.model().name() + " has " + explorer.classCount() + " classes");
            String layer = query.getValue("layer");
            int layerIndex = layer == null ? explorer.defaultCamLayer() : layer(e, layer);
            String camName = query.getValue("method");
            CamMethod cam = camName == null ? CamMethod.GRAD_CAM : CamMethod.builtIn(camName);
            return Replies.json(response, callback, HttpStatus.OK_200,
                    passes.run(() -> explorer.cam(e, classIndex, layerIndex, cam)).json());
        }
        if (what.equals("/report.zip")) {
            byte[] zip = passes.run(() -> ReportZip.of(explorer.inspection(e), "cnnsee-report"));
            response.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"cnnsee-report.zip\"");
            return Replies.send(response, callback, HttpStatus.OK_200, "application/zip", zip);
        }
        int layer = layer(e, m.group(3));
        LayerView view = e.layer(layer);
        if (m.group(4).isEmpty()) {
            return Replies.json(response, callback, HttpStatus.OK_200, view.json(layer));
        }
        if (m.group(4).equals("/levels.png")) {
            return Replies.send(response, callback, HttpStatus.OK_200, "image/png", view.levelsPng());
        }
        int channel = Indices.of(m.group(5), "Channel", view.channels(), "layer " + view.tap().layerName() + " has "
                + view.channels() + " channels");
        float[] values = e.map(layer).channel(channel).toArray();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return Replies.send(response, callback, HttpStatus.OK_200, "application/octet-stream", bytes.array());
    }

    private static int layer(Exploration e, String value) {
        return Indices.of(value, "Layer", e.layerCount(), "the picture was explored at " + e.layerCount() + " layers");
    }

    /** Why there is no exploration {@code id}: dropped for newer ones, or never made here. */
    private Refused missing(String id) {
        String again = ": upload the picture again";
        return switch (cache.absence(id)) {
            case DROPPED -> new Refused(HttpStatus.GONE_410, "This picture's inspection is no longer kept (the server keeps"
                    + " the last " + cache.capacity() + ")" + again);
            case UNKNOWN -> new Refused(HttpStatus.NOT_FOUND_404, "No picture has id " + id + ": this server never gave it"
                    + " (was it restarted?)" + again);
            case UNKNOWN_OR_DROPPED -> new Refused(HttpStatus.NOT_FOUND_404, "No picture with id " + id + " is here: the id"
                    + " is unknown or no longer kept (the server keeps the last " + cache.capacity() + ")" + again);
        };
    }

    /**
     * Starts reading an upload; its answer is sent when the body has come (a thread then decodes
     * and explores it) or when it is refused. No thread waits for the body meanwhile.
     */
    private boolean receive(Request request, Response response, Callback callback) {
        long length = request.getLength();
        if (length > limits.maxBytes()) {
            String name = PictureUpload.fileName(PictureUpload.decoded(request.getHeaders().get("X-File-Name")));
            throw new Refused(HttpStatus.PAYLOAD_TOO_LARGE_413, "Picture " + name + " is " + UploadReader.megabytes(length)
                    + "; this server takes pictures of at most " + UploadReader.megabytes(limits.maxBytes())
                    + " (cnnsee serve --max-upload-mb)");
        }
        String from = Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request);
        new UploadReader(request, budget, limits, new UploadReader.Listener() {
            @Override
            public void arrived(UploadReader.Body body) {
                answer(request, response, callback, () -> {
                    try (body) {
                        return explored(request, response, callback, body);
                    }
                });
            }

            @Override
            public void refused(Refused why) {
                // The rest of the body is not read: the connection ends with the answer.
                LOG.info("Upload from {} refused: {}", from, why.getMessage());
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                Replies.refused(response, callback, why);
            }

            @Override
            public void gone(String why) {
                // The client's doing, not the server's: one line, and no answer to a closed connection.
                LOG.info("Upload from {} ended early: {}", from, why);
                callback.failed(new EofException("The client went away: " + why));
            }
        }).start();
        return true;
    }

    /** Decodes the upload (within the pixel limit) and explores it. */
    private boolean explored(Request request, Response response, Callback callback, UploadReader.Body body)
            throws IOException, InterruptedException {
        PictureUpload upload = PictureUpload.of(request.getHeaders().get(HttpHeader.CONTENT_TYPE),
                request.getHeaders().get("X-File-Name"), body);
        String name = upload.name();
        pixels.check(upload.stream(), name);
        long[] times = new long[3];
        times[0] = System.nanoTime() - request.getBeginNanoTime();
        Exploration e = passes.run(() -> {
            long t0 = System.nanoTime();
            BufferedImage image;
            try (body) {
                image = loader.read(upload.stream(), name);
            }
            long t1 = System.nanoTime();
            Exploration explored = explorer.explore(image, name);
            times[1] = t1 - t0;
            times[2] = System.nanoTime() - t1;
            return explored;
        });
        cache.put(e);
        LOG.info("Explored {} ({} bytes) as {}", name, upload.size(), e.id());
        ahead.execute(() -> {
            for (int i = 1; i < e.layerCount() && cache.get(e.id()).isPresent(); i++) {
                e.layer(i);
            }
        });
        long explored = System.nanoTime();
        String summary = e.json();
        // The first layer comes with the answer: one round trip less before the page shows tiles,
        // and the page has it even if other uploads push this one out of the cache meanwhile.
        String first = e.layer(0).jsonWithLevels(0);
        // What the page waited for, for the browser's developer tools and the latency benchmark.
        response.getHeaders().put("Server-Timing", String.format(Locale.ROOT,
                "read;dur=%.1f, decode;dur=%.1f, pass;dur=%.1f, layer;dur=%.1f", times[0] / 1e6, times[1] / 1e6,
                times[2] / 1e6, (System.nanoTime() - explored) / 1e6));
        return Replies.json(response, callback, HttpStatus.CREATED_201, summary.substring(0, summary.length() - 1)
                + ",\"firstLayer\":" + first + "}");
    }

    /** Stops making views ahead. */
    void close() {
        ahead.shutdownNow();
    }

    private static byte[] sample() {
        try (InputStream in = ExplorerHandler.class.getResourceAsStream("sample.jpg")) {
            if (in == null) {
                throw new IllegalStateException("The explorer's sample.jpg is missing from cnnsee-serve's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the explorer's sample.jpg", e);
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new Refused(HttpStatus.METHOD_NOT_ALLOWED_405, method + " is not allowed here; use " + expected);
        }
    }
}
