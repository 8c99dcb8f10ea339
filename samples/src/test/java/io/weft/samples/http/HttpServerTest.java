package io.weft.samples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpStats;
import io.weft.samples.SampleLauncher;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP sample end to end: a real loop group, real sockets, the JDK's HttpClient and raw bytes.
 * These run against the callback style; {@link VirtualThreadHttpServerTest} runs them against the
 * blocking style.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

    private LoopGroup group;
    private SampleLauncher.Listener server;
    private HttpClient client;

    private InetSocketAddress start(HttpConfig config) throws IOException {
        group = LoopGroup.builder().size(2).name("http-test").poller("nio").build();
        server = listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config);
        return (InetSocketAddress) server.localAddress();
    }

    /** Starts the server under test: the callback style here. */
    SampleLauncher.Listener listen(LoopGroup group, InetSocketAddress address, HttpConfig config) throws IOException {
        return HttpServer.listen(group, address, config, HttpServer.defaultRouter());
    }

    private InetSocketAddress start() throws IOException {
        return start(HttpConfig.defaults());
    }

    private URI uri(InetSocketAddress address, String path) {
        return URI.create("http://127.0.0.1:" + address.getPort() + path);
    }

    @AfterEach
    void closeEverything() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.close();
            for (EventLoop loop : group) {
                assertThat(loop.isClosed()).isTrue();
                assertThat(TcpStats.of(loop).openConnections()).as("connections left open").isZero();
                assertThat(loop.stats().liveWatchers()).as("watchers left open").isZero();
            }
        }
    }

    @Test
    void answersHelloWorldToHttpClientOverOneKeptAliveConnection() throws Exception {
        InetSocketAddress address = start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = client.send(
                    java.net.http.HttpRequest.newBuilder(uri(address, "/")).build(), BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("Hello, World!");
            assertThat(response.headers().firstValue("content-type")).hasValue("text/plain");
            assertThat(response.headers().firstValue("content-length")).hasValue("13");
            assertThat(response.headers().firstValue("date")).isPresent();
        }
        long accepted = group.loops().stream().mapToLong(loop -> TcpStats.of(loop).acceptedConnections()).sum();
        assertThat(accepted).as("one connection, kept alive").isEqualTo(1);
    }

    @Test
    void answersHeadWithTheHeadersOfGetAndNoBody() throws Exception {
        InetSocketAddress address = start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(uri(address, "/"))
                .method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("content-length")).hasValue("13");
        try (RawHttp raw = new RawHttp(address)) {
            raw.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" + GET);
            RawHttp.Response head = raw.read(true);
            assertThat(head.header("content-length")).isEqualTo("13");
            assertThat(raw.read().body()).as("the next response starts right after the HEAD head").isEqualTo("Hello, World!");
        }
    }

    @Test
    void answers404ForUnknownPathsAnd405WithAllowForOtherMethods() throws Exception {
        InetSocketAddress address = start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> missing = client.send(
                java.net.http.HttpRequest.newBuilder(uri(address, "/missing")).build(), BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        HttpResponse<String> post = client.send(java.net.http.HttpRequest.newBuilder(uri(address, "/"))
                .POST(BodyPublishers.ofString("x".repeat(100_000))).build(), BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        HttpResponse<String> after = client.send(
                java.net.http.HttpRequest.newBuilder(uri(address, "/?after=post")).build(), BodyHandlers.ofString());
        assertThat(after.body()).as("the discarded body was not taken for a request").isEqualTo("Hello, World!");
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        InetSocketAddress address = start();
        try (RawHttp raw = new RawHttp(address)) {
            raw.send(GET + "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody"
                    + "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" + GET);
            assertThat(raw.read().status()).isEqualTo(200);
            assertThat(raw.read().status()).isEqualTo(404);
            assertThat(raw.read().status()).isEqualTo(405);
            assertThat(raw.read(true).status()).isEqualTo(200);
            assertThat(raw.read().body()).isEqualTo("Hello, World!");
        }
    }

    @Test
    void answersAHugePipelinedBatchWhileTheClientReadsSlowlyThenCloses() throws Exception {
        InetSocketAddress address = start();
        int requests = 20_000; // ~2.5 MB of responses: far above the write watermark, so reading must pause
        try (RawHttp raw = new RawHttp(address)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    byte[] one = GET.getBytes(StandardCharsets.US_ASCII);
                    OutputStream out = raw.output();
                    for (int i = 0; i < requests; i++) {
                        out.write(one);
                    }
                    out.flush();
                    raw.shutdownOutput(); // every request must still be answered before the server closes
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300); // let the server's queue fill up before reading anything
            for (int i = 0; i < requests; i++) {
                assertThat(raw.read().body()).isEqualTo("Hello, World!");
            }
            writer.get(30, TimeUnit.SECONDS);
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void parsesARequestArrivingInPieces() throws Exception {
        InetSocketAddress address = start();
        try (RawHttp raw = new RawHttp(address)) {
            String request = "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nabcdef" + GET;
            for (char c : request.toCharArray()) {
                raw.send(String.valueOf(c));
                if (c == '\n') {
                    Thread.sleep(5);
                }
            }
            assertThat(raw.read().status()).isEqualTo(405);
            assertThat(raw.read().body()).isEqualTo("Hello, World!");
        }
    }

    @Test
    void closesAfterAnsweringHttp10UnlessAskedToKeepAlive() throws Exception {
        InetSocketAddress address = start();
        try (RawHttp raw = new RawHttp(address)) {
            RawHttp.Response response = raw.send("GET / HTTP/1.0\r\n\r\n").read();
            assertThat(response.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(raw.closedByServer()).isTrue();
        }
        try (RawHttp raw = new RawHttp(address)) {
            RawHttp.Response first = raw.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(first.header("connection")).isEqualTo("keep-alive");
            assertThat(raw.send("GET / HTTP/1.0\r\n\r\n").read().body()).isEqualTo("Hello, World!");
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void closesAfterAnsweringConnectionCloseAndIgnoresWhatFollows() throws Exception {
        InetSocketAddress address = start();
        try (RawHttp raw = new RawHttp(address)) {
            raw.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" + GET + GET);
            RawHttp.Response response = raw.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    record Refusal(String request, int status) {
    }

    @Test
    void refusesMalformedAndUnframeableRequestsThenCloses() throws Exception {
        InetSocketAddress address = start(HttpConfig.defaults().withHeadLimits(256, 1024, 20));
        List<Refusal> refusals = List.of(
                new Refusal("GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400),
                new Refusal("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n folded\r\n\r\n", 400),
                new Refusal("GET / HTTP/1.1\r\n\r\n", 400),
                new Refusal("\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000", 400),
                new Refusal("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nGET /\r\n0\r\n\r\n" + GET, 501),
                new Refusal("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0\r\n\r\n" + GET, 400),
                new Refusal("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
                new Refusal("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n", 400),
                new Refusal("GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414),
                new Refusal("GET / HTTP/1.1\r\nHost: t\r\nX: " + "v".repeat(2000) + "\r\n\r\n", 431),
                new Refusal("GET / HTTP/2.0\r\n\r\n", 505));
        for (Refusal refusal : refusals) {
            try (RawHttp raw = new RawHttp(address)) {
                RawHttp.Response response = raw.send(refusal.request()).read();
                assertThat(response.status()).as(refusal.request()).isEqualTo(refusal.status());
                assertThat(response.header("connection")).isEqualTo("close");
                assertThat(raw.closedByServer()).as("closed after %s", refusal.request()).isTrue();
            }
        }
        try (RawHttp raw = new RawHttp(address)) {
            assertThat(raw.send(GET).read().body()).as("the server is fine afterwards").isEqualTo("Hello, World!");
        }
    }

    @Test
    void answersAValidRequestBeforeRefusingAMalformedOneInTheSameBatch() throws Exception {
        InetSocketAddress address = start();
        try (RawHttp raw = new RawHttp(address)) {
            raw.send(GET + "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n" + GET);
            assertThat(raw.read().status()).isEqualTo(200);
            assertThat(raw.read().status()).isEqualTo(400);
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void answersARefusedHeadRequestWithoutABody() throws Exception {
        InetSocketAddress address = start();
        try (RawHttp raw = new RawHttp(address)) {
            RawHttp.Response response = raw.send("HEAD / HTTP/1.1\r\n\r\n").read(true);
            assertThat(response.status()).isEqualTo(400);
            assertThat(raw.closedByServer()).as("no body bytes precede the end of stream").isTrue();
        }
    }

    @Test
    void closesIdleConnectionsAndConnectionsStuckMidRequest() throws Exception {
        InetSocketAddress address = start(HttpConfig.defaults().withIdleTimeout(Duration.ofMillis(200)));
        try (RawHttp idle = new RawHttp(address); RawHttp stuck = new RawHttp(address)) {
            stuck.send("GET / HTTP/1.1\r\nHo");
            assertThat(idle.closedByServer()).isTrue();
            assertThat(stuck.closedByServer()).isTrue();
        }
        try (RawHttp keptAlive = new RawHttp(address)) {
            assertThat(keptAlive.send(GET).read().status()).isEqualTo(200);
            assertThat(keptAlive.closedByServer()).as("idle after a response").isTrue();
        }
    }

    @Test
    void answers408ToAHeadDrippingInSlowerThanTheTimeout() throws Exception {
        InetSocketAddress address = start(HttpConfig.defaults().withIdleTimeout(Duration.ofSeconds(1)));
        try (RawHttp raw = new RawHttp(address)) {
            raw.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ");
            RawHttp.Response response = null;
            for (int i = 0; i < 100 && response == null; i++) {
                Thread.sleep(100);
                try {
                    raw.send("a");
                } catch (IOException e) {
                    break; // the server has answered and closed
                }
                if (i > 10) {
                    response = raw.read();
                }
            }
            assertThat(response).isNotNull();
            assertThat(response.status()).isEqualTo(408);
        }
    }

    @Test
    void answersCurlIfInstalled() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        Assumptions.assumeTrue(Files.isExecutable(curl), "curl is not installed");
        InetSocketAddress address = start();
        Process process = new ProcessBuilder(curl.toString(), "-s", "-i", "--max-time", "10",
                uri(address, "/").toString(), uri(address, "/").toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(output).startsWith("HTTP/1.1 200 OK\r\n").endsWith("Hello, World!");
        assertThat(output.split("HTTP/1.1 200 OK", -1)).as("two responses").hasSize(3);
    }
}
