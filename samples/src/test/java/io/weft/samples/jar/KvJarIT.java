package io.weft.samples.jar;

import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** weft-kv.jar, started with java -jar, answers redis-cli on each carrier, plain and over TLS. */
@Timeout(120)
class KvJarIT {

    @ParameterizedTest
    @ValueSource(strings = {"loop", "pool"})
    void answersRedisCli(String carrier) throws Exception {
        try (SampleJar kv = SampleJar.start("kv", "--carrier", carrier)) {
            String port = Integer.toString(kv.port());

            assertThat(ToolRun.output("redis-cli", "-h", "127.0.0.1", "-p", port, "PING")).isEqualTo("PONG\n");
            assertThat(ToolRun.output("redis-cli", "-h", "127.0.0.1", "-p", port, "SET", "greeting", "hello weft"))
                    .isEqualTo("OK\n");
            assertThat(ToolRun.output("redis-cli", "-h", "127.0.0.1", "-p", port, "GET", "greeting"))
                    .isEqualTo("hello weft\n");
            assertThat(kv.stop()).contains("weft kv stopped");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "pool"})
    void answersRedisCliOnAUnixSocket(String carrier, @TempDir Path dir) throws Exception {
        String socket = dir.resolve("kv.sock").toString();
        try (SampleJar kv = SampleJar.startUnix("kv", Path.of(socket), "--carrier", carrier)) {
            assertThat(ToolRun.output("redis-cli", "-s", socket, "SET", "greeting", "hello unix")).isEqualTo("OK\n");
            assertThat(ToolRun.output("redis-cli", "-s", socket, "GET", "greeting")).isEqualTo("hello unix\n");
            assertThat(kv.stop()).contains("weft kv stopped");
            assertThat(Path.of(socket)).as("the socket file after the stop").doesNotExist();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "pool"})
    void answersRedisCliOverTls(String carrier) throws Exception {
        try (SampleJar kv = SampleJar.start("kv", "--carrier", carrier,
                "--tls-cert", file("server.pem").toString(), "--tls-key", file("server.key").toString())) {
            String port = Integer.toString(kv.port());
            String[] tls = {"redis-cli", "--tls", "--cacert", file("ca.pem").toString(), "-h", "127.0.0.1", "-p", port};
            StringBuilder value = new StringBuilder(); // longer than one TLS record (16 KiB), every printable byte
            for (int i = 0; value.length() < 40_000; i++) {
                value.append((char) ('!' + i * 7 % 94));
            }

            assertThat(ToolRun.output(concat(tls, "PING"))).isEqualTo("PONG\n");
            assertThat(ToolRun.output(concat(tls, "SET", "big", value.toString()))).isEqualTo("OK\n");
            assertThat(ToolRun.output(concat(tls, "GET", "big"))).isEqualTo(value + "\n");
            // The port speaks TLS only: a plaintext client gets no answer.
            assertThat(ToolRun.outputOfAnyExit("redis-cli", "-h", "127.0.0.1", "-p", port, "PING")).doesNotContain("PONG");
            assertThat(kv.stop()).contains("weft kv stopped");
        }
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
