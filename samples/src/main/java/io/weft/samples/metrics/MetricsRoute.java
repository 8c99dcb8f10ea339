package io.weft.samples.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.weft.samples.http.CannedResponse;
import io.weft.samples.http.HttpRequest;
import io.weft.samples.http.Responder;
import io.weft.samples.http.Route;
import java.nio.charset.StandardCharsets;

/**
 * {@code /metrics}: the registry's scrape in the Prometheus text format 0.0.4, for GET and HEAD.
 *
 * <p>The scrape runs on the loop thread that serves the request. It reads the meters' current
 * values (the loop meters read {@code LoopStats}) and writes about 500 lines: 0.3 ms once
 * JIT-compiled, a few ms before. The first one, tens of ms of class loading, runs at startup in
 * {@link SampleMetrics}. That is far below the 100 ms blocked threshold, once per scrape interval.
 * Running it off the loop would need the HTTP handler to answer after {@code respond} returns, out
 * of the order of a pipelined batch, which it does not do.
 */
final class MetricsRoute implements Route {
    /** The Prometheus text exposition format (what {@code promtool check metrics} reads). */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final CannedResponse GET_OR_HEAD_ONLY = CannedResponse.of(405, "Method Not Allowed",
            "text/plain", "Method Not Allowed\n", "Allow: GET, HEAD");

    private final PrometheusMeterRegistry registry;

    MetricsRoute(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void respond(HttpRequest request, Responder responder) {
        switch (request.method()) {
            case GET, HEAD -> responder.send(200, "OK", CONTENT_TYPE,
                    registry.scrape().getBytes(StandardCharsets.UTF_8));
            default -> responder.send(GET_OR_HEAD_ONLY);
        }
    }
}
