package io.cnnsee.serve;

import io.cnnsee.Inspection;
import io.cnnsee.report.ReportWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** A report as one download: written into a temporary folder, zipped under a folder of its own, the folder deleted. */
final class ReportZip {

    private ReportZip() {
    }

    static byte[] of(Inspection inspection, String folderName) throws IOException {
        Path dir = Files.createTempDirectory("cnnsee-report-");
        try {
            ReportWriter.write(inspection, dir);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    zip.putNextEntry(new ZipEntry(folderName + "/" + file.getFileName()));
                    Files.copy(file, zip);
                    zip.closeEntry();
                }
            }
            return bytes.toByteArray();
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
                for (Path p : all) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
