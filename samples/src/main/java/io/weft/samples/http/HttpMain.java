package io.weft.samples.http;

import static io.weft.samples.metrics.SampleMetrics.withMetrics;

import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.vthreads.Carrier;
import io.weft.samples.SampleLauncher;
import io.weft.samples.ServerOptions;
import java.util.Optional;

/**
 * {@code java -jar weft-http.jar [--port N] [--host H] [--unix PATH] [--loops N] [--poller NAME]
 * [--idle-timeout SECONDS] [--style loop|vthreads] [--tls-cert FILE --tls-key FILE]}: the sample HTTP/1.1
 * server, HTTPS with {@code --tls-cert} (ALPN {@code http/1.1}) in either style, whose certificate
 * SIGHUP re-reads ({@link CertificateReload}). See the samples README.
 */
public final class HttpMain {
    /** The one application protocol the server speaks, offered by ALPN over TLS. */
    private static final String ALPN = "http/1.1";

    private HttpMain() {
    }

    /** Starts the server; exits 2 on a bad command line, 1 if it cannot listen. */
    public static void main(String[] args) {
        Router router = HttpServer.defaultRouter();
        // withMetrics adds /metrics (and /block with --demo-blocking) to the router once the group exists;
        // /debug/loops is added here, for the same reason.
        int code = SampleLauncher.launch("http", args, withMetrics(router, (group, address, options) -> {
            router.add("/debug/loops", new DebugLoopsRoute(group));
            Optional<ServerOptions.TlsFiles> files = options.tls();
            if (files.isEmpty()) {
                return switch (options.style()) {
                    case LOOP -> HttpServer.listen(group, address, config(options), router);
                    case VTHREADS -> VirtualThreadHttpServer.listen(group, address, config(options), router, Carrier.LOOP);
                };
            }
            CertificateStore certificates = files.get().certificates();
            TlsConfig tls = ServerOptions.TlsFiles.serverConfig(certificates, ALPN);
            SampleLauncher.Listener server = switch (options.style()) {
                case LOOP -> HttpServer.listenTls(group, address, config(options), tls, router);
                case VTHREADS -> VirtualThreadHttpServer.listenTls(group, address, config(options), tls, router,
                        Carrier.LOOP);
            };
            CertificateReload.onHangup(group.next(), certificates, files.get(), System.out, System.err);
            return server;
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
