package io.cnnsee.report;

import io.cnnsee.files.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** The page that links the reports of several pictures: {@value #FILE} in the folder above them. */
public final class ReportIndex {

    /** The index's file name. */
    public static final String FILE = "index.html";

    /** One report: its page and the picture's name. */
    public record Entry(Path report, String name) {
        public Entry {
            Objects.requireNonNull(report, "report");
            Objects.requireNonNull(name, "name");
        }
    }

    private ReportIndex() {
    }

    /**
     * Writes the index of {@code reports}, which lie under {@code folder}, titled after the model;
     * returns its path.
     */
    public static Path write(Path folder, String modelName, List<Entry> reports) throws IOException {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(modelName, "modelName");
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<title>cnnsee reports</title>\n<style>body{font-family:system-ui,sans-serif;max-width:48rem;"
                + "margin:2rem auto;padding:0 1rem}</style>\n</head>\n<body>\n<h1>What " + Html.escape(modelName)
                + " sees</h1>\n<ul>\n");
        Path base = folder.toAbsolutePath().normalize();
        for (Entry e : reports) {
            String link = base.relativize(e.report().toAbsolutePath().normalize()).toString().replace('\\', '/');
            h.append("<li><a href=\"").append(Html.escape(link)).append("\">").append(Html.escape(e.name()))
                    .append("</a></li>\n");
        }
        h.append("</ul>\n</body>\n</html>\n");
        Path index = folder.resolve(FILE);
        AtomicFiles.write(index, h.toString().getBytes(StandardCharsets.UTF_8));
        return index;
    }
}
