package io.cnnsee.report;

import java.nio.file.Path;
import java.util.List;

/**
 * The files of a written report.
 *
 * @param directory the folder holding them
 * @param html      {@code report.html}
 * @param markdown  {@code report.md}
 * @param images    the PNG files both show, the original picture first
 */
public record Report(Path directory, Path html, Path markdown, List<Path> images) {

    public Report {
        images = List.copyOf(images);
    }
}
