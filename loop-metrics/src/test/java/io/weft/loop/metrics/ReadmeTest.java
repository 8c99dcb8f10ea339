package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The README's meter table is generated from {@link LoopMeters}; this keeps it true. */
class ReadmeTest {
    private static final String BEGIN = "<!-- meters:begin (generated from LoopMeters by ReadmeTest) -->\n";
    private static final String END = "<!-- meters:end -->";

    static String meterTable() {
        PrometheusNamingConvention prometheus = new PrometheusNamingConvention();
        StringBuilder table = new StringBuilder()
                .append("| meter | Prometheus | type | unit | what it measures |\n")
                .append("|---|---|---|---|---|\n");
        for (LoopMeters meter : LoopMeters.values()) {
            String prometheusName = prometheus.name(meter.getName(), meter.getType(), meter.getBaseUnit());
            String suffix = switch (meter.getType()) {
                case COUNTER -> "_total"; // the Prometheus client adds it when it writes a counter
                case TIMER -> "_bucket` / `_count` / `_sum` / `_max";
                default -> "";
            };
            table.append("| `").append(meter.getName()).append("` | `").append(prometheusName).append(suffix)
                    .append("` | ").append(meter.getType().name().toLowerCase(Locale.ROOT))
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
