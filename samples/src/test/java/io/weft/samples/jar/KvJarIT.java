package io.weft.samples.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** weft-kv.jar, started with java -jar, answers redis-cli on each carrier. */
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
}
