package io.weft.samples.http;

import static io.weft.samples.metrics.SampleMetrics.withMetrics;

import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.vthreads.Carrier;
import io.weft.samples.SampleLauncher;
import io.weft.samples.ServerOptions;
import io.weft.samples.ServerStyle;
import java.io.IOException;

/**
 * {@code java -jar weft-http.jar [--port N] [--host H] [--unix PATH] [--loops N] [--poller NAME]
 * [--idle-timeout SECONDS] [--tls-cert FILE --tls-key FILE]}: the sample HTTP/1.1 server, HTTPS
 * with {@code --tls-cert}, whose certificate SIGHUP re-reads ({@link CertificateReload}). See the
 * samples README.
 */
public final class HttpMain {

    private HttpMain() {
    }

    /** Starts the server; exits 2 on a bad command line, 1 if it cannot listen. */
    public static void main(String[] args) {
        Router router = HttpServer.defaultRouter();
        // withMetrics adds /metrics (and /block with --demo-blocking) to the router once the group exists;
        // /debug/loops is added here, for the same reason.
        int code = SampleLauncher.launch("http", args, withMetrics(router, (group, address, options) -> {
            router.add("/debug/loops", new DebugLoopsRoute(group));
            if (options.tls().isPresent()) {
                ServerOptions.TlsFiles files = options.tls().get();
                CertificateStore certificates = new CertificateStore().loadPem(files.certificateChain(), files.privateKey());
                SampleLauncher.Listener server = HttpServer.listenTls(group, address, config(options),
                        tls(options, certificates), router);
                CertificateReload.onHangup(group.next(), certificates, files, System.out, System.err);
                return server;
            }
            return switch (options.style()) {
                case LOOP -> HttpServer.listen(group, address, config(options), router);
                case VTHREADS -> VirtualThreadHttpServer.listen(group, address, config(options), router, Carrier.LOOP);
            };
        }), System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * The TLS config of {@code --tls-cert} and {@code --tls-key}: the certificates of {@code store}
     * (which SIGHUP reloads, see {@link CertificateReload}), ALPN {@code http/1.1}.
     *
     * @throws IllegalArgumentException with {@code --style vthreads}, which has no TLS yet
     */
    static TlsConfig tls(ServerOptions options, CertificateStore store) {
        if (options.style() != ServerStyle.LOOP) {
            throw new IllegalArgumentException("--tls-cert works with --style loop only (TLS over blocking sockets is not built yet)");
        }
        return TlsConfig.builder().certificates(store).applicationProtocols("http/1.1").build();
    }

    /** The server's config from the command line. */
    public static HttpConfig config(ServerOptions options) {
        HttpConfig defaults = HttpConfig.defaults();
        return defaults.withIdleTimeout(options.idleTimeout())
                .withMinBodyRate(options.minBodyRate(), defaults.bodyRateGrace());
    }
}
