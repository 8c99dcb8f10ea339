package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's meter table is generated from {@link LoopMeters}; this keeps it true, and {@code
 * PrometheusScrapeTest} checks the series it lists against a real scrape.
 */
class ReadmeTest {
    private static final String BEGIN = "<!-- meters:begin (generated from LoopMeters by ReadmeTest) -->\n";
    private static final String END = "<!-- meters:end -->";

    /** The name a Prometheus registry gives {@code meter}, before any suffix. */
    static String prometheusName(LoopMeters meter) {
        return new PrometheusNamingConvention().name(meter.getName(), meter.getType(), meter.getBaseUnit());
    }

    /**
     * The series a Prometheus registry writes for {@code meter}: a counter gets {@code _total}; a
     * timer is a summary ({@code _count}, {@code _sum}, a {@code _max} gauge), with its percentiles as
     * {@code {quantile=...}} series of the bare name, or, with percentile histograms, {@code _bucket}.
     */
    static List<String> prometheusSeries(LoopMeters meter, boolean histograms) {
        String name = prometheusName(meter);
        return switch (meter.getType()) {
            case COUNTER -> List.of(name + "_total");
            case TIMER -> {
                List<String> series = new ArrayList<>();
                if (meter.publishesPercentiles()) {
                    series.add(histograms ? name + "_bucket" : name);
                }
                series.addAll(List.of(name + "_count", name + "_sum", name + "_max"));
                yield series;
            }
            default -> List.of(name);
        };
    }

    static String meterTable() {
        StringBuilder table = new StringBuilder()
                .append("| meter | Prometheus series | Prometheus type | unit | what it measures |\n")
                .append("|---|---|---|---|---|\n");
        for (LoopMeters meter : LoopMeters.values()) {
            String series = prometheusSeries(meter, false).stream().map(n -> "`" + n + "`").collect(Collectors.joining(" "));
            String type = meter.getType() == Meter.Type.TIMER ? "summary" : meter.getType().name().toLowerCase(Locale.ROOT);
            if (meter.publishesPercentiles()) {
                series += " (`{quantile=...}`: 0.5, 0.9, 0.99, 0.999; `_bucket` instead with `percentileHistograms(true)`)";
                type += " (histogram with `percentileHistograms(true)`)";
            }
            table.append("| `").append(meter.getName()).append("` | ").append(series)
                    .append(" | ").append(type)
                    .append(" | ").append(meter.getBaseUnit() == null ? "" : meter.getBaseUnit())
                    .append(" | ").append(meter.getDescription()).append(" |\n");
        }
        return table.toString();
    }

    @Test
    void theMeterTableMatchesTheEnum() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertThat(begin).as("README.md has the marker " + BEGIN.strip()).isNotNegative();
        assertThat(end).as("README.md has the marker " + END).isGreaterThan(begin);

        assertThat(readme.substring(begin + BEGIN.length(), end))
                .as("README.md's meter table is stale; replace it with what this test expects")
                .isEqualTo(meterTable());
    }

    @Test
    void theReadmeNamesTheJfrEventAndTheDashboard() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(readme).contains(BlockedLoopEvent.NAME, ScrapeChecks.DASHBOARD.substring(1));
    }
}
