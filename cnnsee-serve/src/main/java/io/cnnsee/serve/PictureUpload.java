package io.cnnsee.serve;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Attributes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The picture in an upload's body and its name: the body itself, named by {@code X-File-Name} (as
 * the page sends it), or the file of a {@code multipart/form-data} form (as {@code curl -F
 * file=@cat.jpg} and HTML forms send it), named by its part's file name.
 */
record PictureUpload(String name, ByteBuffer bytes) {

    /** The form field a file is looked for first; any part with a file name does otherwise. */
    static final String FIELD = "file";

    static PictureUpload of(String contentType, String fileNameHeader, UploadReader.Body body) {
        ByteBuffer all = ByteBuffer.wrap(body.bytes(), 0, body.length());
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return new PictureUpload(fileName(decoded(fileNameHeader)), all);
        }
        String boundary = MultiPart.extractBoundary(contentType);
        if (boundary == null || boundary.isEmpty()) {
            throw new Refused(HttpStatus.BAD_REQUEST_400, "The form has no boundary in its Content-Type: send it as curl -F"
                    + " file=@picture.jpg does, or send the picture itself as the body");
        }
        // The whole body is in memory already: its parts stay there, never in files.
        MultiPartConfig config = new MultiPartConfig.Builder().maxParts(16).maxSize(body.length() + 1L)
                .maxPartSize(body.length() + 1L).maxMemoryPartSize(body.length() + 1L).build();
        try (MultiPartFormData.Parts parts = MultiPartFormData.getParts(Content.Source.from(all), new Attributes.Mapped(),
                contentType, config)) {
            MultiPart.Part file = parts.getFirst(FIELD);
            for (int i = 0; file == null && i < parts.size(); i++) {
                if (parts.get(i).getFileName() != null) {
                    file = parts.get(i);
                }
            }
            if (file == null) {
                throw new Refused(HttpStatus.BAD_REQUEST_400, "The form has no file: send the picture in a field called '"
                        + FIELD + "' (curl -F file=@picture.jpg)");
            }
            String name = file.getFileName() != null ? file.getFileName() : decoded(fileNameHeader);
            return new PictureUpload(fileName(name), Content.Source.asByteBuffer(file.getContentSource()));
        } catch (IOException | RuntimeException e) {
            if (e instanceof Refused refused) {
                throw refused;
            }
            Throwable cause = e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
            throw new Refused(HttpStatus.BAD_REQUEST_400, "The form cannot be read (" + cause.getMessage() + "): send it as"
                    + " curl -F file=@picture.jpg does, or send the picture itself as the body");
        }
    }

    /** The picture's bytes. */
    InputStream stream() {
        ByteBuffer b = bytes.slice();
        if (b.hasArray()) {
            return new ByteArrayInputStream(b.array(), b.arrayOffset(), b.remaining());
        }
        byte[] copy = new byte[b.remaining()];
        b.get(copy);
        return new ByteArrayInputStream(copy);
    }

    int size() {
        return bytes.remaining();
    }

    /** {@code X-File-Name} as the page sends it, URL-encoded (a header holds no other characters safely). */
    static String decoded(String header) {
        if (header == null) {
            return null;
        }
        try {
            return URLDecoder.decode(header, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return header;
        }
    }

    /** The name the client sent, for messages and the report only: its last path part, printable, at most 120 characters. */
    static String fileName(String sent) {
        if (sent == null || sent.isBlank()) {
            return "upload";
        }
        String name = sent.substring(Math.max(sent.lastIndexOf('/'), sent.lastIndexOf('\\')) + 1)
                .replaceAll("\\p{Cntrl}", "").strip();
        if (name.isEmpty()) {
            return "upload";
        }
        return name.length() > 120 ? name.substring(0, 120) : name;
    }
}
