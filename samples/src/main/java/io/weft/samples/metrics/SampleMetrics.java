package io.weft.samples.metrics;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.metrics.LoopMetrics;
import io.weft.samples.SampleLauncher;
import io.weft.samples.ServerOptions;
import io.weft.samples.http.Router;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Wraps a sample's {@link SampleLauncher.Starter}: once the group exists, and before the server
 * listens, it binds loop-metrics and the JVM's standard binders to a Prometheus registry and adds
 * {@code /metrics} to the router ({@link ServerOptions#metrics()}; JVM memory, GC and threads
 * besides the loops), and adds {@code /block} when
 * {@link ServerOptions#demoBlocking()} asks for it.
 *
 * {@snippet :
 * Router router = HttpServer.defaultRouter();
 * SampleLauncher.Starter starter = SampleMetrics.withMetrics(router, (group, address, options) ->
 *         HttpServer.listen(group, address, HttpConfig.defaults(), router));
 * }
 *
 * <p>One start per instance. The binder's watchdog watches end when the loops close; {@link #close()}
 * ends them sooner and removes the meters (tests close; the sample's process just exits).
 */
public final class SampleMetrics implements SampleLauncher.Starter, AutoCloseable {
    private final Router router;
    private final SampleLauncher.Starter serve;
    private PrometheusMeterRegistry registry;
    private LoopMetrics loopMetrics;
    private JvmGcMetrics gcMetrics;

    private SampleMetrics(Router router, SampleLauncher.Starter serve) {
        this.router = Objects.requireNonNull(router, "router");
        this.serve = Objects.requireNonNull(serve, "serve");
    }

    /** A starter that adds the metrics (and demo) routes to {@code router}, then runs {@code serve}. */
    public static SampleMetrics withMetrics(Router router, SampleLauncher.Starter serve) {
        return new SampleMetrics(router, serve);
    }

    @Override
    public SampleLauncher.Listener start(LoopGroup group, SocketAddress address, ServerOptions options) throws IOException {
        if (options.metrics()) {
            bind(group, options);
            router.add("/metrics", new MetricsRoute(registry));
        }
        if (options.demoBlocking()) {
            router.add("/block", new BlockRoute());
        }
        try {
            return serve.start(group, address, options);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void bind(LoopGroup group, ServerOptions options) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        loopMetrics = LoopMetrics.builder(group).blockedThreshold(options.blockedThreshold()).build();
        loopMetrics.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        // Not ProcessorMetrics: promtool's lint rejects two of its names (process_cpu_time_ns_total,
        // system_cpu_count), and the scrape is meant to pass it.
        // The first scrape loads and initializes the text writer's classes (tens of ms): pay that
        // here, on the main thread, so the first /metrics on a loop thread does not trip the alarm.
        registry.scrape();
    }

    /** The registry {@code /metrics} reads; empty before {@link #start} and with {@code --no-metrics}. */
    public Optional<PrometheusMeterRegistry> registry() {
        return Optional.ofNullable(registry);
    }

    /** Stops the loop probes and watches, and closes the registry. Idempotent. */
    @Override
    public void close() {
        if (loopMetrics != null) {
            loopMetrics.close();
        }
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
