package io.weft.samples.gettingstarted;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.vthreads.BlockingServerSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The three steps of docs/GETTING-STARTED.md do what the page says. */
@Timeout(60)
class GettingStartedTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    private final LoopGroup group = LoopGroup.builder().size(2).build();

    @AfterEach
    void closeGroup() {
        group.close();
    }

    @Test
    void theCallbackServerShouts() throws Exception {
        TcpServer server = CallbackShout.listen(group, ANY_PORT);

        assertThat(roundTrip((InetSocketAddress) server.localAddress(), "hello, Weft! 123")).isEqualTo("HELLO, WEFT! 123");
        server.close();
    }

    @Test
    void theBlockingServerShouts() throws Exception {
        try (BlockingServerSocket server = BlockingShout.listen(group, ANY_PORT)) {
            assertThat(roundTrip((InetSocketAddress) server.localAddress(), "hello, Weft! 123")).isEqualTo("HELLO, WEFT! 123");
        }
    }

    @Test
    void theScrapeShowsTheLoopsMeters() throws Exception {
        HttpServer http = ScrapedShout.serveScrape(ScrapedShout.meters(group), ANY_PORT);
        try (HttpClient client = HttpClient.newHttpClient()) {
            URI uri = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/metrics");

            HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("weft_loop_");
        } finally {
            http.stop(0);
        }
    }

    private static String roundTrip(InetSocketAddress address, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.getOutputStream().write(sent);
            return new String(socket.getInputStream().readNBytes(sent.length), StandardCharsets.US_ASCII);
        }
    }
}
