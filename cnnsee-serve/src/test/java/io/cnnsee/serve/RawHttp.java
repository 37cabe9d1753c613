package io.cnnsee.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client on a bare socket, for what HTTP libraries never send: a body shorter than its
 * Content-Length, a byte every few seconds, a connection dropped halfway, any Host.
 */
final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;

    RawHttp(int port) throws IOException {
        this(InetAddress.getLoopbackAddress(), port);
    }

    RawHttp(InetAddress address, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(address, port), 5_000);
        out = socket.getOutputStream();
    }

    /** The head of a request, with the blank line that ends it. */
    static String head(String requestLine, String... headers) {
        return requestLine + "\r\n" + String.join("\r\n", headers) + (headers.length > 0 ? "\r\n" : "") + "\r\n";
    }

    RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Everything the server sends until it closes the connection or stops sending for {@code wait}. */
    String answer(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                got.write(buffer, 0, n);
                if (complete(got.toString(StandardCharsets.ISO_8859_1))) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // what came is the answer, or nothing
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** A head and as many bytes of body as its Content-Length says. */
    private static boolean complete(String got) {
        int end = got.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\r\nContent-Length: *(\\d+)").matcher(got.substring(0, end));
        return m.find() && got.length() - end - 4 >= Integer.parseInt(m.group(1));
    }

    /** The status of an answer, 0 for none. */
    static int status(String answer) {
        return answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
