package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Grafana and Prometheus see: the scrape of a bound loop, the shipped dashboard, promtool's lint. */
class PrometheusScrapeTest {
    static final String DASHBOARD = "/io/weft/loop/metrics/grafana-dashboard.json";
    private static final Pattern EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern METRIC = Pattern.compile("\\bweft_[a-z0-9_]+");

    private final ScriptedLoop scripted = ScriptedLoop.create();
    private final EventLoop loop = scripted.build("main");
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private String scrape;

    @BeforeEach
    void scrapeABusyLoop() {
        LoopWatchdog watchdog = LoopWatchdog.manual();
        LoopMetrics.builder(loop).watchdog(watchdog).build().bindTo(registry);
        scripted.idleStep = Duration.ofMillis(3);
        loop.schedule(Duration.ofHours(1), () -> { });
        loop.execute(watchdog::checkNow); // queues a callback-wait probe behind the next callback
        loop.execute(() -> {
            scripted.clock.advance(Duration.ofMillis(150)); // a blocked episode
            watchdog.checkNow();
        });
        for (int i = 0; i < 5; i++) {
            loop.run(RunMode.NOWAIT);
            watchdog.checkNow(); // sees the episode end at once
            scripted.clock.advance(Duration.ofMillis(21)); // the lag probe fires every run
        }
        scrape = registry.scrape();
    }

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    /** Every series name in the scrape (the text before a '{' or ' '). */
    private Set<String> seriesNames() {
        return scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    static List<String> dashboardExpressions() throws IOException {
        String json;
        try (InputStream in = PrometheusScrapeTest.class.getResourceAsStream(DASHBOARD)) {
            assertThat(in).as(DASHBOARD + " on the class path").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> expressions = new ArrayList<>();
        Matcher m = EXPR.matcher(json);
        while (m.find()) {
            expressions.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return expressions;
    }

    @Test
    void theScrapeHoldsEveryMetricTheDashboardQueries() throws IOException {
        List<String> expressions = dashboardExpressions();
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(6);
        Set<String> queried = new TreeSet<>();
        for (String expression : expressions) {
            Matcher m = METRIC.matcher(expression);
            boolean any = false;
            while (m.find()) {
                queried.add(m.group());
                any = true;
            }
            assertThat(any).as("a weft metric in: " + expression).isTrue();
        }

        assertThat(seriesNames()).as("series in the scrape:\n" + scrape).containsAll(queried);
    }

    @Test
    void theDashboardCoversEveryDocumentedMeter() throws IOException {
        String all = String.join("\n", dashboardExpressions());
        for (LoopMeters meter : LoopMeters.values()) {
            String prometheusName = meter.getName().replace('.', '_');
            assertThat(all).as("the dashboard queries " + meter.getName()).contains(prometheusName);
        }
    }

    @Test
    void theScrapeShowsWhatTheLoopDid() {
        assertThat(scrape)
                .contains("weft_loop_iterations_total{loop=\"main\"} 5")
                .contains("weft_loop_blocked_total{loop=\"main\"} 1")
                .contains("weft_loop_blocked_duration_seconds_count{loop=\"main\"} 1")
                // 150 ms blocked, plus the 3 ms poll before the watchdog's next look: ends are seen to the tick.
                .contains("weft_loop_blocked_duration_seconds_sum{loop=\"main\"} 0.153")
                .contains("weft_loop_lag_seconds_bucket{loop=\"main\",le=")
                .contains("weft_loop_callbacks_wait_seconds_max{loop=\"main\"} 0.174") // behind the block, a 3 ms poll, 21 ms between runs
                .contains("weft_loop_busy_seconds_total{loop=\"main\"} 0.15")
                .contains("weft_loop_idle_seconds_total{loop=\"main\"} 0.015")
                // With a histogram, the Prometheus registry leaves client-side percentiles out:
                // the dashboard takes them from the buckets, which also sum across loops.
                .doesNotContain("quantile=");
    }

    @Test
    void promtoolFindsNothingToLint(@TempDir Path dir) throws Exception {
        String promtool = findOnPath("promtool");
        assertThat(promtool).as("promtool is not installed: run scripts/install-tools.sh (Debian package 'prometheus')")
                .isNotNull();
        Path file = dir.resolve("scrape.txt");
        Files.writeString(file, scrape);
        Process process = new ProcessBuilder(promtool, "check", "metrics")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as("promtool check metrics said:\n" + output + "\non:\n" + scrape).isZero();
    }

    private static String findOnPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
