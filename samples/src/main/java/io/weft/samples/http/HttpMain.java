package io.weft.samples.http;

import static io.weft.samples.metrics.SampleMetrics.withMetrics;

import io.weft.loop.vthreads.Carrier;
import io.weft.samples.SampleLauncher;
import io.weft.samples.ServerOptions;

/**
 * {@code java -jar weft-http.jar [--port N] [--host H] [--loops N] [--poller NAME]
 * [--idle-timeout SECONDS]}: the sample HTTP/1.1 server. See the samples README.
 */
public final class HttpMain {

    private HttpMain() {
    }

    /** Starts the server; exits 2 on a bad command line, 1 if it cannot listen. */
    public static void main(String[] args) {
        Router router = HttpServer.defaultRouter();
        // withMetrics adds /metrics (and /block with --demo-blocking) to the router once the group exists.
        int code = SampleLauncher.launch("http", args, withMetrics(router,
                (group, address, options) -> switch (options.style()) {
            case LOOP -> HttpServer.listen(group, address, config(options), router);
            case VTHREADS -> VirtualThreadHttpServer.listen(group, address, config(options), router, Carrier.LOOP);
        }), System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The server's config from the command line. */
    public static HttpConfig config(ServerOptions options) {
        HttpConfig defaults = HttpConfig.defaults();
        return defaults.withIdleTimeout(options.idleTimeout())
                .withMinBodyRate(options.minBodyRate(), defaults.bodyRateGrace());
    }
}
