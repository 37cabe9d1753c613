package io.cnnsee.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.cnnsee.cli.CnnseeCliTest.cnnsee;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code cnnsee serve}: the explorer started from the command line on a user's model, and what stops it from starting. */
class ServeCliTest {

    @TempDir
    static Path dir;

    @Test
    void servesTheExplorerOfAUsersModel() throws Exception {
        Path zip = ModelChoiceCliTest.saveModelTo(dir);
        ServeCommand command = new ServeCommand();
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String labels = ModelChoiceCliTest.labelsIn(dir).toString();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--model", zip.toString(), "--input", "unit", "--input-size", "32x32",
                "--labels", labels, "--port", "0", "--allow-host", "cnnsee.local", "--max-megapixels", "1"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (command.started == null && !exit.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(command.started).as(err.toString()).isNotNull();
        try {
            URI uri = command.started.uri();
            assertThat(uri.getHost()).isEqualTo("127.0.0.1");
            HttpClient http = HttpClient.newHttpClient();
            String page = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(page).contains("cnnsee explorer", "\"name\":\"mine.zip\"", "\"classes\":[\"cat\",\"dog\",\"teapot\"]");
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", png);
            HttpResponse<String> explored = http.send(HttpRequest.newBuilder(uri.resolve("api/explorations"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(explored.statusCode()).as(explored.body()).isEqualTo(201);
            assertThat(explored.body()).contains("\"name\":\"conv_a\"", "\"name\":\"pool_a\"", "\"name\":\"conv_b\"",
                    "\"width\":40,\"height\":30");
            ByteArrayOutputStream large = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(1001, 1000, BufferedImage.TYPE_BYTE_BINARY), "png", large);
            HttpResponse<String> tooLarge = http.send(HttpRequest.newBuilder(uri.resolve("api/explorations"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(large.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(tooLarge.statusCode()).as(tooLarge.body()).isEqualTo(413);
            assertThat(tooLarge.body()).contains("1001 x 1000");
            assertThat(statusFor(uri, "cnnsee.local:" + uri.getPort())).isEqualTo("HTTP/1.1 200 OK");
            assertThat(statusFor(uri, "evil.example")).startsWith("HTTP/1.1 421");
        } finally {
            command.started.close();
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("Explorer of mine.zip at http://127.0.0.1:");
    }

    /** The status line of GET / naming {@code host}, which java.net.http does not let a caller set. */
    static String statusFor(URI uri, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void aTakenPortIsSaidPlainly() throws Exception {
        Path zip = ModelChoiceCliTest.saveModelTo(dir);
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CnnseeCliTest.Run run = cnnsee("serve", "--model", zip.toString(), "--input", "unit", "--input-size", "32x32", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("cnnsee: cannot listen on 127.0.0.1:" + taken.getLocalPort(),
                    "Choose another port with --port");
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        CnnseeCliTest.Run run = cnnsee("serve", "--port", "70000");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--port must be 0 to 65535, was 70000");
        CnnseeCliTest.Run huge = cnnsee("serve", "--max-upload-mb", "3000");
        assertThat(huge.exitCode()).isEqualTo(2);
        assertThat(huge.err()).contains("--max-upload-mb must be at most 2147, was 3000");
    }
}
