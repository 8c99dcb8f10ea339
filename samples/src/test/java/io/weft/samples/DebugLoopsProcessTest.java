package io.weft.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.samples.http.HttpMain;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code curl /debug/loops} against the http sample running in a child JVM. */
class DebugLoopsProcessTest {
    private static final Path CURL = Path.of("/usr/bin/curl");

    @Test
    void theLoopStyleShowsEveryLoopWithItsListenerAndConnections() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        try (SampleProcess sample = SampleProcess.start(HttpMain.class, "--port", "0", "--loops", "2", "--poller", "nio")) {
            int port = sample.awaitPort();
            String json = curl(port, "/debug/loops");

            assertThat(json).startsWith("{\"loops\":[{\"loop\":\"weft-http-").endsWith("]}\n")
                    .contains("\"poller\":\"nio\"", "\"kind\":\"listener\"", "\"name\":\"TCP listener on ",
                            "\"kind\":\"connection\"") // curl's own
                    .doesNotContain("\"answered\":false");
            assertThat(json.split("\\{\"loop\":", -1)).as("two loops").hasSize(3);
            String head = curlHead(port, "/debug/loops");
            assertThat(head).startsWith("HTTP/1.1 200 OK").contains("Content-Type: application/json");
        }
    }

    @Test
    void theVirtualThreadStyleShowsAnIdleConnectionBesidesCurlsOwn() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        try (SampleProcess sample = SampleProcess.start(HttpMain.class, "--port", "0", "--loops", "1",
                "--style", "vthreads");
                Socket idle = new Socket()) {
            int port = sample.awaitPort();
            idle.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
            // the server takes the idle connection over on its loop: wait for the snapshot to show it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String json = curl(port, "/debug/loops");
            while (json.split("\"kind\":\"connection\"", -1).length < 3) {
                assertThat(System.nanoTime() - deadline).as("never showed the idle connection: " + json).isNegative();
                json = curl(port, "/debug/loops");
            }
            assertThat(json).contains("\"answered\":true", "\"kind\":\"listener\"");
        }
    }

    private static String curl(int port, String path) throws Exception {
        return run(CURL.toString(), "-s", "--max-time", "10", "http://127.0.0.1:" + port + path);
    }

    private static String curlHead(int port, String path) throws Exception {
        return run(CURL.toString(), "-s", "-I", "--max-time", "10", "http://127.0.0.1:" + port + path);
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
