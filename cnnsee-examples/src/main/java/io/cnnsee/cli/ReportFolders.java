package io.cnnsee.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Folder names for reports: always one plain name inside the output folder, whatever the picture is called. */
final class ReportFolders {

    private ReportFolders() {
    }

    /** {@code chelsea} for {@code images/chelsea.png}; unusual characters become {@code _}. */
    static String nameFor(Path image) {
        String name = String.valueOf(image.getFileName());
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            name = name.substring(0, dot);
        }
        name = name.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[._]+", "");
        return name.isEmpty() ? "image" : name.toLowerCase(Locale.ROOT).equals("index") ? "index_" : name;
    }

    /** {@code name}, or {@code name-2}, {@code name-3} ... if taken; records the one returned. */
    static String unique(String name, Set<String> taken) {
        String candidate = name;
        for (int i = 2; !taken.add(candidate); i++) {
            candidate = name + "-" + i;
        }
        return candidate;
    }
}
