package io.weft.samples.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.metrics.ScrapeChecks;
import io.weft.loop.metrics.LoopWatchdog;
import io.weft.samples.SampleLauncher;
import io.weft.samples.ServerOptions;
import io.weft.samples.UsageException;
import io.weft.samples.http.HttpConfig;
import io.weft.samples.http.HttpServer;
import io.weft.samples.http.Router;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http sample as started by {@code HttpMain}, in-process on port 0 with the NIO poller: what
 * {@code /metrics} serves (the dashboard's metrics, promtool's lint), the {@code /block} demo and
 * its alarm, and the switches that leave either route out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SampleMetricsTest {
    private static final Pattern BLOCKED_LOOP = Pattern.compile("blocked loop '([^']+)' for 1500 ms\n");

    private SampleMetrics metrics;
    private SampleLauncher.Running running;
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Logger watchdogLog = Logger.getLogger(LoopWatchdog.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** Starts the sample as HttpMain does, with {@code args} after port 0, two loops and NIO. */
    private void start(String... args) throws Exception {
        String[] all = Stream.concat(Stream.of("--port", "0", "--loops", "2", "--poller", "nio"), Stream.of(args))
                .toArray(String[]::new);
        Router router = HttpServer.defaultRouter();
        metrics = SampleMetrics.withMetrics(router, (group, address, options) -> 
                HttpServer.listen(group, address, HttpConfig.defaults().withIdleTimeout(options.idleTimeout()), router));
        running = SampleLauncher.start("http", ServerOptions.parse(all), metrics);
    }

    @AfterEach
    void stop() {
        watchdogLog.removeHandler(capture);
        watchdogLog.setUseParentHandlers(true);
        if (running != null) {
            running.stop(Duration.ofSeconds(1));
            assertThat(running.group().loops()).allSatisfy(loop -> assertThat(loop.isClosed()).isTrue());
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    private record Response(int status, String head, String body) {
    }

    /** One GET over a fresh socket, {@code Connection: close}, read to the end. */
    private Response get(String target) throws IOException {
        InetSocketAddress address = (InetSocketAddress) running.server().localAddress();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as("a complete head in:\n" + text).isPositive();
            return new Response(Integer.parseInt(text.substring(9, 12)), text.substring(0, end),
                    text.substring(end + 4));
        }
    }

    private String scrape() throws IOException {
        Response response = get("/metrics");
        assertThat(response.status()).as(response.head()).isEqualTo(200);
        assertThat(response.head()).contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n");
        return response.body();
    }

    @Test
    void metricsServesEverySeriesTheDashboardQueries() throws Exception {
        start();
        Set<String> queried = ScrapeChecks.dashboardMetrics();
        assertThat(queried).hasSizeGreaterThanOrEqualTo(10);
        String scrape = scrape();
        assertThat(ScrapeChecks.seriesNames(scrape)).as("series in the scrape:\n" + scrape).containsAll(queried);
        for (EventLoop loop : running.group()) {
            assertThat(scrape).contains("weft_loop_iterations_total{loop=\"" + loop.name() + "\"}");
        }
        assertThat(scrape).contains("jvm_memory_used_bytes").contains("jvm_gc_").contains("jvm_threads_live_threads");
    }

    @Test
    void theScrapePassesPromtoolCheckMetrics(@TempDir Path dir) throws Exception {
        start();
        get("/"); // some traffic, so the connection counters move
        ScrapeChecks.assertPromtoolAccepts(scrape(), dir);
    }

    @Test
    void blockingALoopIsCountedAndLoggedWithTheBlockingFrame() throws Exception {
        watchdogLog.addHandler(capture);
        watchdogLog.setUseParentHandlers(false); // the alarm is expected: keep it out of the build's output
        // The block lasts several thresholds, so the watchdog gets more than one chance to sample it
        // (at 250, 500 and 1000 ms) even when its thread is starved on a busy machine; a threshold
        // well above scheduling noise keeps the other loop from counting an episode of its own.
        start("--demo-blocking", "--blocked-threshold", "250");

        Response blocked = get("/block?ms=1500");
        assertThat(blocked.status()).isEqualTo(200);
        Matcher which = BLOCKED_LOOP.matcher(blocked.body());
        assertThat(which.matches()).as(blocked.body()).isTrue();
        String loop = which.group(1);
        assertThat(running.group().loops()).extracting(EventLoop::name).contains(loop);

        // Counted when the watchdog first sees it; logged when it sees the task end (its next tick).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String scrape = scrape();
        while (!scrape.contains("weft_loop_blocked_total{loop=\"" + loop + "\"} 1.0") && System.nanoTime() < deadline) {
            Thread.sleep(20);
            scrape = scrape();
        }
        assertThat(scrape).contains("weft_loop_blocked_total{loop=\"" + loop + "\"} 1.0")
                .contains("weft_loop_blocked_duration_seconds_count{loop=\"" + loop + "\"} 1");
        for (EventLoop other : running.group()) {
            if (!other.name().equals(loop)) {
                assertThat(scrape).contains("weft_loop_blocked_total{loop=\"" + other.name() + "\"} 0.0");
            }
        }
        while (logged.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(logged).as("the watchdog's log").singleElement().asString()
                .contains("loop '" + loop + "' was blocked for")
                .contains("(threshold 250 ms)")
                .contains("io.weft.samples.metrics.BlockRoute.holdTheLoop");
    }

    @Test
    void blockAnswers400ToABadDuration() throws Exception {
        start("--demo-blocking");
        for (String bad : List.of("ms=", "ms=-1", "ms=abc", "ms=60001", "ms=1e3", "ms=99999999999")) {
            assertThat(get("/block?" + bad).status()).as(bad).isEqualTo(400);
        }
        assertThat(get("/block?x=1&ms=0").body()).endsWith("for 0 ms\n");
    }

    @Test
    void withoutTheDemoSwitchThereIsNoBlockRoute() throws Exception {
        start();
        assertThat(get("/block?ms=300").status()).isEqualTo(404);
        assertThat(get("/block").status()).isEqualTo(404);
        assertThat(get("/metrics").status()).isEqualTo(200);
    }

    @Test
    void withNoMetricsThereIsNoMetricsRouteAndNothingIsBound() throws Exception {
        start("--no-metrics");
        assertThat(get("/metrics").status()).isEqualTo(404);
        assertThat(get("/").status()).isEqualTo(200);
        assertThat(metrics.registry()).isEmpty();
    }

    @Test
    void theMillisOfAQuery() {
        assertThat(BlockRoute.millis("")).isEqualTo(BlockRoute.DEFAULT_MILLIS);
        assertThat(BlockRoute.millis("a=b")).isEqualTo(BlockRoute.DEFAULT_MILLIS);
        assertThat(BlockRoute.millis("ms=400")).isEqualTo(400);
        assertThat(BlockRoute.millis("a=b&ms=7")).isEqualTo(7);
        assertThat(BlockRoute.millis("ms=60000")).isEqualTo(60_000);
        assertThat(BlockRoute.millis("ms=60001")).isEqualTo(-1);
        assertThat(BlockRoute.millis("ms=+5")).isEqualTo(-1);
    }

    @Test
    void parsesTheMetricsOptions() throws Exception {
        ServerOptions defaults = ServerOptions.parse();
        assertThat(defaults.metrics()).isTrue();
        assertThat(defaults.demoBlocking()).isFalse();
        assertThat(defaults.blockedThreshold()).isEqualTo(Duration.ofMillis(100));

        ServerOptions options = ServerOptions.parse("--no-metrics", "--demo-blocking", "--blocked-threshold=250");
        assertThat(options.metrics()).isFalse();
        assertThat(options.demoBlocking()).isTrue();
        assertThat(options.blockedThreshold()).isEqualTo(Duration.ofMillis(250));
        assertThat(ServerOptions.parse("--no-metrics", "--metrics").metrics()).isTrue();

        for (String bad : List.of("--metrics=false", "--demo-blocking=1", "--blocked-threshold=0",
                "--blocked-threshold")) {
            assertThatThrownBy(() -> ServerOptions.parse(bad)).as(bad).isInstanceOf(UsageException.class);
        }
        assertThat(ServerOptions.usage("http")).contains("--no-metrics").contains("--blocked-threshold")
                .contains("--demo-blocking");
    }
}
