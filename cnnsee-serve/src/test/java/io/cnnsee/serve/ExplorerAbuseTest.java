package io.cnnsee.serve;

import io.cnnsee.dl4j.Dl4jModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The explorer against clients that misbehave, on bare sockets against the real server: bodies
 * shorter than they say, clients that leave halfway or send a byte at a time, other sites' Host
 * names, uploads past the budget of bytes in flight. Each is answered, or logged, in one line.
 */
class ExplorerAbuseTest {

    @TempDir
    static Path dir;
    static Dl4jModel model;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void load() throws Exception {
        model = ColourNetwork.model(dir);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static String upload(int port, long length) {
        return RawHttp.head("POST /api/explorations HTTP/1.1", "Host: 127.0.0.1:" + port, "X-File-Name: cut.png",
                "Content-Type: image/png", "Content-Length: " + length);
    }

    /** Lines a quiet log may not have: errors, warnings, stack traces. */
    static void assertQuiet(LogCapture log) {
        assertThat(log.lines()).noneMatch(l -> l.contains("ERROR") || l.contains("WARN") || l.startsWith("\tat ")
                || l.contains("Exception:"));
    }

    @Test
    void aBodyShorterThanItsLengthIsAnswered408SoonAndLoggedInOneLine() throws Exception {
        // The default stall is well under Jetty's idle timeout, which answered 500 after 30 s.
        assertThat(UploadLimits.DEFAULT_STALL.toMillis()).isEqualTo(10_000).isLessThan(ExplorerServer.IDLE_TIMEOUT_MS);
        try (ExplorerServer server = ExplorerServer.builder(model).port(0)
                .uploadTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), 1).start();
             LogCapture log = new LogCapture();
             RawHttp client = new RawHttp(server.port())) {
            long start = System.nanoTime();
            String answer = client.send(upload(server.port(), 1000)).send(new byte[100]).answer(Duration.ofSeconds(10));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(RawHttp.status(answer)).as(answer).isEqualTo(408);
            assertThat(answer).contains("The upload stopped: 100 of 1000 bytes came, then nothing for 1 s. Send the picture again")
                    .containsIgnoringCase("Connection: close");
            assertThat(seconds).isLessThan(5);
            assertThat(log.lines()).filteredOn(l -> l.contains("Upload from")).singleElement().asString()
                    .contains("INFO").contains("refused: The upload stopped");
            assertQuiet(log);
        }
    }

    /** Past its connections the server stops accepting until one closes: clients that send nothing hold no more. */
    @Test
    void pastItsConnectionsTheServerWaitsForOneToClose() throws Exception {
        try (ExplorerServer server = ExplorerServer.builder(model).port(0).maxConnections(3).start()) {
            java.util.List<RawHttp> silent = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    silent.add(new RawHttp(server.port()));
                }
                Thread.sleep(500); // accepted by then
                try (RawHttp fourth = new RawHttp(server.port())) {
                    fourth.send(RawHttp.head("GET / HTTP/1.1", "Host: 127.0.0.1:" + server.port(), "Connection: close"));
                    assertThat(fourth.answer(Duration.ofSeconds(1))).as("not accepted while 3 are open").isEmpty();
                    silent.remove(0).close();
                    String answer = fourth.answer(Duration.ofSeconds(10));
                    assertThat(RawHttp.status(answer)).as(answer).isEqualTo(200);
                }
            } finally {
                for (RawHttp r : silent) {
                    r.close();
                }
            }
        }
        assertThatThrownBy(() -> ExplorerServer.builder(model).maxConnections(0)).hasMessage("At least 1 connection, was 0");
    }

    @Test
    void aClientLeavingHalfwayIsOneQuietLineAndTheServerGoesOn() throws Exception {
        try (ExplorerServer server = ExplorerServer.builder(model).port(0).start(); LogCapture log = new LogCapture()) {
            for (int i = 0; i < 5; i++) {
                try (RawHttp client = new RawHttp(server.port())) {
                    client.send(upload(server.port(), 100_000)).send(new byte[1000]);
                }
            }
            await(() -> log.lines().stream().filter(l -> l.contains("ended early")).count() >= 5);
            assertThat(log.lines()).filteredOn(l -> l.contains("ended early")).hasSize(5)
                    .allMatch(l -> l.contains("INFO") && l.contains("it broke off after 1000 of 100000 bytes"));
            assertQuiet(log);
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(server.uri()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anUploadTricklingAByteAtATimeIsCut() throws Exception {
        try (ExplorerServer server = ExplorerServer.builder(model).port(0)
                .uploadTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), 1000).start();
             RawHttp client = new RawHttp(server.port())) {
            client.send(upload(server.port(), 1000));
            ExecutorService trickle = Executors.newSingleThreadExecutor();
            try {
                var unused = trickle.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        client.send(new byte[1]);
                        Thread.sleep(200);
                    }
                    return null;
                });
                String answer = client.answer(Duration.ofSeconds(4));
                assertThat(RawHttp.status(answer)).as(answer).isEqualTo(408);
                assertThat(answer).contains("The upload is too slow:").contains("this server needs at least 1000 bytes a second"
                        + " after the first 1 s");
            } finally {
                trickle.shutdownNow();
            }
        }
    }

    @Test
    void onLoopbackOnlyLoopbackNamesAreAnswered() throws Exception {
        try (ExplorerServer server = ExplorerServer.builder(model).port(0).start()) {
            int port = server.port();
            for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "LOCALHOST", "localhost:9000")) {
                assertThat(RawHttp.status(get(port, "Host: " + host))).as(host).isEqualTo(200);
            }
            for (String host : List.of("evil.example", "evil.example:" + port, "127.0.0.1.evil.example:" + port, "192.168.1.20:" + port)) {
                String answer = get(port, "Host: " + host);
                assertThat(RawHttp.status(answer)).as(host).isEqualTo(421);
                assertThat(answer).contains("This explorer answers only to 127.0.0.1, [::1], localhost, not to '" + host
                        + "': open it as http://127.0.0.1:" + port + "/ on this machine");
            }
            try (RawHttp client = new RawHttp(port)) {
                String upload = client.send(RawHttp.head("POST /api/explorations HTTP/1.1", "Host: evil.example:" + port,
                        "Content-Length: 3")).send("abc").answer(Duration.ofSeconds(5));
                assertThat(RawHttp.status(upload)).isEqualTo(421);
            }
            try (RawHttp client = new RawHttp(port)) {
                assertThat(RawHttp.status(client.send(RawHttp.head("GET / HTTP/1.0")).answer(Duration.ofSeconds(5)))).isEqualTo(421);
            }
        }
    }

    /** Bound to another loopback address (Debian gives a machine's name 127.0.1.1), its own URL is answered. */
    @Test
    void boundToAnotherLoopbackAddressItsOwnUrlIsAnswered() throws Exception {
        try (ExplorerServer server = ExplorerServer.builder(model).host("127.0.1.1").port(0).start();
             RawHttp own = new RawHttp(java.net.InetAddress.getByName("127.0.1.1"), server.port());
             RawHttp evil = new RawHttp(java.net.InetAddress.getByName("127.0.1.1"), server.port())) {
            assertThat(server.uri().toString()).isEqualTo("http://127.0.1.1:" + server.port() + "/");
            String page = own.send(RawHttp.head("GET / HTTP/1.1", "Host: 127.0.1.1:" + server.port(), "Connection: close"))
                    .answer(Duration.ofSeconds(5));
            assertThat(RawHttp.status(page)).as(page).isEqualTo(200);
            String refused = evil.send(RawHttp.head("GET / HTTP/1.1", "Host: evil.example", "Connection: close"))
                    .answer(Duration.ofSeconds(5));
            assertThat(RawHttp.status(refused)).isEqualTo(421);
            assertThat(refused).contains("open it as http://127.0.1.1:" + server.port() + "/ on this machine");
        }
    }

    @Test
    void openedToTheNetworkAddressesAndItsNamesAreAnswered() throws Exception {
        try (ExplorerServer server = ExplorerServer.builder(model).host("0.0.0.0").port(0).allowHost("explorer.lab").start()) {
            int port = server.port();
            for (String host : List.of("192.0.2.7:" + port, "[2001:db8::7]:" + port, "localhost:" + port, "explorer.lab:" + port)) {
                assertThat(RawHttp.status(get(port, "Host: " + host))).as(host).isEqualTo(200);
            }
            assertThat(RawHttp.status(get(port, "Host: evil.example:" + port))).isEqualTo(421);
        }
    }

    static String get(int port, String host) throws Exception {
        try (RawHttp client = new RawHttp(port)) {
            return client.send(RawHttp.head("GET / HTTP/1.1", host, "Connection: close")).answer(Duration.ofSeconds(5));
        }
    }

    @Test
    void uploadsInFlightHoldNoMoreThanTheirBudget() throws Exception {
        try (ExplorerServer server = ExplorerServer.builder(model).port(0).maxUploadBytes(1_000_000)
                .uploadBudgetBytes(2_500_000).start()) {
            UploadBudget budget = server.uploadBudget();
            try (RawHttp first = new RawHttp(server.port());
                 RawHttp second = new RawHttp(server.port());
                 RawHttp third = new RawHttp(server.port())) {
                first.send(upload(server.port(), 1_000_000)).send(new byte[900_000]);
                await(() -> budget.held() >= 900_000);
                second.send(upload(server.port(), 1_000_000)).send(new byte[900_000]);
                await(() -> budget.held() >= 1_800_000);
                // The third passes the budget as its bytes come: refused at once, and told when to try again.
                String answer = third.send(upload(server.port(), 1_000_000)).send(new byte[600_000]).answer(Duration.ofSeconds(5));
                assertThat(RawHttp.status(answer)).as(answer).isEqualTo(503);
                assertThat(answer).contains("Retry-After: 5").contains("The server is busy: uploads in flight hold 2.5 MB, all"
                        + " it gives them; try again in a few seconds");
                assertThat(budget.peak()).isLessThanOrEqualTo(2_500_000);
            }
            // Clients that leave give their bytes back.
            await(() -> budget.held() == 0);
        }
    }

    static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waited 10 s").isLessThan(end);
            Thread.sleep(10);
        }
    }
}
