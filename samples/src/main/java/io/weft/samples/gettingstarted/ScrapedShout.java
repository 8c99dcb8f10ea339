package io.weft.samples.gettingstarted;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.metrics.LoopMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Getting started, step 3: the loops' meters (lag, utilization, events, blocked callbacks) in a
 * Prometheus registry, scraped over HTTP at {@code /metrics} by the JDK's own small HTTP server on
 * its own thread, off the loops.
 */
public final class ScrapedShout {
    private ScrapedShout() {
    }

    /** Binds {@code group}'s meters to a new Prometheus registry. */
    public static PrometheusMeterRegistry meters(LoopGroup group) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LoopMetrics.of(group.loops()).bindTo(registry);
        return registry;
    }

    /** Serves {@code registry}'s scrape at {@code http://address/metrics}; stop it with {@code stop(0)}. */
    public static HttpServer serveScrape(PrometheusMeterRegistry registry, InetSocketAddress address) throws IOException {
        HttpServer http = HttpServer.create(address, 0);
        http.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        return http;
    }

    /** Runs the callback-style server on port 7000 and its scrape on http://127.0.0.1:9400/metrics. */
    public static void main(String[] args) throws IOException {
        LoopGroup group = LoopGroup.create();
        CallbackShout.listen(group, new InetSocketAddress("127.0.0.1", 7000));
        serveScrape(meters(group), new InetSocketAddress("127.0.0.1", 9400));
        System.out.println("shouting on 127.0.0.1:7000, metrics on http://127.0.0.1:9400/metrics");
    }
}
