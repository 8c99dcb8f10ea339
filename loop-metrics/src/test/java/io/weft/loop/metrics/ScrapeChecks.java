package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks of a Prometheus scrape against what ships with loop-metrics: the dashboard's queries and
 * promtool's lint. Shared through loop-metrics' test-jar with the samples that serve a scrape.
 */
public final class ScrapeChecks {
    /** The shipped Grafana dashboard, as a class-path resource. */
    public static final String DASHBOARD = "/io/weft/loop/metrics/grafana-dashboard.json";
    private static final Pattern EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern METRIC = Pattern.compile("\\bweft_[a-z0-9_]+");

    private ScrapeChecks() {
    }

    /** The dashboard's {@code expr} fields, unescaped. */
    public static List<String> dashboardExpressions() throws IOException {
        String json;
        try (InputStream in = ScrapeChecks.class.getResourceAsStream(DASHBOARD)) {
            assertThat(in).as(DASHBOARD + " on the class path (from loop-metrics)").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> expressions = new ArrayList<>();
        Matcher m = EXPR.matcher(json);
        while (m.find()) {
            expressions.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return expressions;
    }

    /** The {@code weft_} metric names in {@code expression}. */
    public static Set<String> metricsIn(String expression) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expression);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /**
     * Every {@code weft_} metric the dashboard needs from a binder with the defaults. A query that
     * reads percentiles is "{@code a or b}": {@code a} reads the client-side percentiles a binder
     * publishes by default, {@code b} the buckets of {@code percentileHistograms(true)}; this takes
     * the metrics of the first branch of each query.
     */
    public static Set<String> dashboardMetrics() throws IOException {
        return dashboardMetrics(false);
    }

    /** As {@link #dashboardMetrics()}, for a binder with {@code percentileHistograms(true)}: the last branch of each query. */
    public static Set<String> dashboardMetricsWithHistograms() throws IOException {
        return dashboardMetrics(true);
    }

    private static Set<String> dashboardMetrics(boolean histograms) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String expression : dashboardExpressions()) {
            String[] branches = expression.split(" or ");
            names.addAll(metricsIn(branches[histograms ? branches.length - 1 : 0]));
        }
        return names;
    }

    /** Every series name in a scrape: the text before a '{' or ' '. */
    public static Set<String> seriesNames(String scrape) {
        return scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Runs the real {@code promtool check metrics} on {@code scrape} (written into {@code dir}) and
     * asserts it finds nothing; fails, naming the install script, when promtool is not installed.
     */
    public static void assertPromtoolAccepts(String scrape, Path dir) throws IOException, InterruptedException {
        String promtool = findOnPath("promtool");
        assertThat(promtool).as("promtool is not installed: run scripts/install-tools.sh test (Debian package "
                + "'prometheus')").isNotNull();
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
