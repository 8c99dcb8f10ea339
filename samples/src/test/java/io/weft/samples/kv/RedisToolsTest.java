package io.weft.samples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.weft.loop.core.LoopGroup;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kv server against the real Redis clients of Debian's {@code redis-tools}: {@code redis-cli}
 * and {@code redis-benchmark}. Without them the test fails and names the install script.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisToolsTest {
    private static final Pattern RESULT = Pattern.compile("^\\s*([A-Z_]+): ([0-9.]+) requests per second");

    private LoopGroup group;
    private KvServer server;
    private int port;

    @BeforeEach
    void start() throws IOException {
        group = LoopGroup.builder().size(2).name("kv-redis-tools").poller("nio").build();
        server = KvServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), KvConfig.defaults());
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        group.shutdownGracefully(Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS);
        group.close();
    }

    private static String tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail(name + " not found on PATH: install Debian's redis-tools with scripts/install-tools.sh test");
    }

    private record Result(int exit, String out, String err) {
    }

    private Result run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("redis-tool", ".out");
        Path err = Files.createTempFile("redis-tool", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(Arrays.toString(command) + " did not finish in 90 s; output so far: " + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** {@code redis-cli} with the arguments; its output when not on a terminal is raw: one line per reply element. */
    private String cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool("redis-cli"), "-h", "127.0.0.1", "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        Result r = run(command.toArray(String[]::new));
        assertThat(r.exit()).as("redis-cli %s exit status; stderr: %s", String.join(" ", args), r.err()).isZero();
        return r.out();
    }

    @Test
    void redisCliTalksToIt() throws Exception {
        assertThat(cli("PING")).isEqualTo("PONG\n");
        assertThat(cli("PING", "hello")).isEqualTo("hello\n");
        assertThat(cli("SET", "greeting", "hello world")).isEqualTo("OK\n");
        assertThat(cli("GET", "greeting")).isEqualTo("hello world\n");
        assertThat(cli("INCR", "visits")).isEqualTo("1\n");
        assertThat(cli("INCR", "visits")).isEqualTo("2\n");
        // redis-cli prints an error reply and then an empty line
        assertThat(cli("INCR", "greeting").strip()).isEqualTo("ERR value is not an integer or out of range");
        assertThat(cli("MGET", "greeting", "visits", "missing")).isEqualTo("hello world\n2\n\n");
        assertThat(cli("DEL", "visits", "missing")).isEqualTo("1\n");
        assertThat(cli("FLUSHALL").strip()).isEqualTo("ERR unknown command 'FLUSHALL'");
    }

    @Test
    void aKeySetWithAnExpiryVanishesThroughRedisCli() throws Exception {
        assertThat(cli("SET", "session", "abc", "PX", "300")).isEqualTo("OK\n");
        assertThat(cli("SET", "long", "xyz", "EX", "3600")).isEqualTo("OK\n");
        // The deadline is the wall clock's here: poll until it passes, rather than assert a time.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cli("GET", "session").equals("\n")) {
            assertThat(System.nanoTime()).as("the key outlived its 300 ms by 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(cli("EXISTS", "session", "long")).isEqualTo("1\n");
        assertThat(cli("GET", "long")).isEqualTo("xyz\n");
    }

    @Test
    void redisBenchmarkRunsWithoutErrors() throws Exception {
        Result r = run(tool("redis-benchmark"), "-h", "127.0.0.1", "-p", String.valueOf(port), "-q", "-n", "20000",
                "-P", "16", "-t", "set,get,incr,ping");
        assertThat(r.exit()).as("redis-benchmark exit status; stderr: %s", r.err()).isZero();
        // -q redraws a progress line with CR before each result; the results are what ends a line.
        Map<String, Double> perSecond = new LinkedHashMap<>();
        for (String line : r.out().split("[\r\n]+")) {
            Matcher m = RESULT.matcher(line);
            if (m.find()) {
                perSecond.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        System.out.println("redis-benchmark against weft kv (noisy, for the record): " + perSecond);
        assertThat(perSecond).containsOnlyKeys("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR");
        assertThat(perSecond.values()).allSatisfy(rps -> assertThat(rps).isPositive());
        // "WARNING: Could not fetch server CONFIG" is expected: kv has no CONFIG command.
        assertThat(r.out() + r.err()).doesNotContainIgnoringCase("error");
        assertThat(cli("GET", "key:__rand_int__")).as("the key redis-benchmark set, 3 random bytes by default").hasSize(4);
    }
}
