package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Grafana and Prometheus see: the scrape of a bound loop, the shipped dashboard, promtool's lint. */
class PrometheusScrapeTest {

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

    @Test
    void theScrapeHoldsEveryMetricTheDashboardQueries() throws IOException {
        List<String> expressions = ScrapeChecks.dashboardExpressions();
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(6);
        for (String expression : expressions) {
            assertThat(ScrapeChecks.metricsIn(expression)).as("a weft metric in: " + expression).isNotEmpty();
        }
        assertThat(ScrapeChecks.seriesNames(scrape)).as("series in the scrape:\n" + scrape)
                .containsAll(ScrapeChecks.dashboardMetrics());
    }

    @Test
    void theDashboardCoversEveryDocumentedMeter() throws IOException {
        String all = String.join("\n", ScrapeChecks.dashboardExpressions());
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
        ScrapeChecks.assertPromtoolAccepts(scrape, dir);
    }
}
