package io.cnnsee.explore;

import io.cnnsee.render.Colormap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The explorer's one page, put together from the HTML, style and script in this package's
 * resources: every byte the browser needs is in the page or beside it, nothing is fetched from the
 * internet, so it works offline and in a report folder opened from disk.
 */
public final class ExplorerPage {

    /** The file the offline page reads its data from, beside it. */
    public static final String DATA_FILE = "explore-data.js";

    private static final String TEMPLATE = resource("explorer.html")
            .replace("/*STYLE*/", resource("explorer.css"))
            .replace("/*SCRIPT*/", resource("explorer.js"));
    private static final String COLORMAPS = colormaps();

    private ExplorerPage() {
    }

    /** The page {@code cnnsee serve} sends: it asks the server for everything, given the model's description. */
    public static String server(String modelJson) {
        return TEMPLATE.replace("<!--INIT-->", "<script>window.CNNSEE_INIT = {\"mode\": \"server\", \"model\": "
                + modelJson + "};</script>");
    }

    /** The page written into a report folder: it reads {@value #DATA_FILE} beside it. */
    public static String offline() {
        return TEMPLATE.replace("<!--INIT-->", "<script src=\"" + DATA_FILE + "\"></script>");
    }

    /** {@code png} as a {@code data:} URL: how pictures travel inside the page's JSON and its offline data. */
    public static String dataUri(byte[] png) {
        return "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png);
    }

    /** Every built-in colormap as {@code {"name": "rrggbb" x 256}}: the same entries the Java renderer uses. */
    static String colormapsJson() {
        return COLORMAPS;
    }

    private static String colormaps() {
        Json j = new Json().object();
        for (Colormap map : Colormap.builtIns()) {
            StringBuilder hex = new StringBuilder(Colormap.SIZE * 6);
            for (int i = 0; i < Colormap.SIZE; i++) {
                hex.append(String.format(Locale.ROOT, "%06x", map.rgb(i)));
            }
            j.name(map.name()).value(hex.toString());
        }
        return j.end().toString();
    }

    private static String resource(String name) {
        try (InputStream in = ExplorerPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("The explorer's " + name + " is missing from cnnsee-api's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the explorer's " + name, e);
        }
    }
}
