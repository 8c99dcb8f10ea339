package io.weft.samples.http;

import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpStats;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.core.net.tls.TlsStats;
import io.weft.samples.SampleLauncher;
import io.weft.samples.ServerOptions;
import io.weft.samples.UsageException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The http sample over TLS: the same handler behind {@link HttpServer#listenTls}, with real clients. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpsServerTest {
    private LoopGroup group;
    private SampleLauncher.Listener server;

    private int start() throws Exception {
        group = LoopGroup.builder().size(1).name("https-test").poller("nio").build();
        TlsConfig tls = TlsConfig.builder()
                .certificates(new CertificateStore().loadPem(file("server.pem"), file("server.key")))
                .applicationProtocols("http/1.1").build();
        server = HttpServer.listenTls(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                HttpConfig.defaults(), tls, HttpServer.defaultRouter());
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterEach
    void closeEverything() {
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.close();
            assertThat(TcpStats.of(group.next()).openConnections()).as("connections left open").isZero();
        }
    }

    @Test
    void curlGetsHelloOverTls13AndTls12() throws Exception {
        int port = start();
        for (List<String> version : List.of(List.of("--tlsv1.3"), List.of("--tlsv1.2", "--tls-max", "1.2"))) {
            List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", "--cacert", file("ca.pem").toString(),
                    "--resolve", "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/",
                    "https://localhost:" + port + "/")); // twice: over one kept-alive connection
            command.addAll(version);
            Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor()).as(output).isZero();
            assertThat(output).isEqualTo("Hello, World!Hello, World!");
        }
        assertThat(TlsStats.of(group.next()).handshakes()).as("one connection per curl run").isEqualTo(2);
    }

    @Test
    void theJdkHttpClientKeepsOneTlsConnectionAlive() throws Exception {
        int port = start();
        TlsConfig trust = TlsConfig.builder().trustPem(file("ca.pem")).build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(trust.sslContext()).build()) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
                        URI.create("https://localhost:" + port + "/")).build(), BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("Hello, World!");
            }
        }
        assertThat(TlsStats.of(group.next()).handshakes()).isEqualTo(1);
    }

    @Test
    void tlsOptionsParseAsAPairOnly() throws Exception {
        ServerOptions options = ServerOptions.parse("--tls-cert", "chain.pem", "--tls-key=key.pem");
        assertThat(options.tls()).hasValue(new ServerOptions.TlsFiles(java.nio.file.Path.of("chain.pem"),
                java.nio.file.Path.of("key.pem")));
        assertThat(ServerOptions.parse().tls()).isEmpty();
        assertThatThrownBy(() -> ServerOptions.parse("--tls-cert", "chain.pem"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--tls-key");
    }
}
