package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.docs.KeyName;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.net.tls.TlsFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Grafana and Prometheus see: the scrape of a bound loop, with the default binder and with
 * percentile histograms turned on, against the shipped dashboard, the README's table and promtool.
 */
class PrometheusScrapeTest {

    private final ScriptedLoop scripted = ScriptedLoop.create();
    private final EventLoop loop = scripted.build("main");

    /** The scrape of a loop that ran, blocked once and had its lag and callback wait probed. */
    private String scrapeABusyLoop(boolean histograms) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LoopWatchdog watchdog = LoopWatchdog.manual();
        LoopMetrics.builder(loop).watchdog(watchdog).percentileHistograms(histograms).build().bindTo(registry);
        scripted.poller.idleStep = Duration.ofMillis(3);
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
        return registry.scrape();
    }

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    private static Set<String> weftSeries(String scrape) {
        return ScrapeChecks.seriesNames(scrape).stream().filter(n -> n.startsWith("weft_"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theDashboardQueriesAreWellFormed() throws IOException {
        List<String> expressions = ScrapeChecks.dashboardExpressions();
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(6);
        for (String expression : expressions) {
            assertThat(ScrapeChecks.metricsIn(expression)).as("a weft metric in: " + expression).isNotEmpty();
        }
    }

    @Test
    void theDefaultScrapeHoldsEveryMetricTheDashboardQueries() throws IOException {
        String scrape = scrapeABusyLoop(false);
        assertThat(ScrapeChecks.seriesNames(scrape)).as("series in the scrape:\n" + scrape)
                .containsAll(ScrapeChecks.dashboardMetrics());
    }

    @Test
    void withPercentileHistogramsTheScrapeHoldsEveryMetricTheDashboardQueries() throws IOException {
        String scrape = scrapeABusyLoop(true);
        assertThat(ScrapeChecks.seriesNames(scrape)).as("series in the scrape:\n" + scrape)
                .containsAll(ScrapeChecks.dashboardMetricsWithHistograms());
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
    void theDashboardSplitsATaggedMeterByItsTags() throws IOException {
        List<String> expressions = ScrapeChecks.dashboardExpressions();
        for (LoopMeters meter : LoopMeters.values()) {
            String prometheusName = meter.getName().replace('.', '_');
            for (KeyName key : meter.getKeyNames()) {
                assertThat(expressions).filteredOn(e -> e.contains(prometheusName))
                        .as("the dashboard's queries of " + meter.getName() + " keep its tag " + key.asString())
                        .allSatisfy(e -> assertThat(e).contains(key.asString()));
            }
        }
    }

    @Test
    void theScrapeHasOneTlsFailureSeriesPerCause() {
        assertThat(scrapeABusyLoop(false).lines().filter(l -> l.startsWith("weft_loop_tls_failures_total{")))
                .hasSize(TlsFailure.values().length)
                .contains("weft_loop_tls_failures_total{cause=\"not_tls\",loop=\"main\"} 0.0");
    }

    @ParameterizedTest(name = "percentileHistograms({0})")
    @ValueSource(booleans = {false, true})
    void theScrapeHoldsExactlyTheSeriesTheReadmeTableLists(boolean histograms) {
        Set<String> listed = Arrays.stream(LoopMeters.values())
                .flatMap(meter -> ReadmeTest.prometheusSeries(meter, histograms).stream())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(weftSeries(scrapeABusyLoop(histograms))).isEqualTo(listed);
    }

    @Test
    void percentileHistogramsAreOptInAndAreMostOfTheSeriesOfALoop() {
        long byDefault = scrapeABusyLoop(false).lines().filter(l -> l.startsWith("weft_")).count();
        long withHistograms = scrapeABusyLoop(true).lines().filter(l -> l.startsWith("weft_")).count();

        assertThat(byDefault).as("series of one loop by default").isLessThanOrEqualTo(60);
        assertThat(withHistograms - byDefault).as("buckets of the lag, callback-wait and TLS handshake timers").isGreaterThan(150);
    }

    @Test
    void theScrapeShowsWhatTheLoopDid() {
        assertThat(scrapeABusyLoop(false))
                .contains("weft_loop_iterations_total{loop=\"main\"} 5")
                .contains("weft_loop_blocked_total{loop=\"main\"} 1")
                .contains("weft_loop_blocked_duration_seconds_count{loop=\"main\"} 1")
                // 150 ms blocked, plus the 3 ms poll before the watchdog's next look: ends are seen to the tick.
                .contains("weft_loop_blocked_duration_seconds_sum{loop=\"main\"} 0.153")
                .contains("weft_loop_lag_seconds{loop=\"main\",quantile=\"0.99\"}")
                .contains("weft_loop_callbacks_wait_seconds_max{loop=\"main\"} 0.174") // behind the block, a 3 ms poll, 21 ms between runs
                .contains("weft_loop_busy_seconds_total{loop=\"main\"} 0.15")
                .contains("weft_loop_idle_seconds_total{loop=\"main\"} 0.015")
                .contains("# TYPE weft_loop_blocked_duration_seconds summary")
                .doesNotContain("_bucket");
    }

    @Test
    void withPercentileHistogramsTheBucketsReplaceTheClientSidePercentiles() {
        // With a histogram, the Prometheus registry leaves client-side percentiles out: the
        // dashboard then takes them from the buckets, which also sum across loops.
        assertThat(scrapeABusyLoop(true))
                .contains("weft_loop_lag_seconds_bucket{loop=\"main\",le=")
                .contains("weft_loop_callbacks_wait_seconds_bucket{loop=\"main\",le=")
                .contains("# TYPE weft_loop_blocked_duration_seconds summary")
                .doesNotContain("quantile=");
    }

    @ParameterizedTest(name = "percentileHistograms({0})")
    @ValueSource(booleans = {false, true})
    void promtoolFindsNothingToLint(boolean histograms, @TempDir Path dir) throws Exception {
        ScrapeChecks.assertPromtoolAccepts(scrapeABusyLoop(histograms), dir);
    }
}
