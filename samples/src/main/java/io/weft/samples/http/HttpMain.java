package io.weft.samples.http;

import static io.weft.samples.metrics.SampleMetrics.withMetrics;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.core.net.tls.TlsServer;
import io.weft.loop.vthreads.Carrier;
import io.weft.samples.SampleLauncher;
import io.weft.samples.ServerOptions;
import io.weft.samples.ServerStyle;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * {@code java -jar weft-http.jar [--port N] [--host H] [--loops N] [--poller NAME]
 * [--idle-timeout SECONDS] [--tls-cert FILE --tls-key FILE]}: the sample HTTP/1.1 server, HTTPS
 * with {@code --tls-cert}. See the samples README.
 */
public final class HttpMain {

    private HttpMain() {
    }

    /** Starts the server; exits 2 on a bad command line, 1 if it cannot listen. */
    public static void main(String[] args) {
        Router router = HttpServer.defaultRouter();
        // withMetrics adds /metrics (and /block with --demo-blocking) to the router once the group exists.
        int code = SampleLauncher.launch("http", args, withMetrics(router,
                (group, address, options) -> {
            HttpConfig config = HttpConfig.defaults().withIdleTimeout(options.idleTimeout());
            if (options.tls().isPresent()) {
                return https(group, address, config, options, router);
            }
            return switch (options.style()) {
                case LOOP -> SampleLauncher.Listener.of(HttpServer.listen(group, address, config, router));
                case VTHREADS -> VirtualThreadHttpServer.listen(group, address, config, router, Carrier.LOOP);
            };
        }), System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Serves HTTPS with the certificate files of {@code --tls-cert} and {@code --tls-key}. */
    private static SampleLauncher.Listener https(LoopGroup group, InetSocketAddress address, HttpConfig config,
            ServerOptions options, Router router) throws IOException {
        if (options.style() != ServerStyle.LOOP) {
            throw new IllegalArgumentException("--tls-cert works with --style loop only (TLS over blocking sockets is not built yet)");
        }
        ServerOptions.TlsFiles files = options.tls().orElseThrow();
        TlsConfig tls = TlsConfig.builder()
                .certificates(new CertificateStore().loadPem(files.certificateChain(), files.privateKey()))
                .applicationProtocols("http/1.1").build();
        TlsServer server = HttpServer.listenTls(group, address, config, tls, router);
        return new SampleLauncher.Listener() {
            @Override
            public InetSocketAddress localAddress() {
                return server.localAddress();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
