package io.weft.samples.jar;

import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** weft-http.jar, started with java -jar, answers curl (plain and HTTPS, in each style) and serves a Prometheus scrape. */
@Timeout(120)
class HttpJarIT {

    @ParameterizedTest
    @ValueSource(strings = {"loop", "vthreads"})
    void answersCurlAndStopsOnSigterm(String style) throws Exception {
        try (SampleJar http = SampleJar.start("http", "--loops", "2", "--style", style)) {
            String url = "http://127.0.0.1:" + http.port() + "/";

            String response = ToolRun.output("curl", "-sS", "-i", url);

            assertThat(response).startsWith("HTTP/1.1 200");
            assertThat(http.stop()).contains("weft http stopped");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "vthreads"})
    void answersCurlOnAUnixSocketAndRemovesItOnStop(String style, @TempDir Path dir) throws Exception {
        Path socket = dir.resolve("http.sock");
        try (SampleJar http = SampleJar.startUnix("http", socket, "--loops", "2", "--style", style)) {
            String response = ToolRun.output("curl", "-sS", "-i", "--unix-socket", socket.toString(), "http://x/");

            assertThat(response).startsWith("HTTP/1.1 200");
            assertThat(http.stop()).contains("weft http stopped");
            assertThat(socket).as("the socket file after the stop").doesNotExist();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "vthreads"})
    void answersCurlOverTls13And12(String style) throws Exception {
        try (SampleJar http = SampleJar.start("http", "--loops", "2", "--style", style,
                "--tls-cert", file("server.pem").toString(), "--tls-key", file("server.key").toString())) {
            String url = "https://localhost:" + http.port() + "/";
            String resolve = "localhost:" + http.port() + ":127.0.0.1";
            String ca = file("ca.pem").toString();

            String tls13 = ToolRun.output("curl", "-sS", "-i", "--cacert", ca, "--resolve", resolve, "--tlsv1.3", url);
            String tls12 = ToolRun.output("curl", "-sS", "-i", "--cacert", ca, "--resolve", resolve,
                    "--tlsv1.2", "--tls-max", "1.2", url);
            String verbose = ToolRun.output("curl", "-sS", "-v", "-o", "/dev/null", "--cacert", ca, "--resolve", resolve, url);

            assertThat(tls13).startsWith("HTTP/1.1 200").contains("Hello");
            assertThat(tls12).startsWith("HTTP/1.1 200").contains("Hello");
            assertThat(verbose).contains("ALPN: server accepted http/1.1", "SSL certificate verify ok");
            assertThat(http.stop()).contains("weft http stopped");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "vthreads"})
    void answersCurlOverTlsOnAUnixSocket(String style, @TempDir Path dir) throws Exception {
        Path socket = dir.resolve("https.sock");
        try (SampleJar http = SampleJar.startUnix("http", socket, "--loops", "2", "--style", style,
                "--tls-cert", file("server.pem").toString(), "--tls-key", file("server.key").toString())) {
            String response = ToolRun.output("curl", "-sS", "-i", "--unix-socket", socket.toString(),
                    "--cacert", file("ca.pem").toString(), "https://localhost/");

            assertThat(response).startsWith("HTTP/1.1 200").contains("Hello");
            assertThat(http.stop()).contains("weft http stopped");
            assertThat(socket).as("the socket file after the stop").doesNotExist();
        }
    }

    @Test
    void servesAPrometheusScrapeOfItsLoops() throws Exception {
        try (SampleJar http = SampleJar.start("http", "--loops", "2")) {
            String scrape = ToolRun.output("curl", "-sS", "http://127.0.0.1:" + http.port() + "/metrics");

            assertThat(scrape).contains("# TYPE ").contains("weft_");
            http.stop();
        }
    }
}
