package io.weft.samples.echo;

import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.samples.SampleLauncher;

/**
 * {@code java -jar weft-echo.jar [--port N] [--host H] [--unix PATH] [--loops N] [--poller NAME]
 * [--idle-timeout SECONDS] [--style loop|vthreads] [--tls-cert FILE --tls-key FILE]}: the sample
 * echo server, over TLS with {@code --tls-cert}, in callbacks or in blocking style. See the samples README.
 */
public final class EchoMain {

    private EchoMain() {
    }

    /** Starts the server; exits 2 on a bad command line, 1 if it cannot listen. */
    public static void main(String[] args) {
        int code = SampleLauncher.launch("echo", args, (group, address, options) -> {
            TlsConfig tls = options.tls().isPresent() ? options.tls().get().serverConfig() : null;
            return switch (options.style()) {
                case LOOP -> tls == null
                        ? EchoServer.listen(group, address, options.idleTimeout())
                        : EchoServer.listenTls(group, address, options.idleTimeout(), tls);
                case VTHREADS -> BlockingEchoServer.listen(group, address, options.idleTimeout(), tls);
            };
        }, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }
}
