package io.weft.samples;

import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The command-line options every sample server takes; parsed by {@link #parse}.
 *
 * @param host the address to bind (default {@code 127.0.0.1})
 * @param port the port to bind, 0 for an ephemeral one (default 8080)
 * @param loops how many event loops (default: available processors)
 * @param poller the poller by name ({@code nio}, {@code epoll}); empty for the best available
 * @param idleTimeout close a connection idle this long; zero for never (default 30 s)
 * @param style how connections are served (default {@link ServerStyle#LOOP})
 * @param metrics whether to bind loop-metrics and serve {@code /metrics} (default true; {@code --no-metrics})
 * @param blockedThreshold how long one task may hold a loop before the watchdog's alarm (default 100 ms)
 * @param demoBlocking whether to add the {@code /block?ms=N} route that blocks a loop on purpose (default false)
 * @param minBodyRate the slowest an http request body may arrive, in bytes per second after a 5 s
 *     grace, before it is answered 408; 0 for no minimum (default 240)
 * @param tls serve TLS with this certificate chain and key ({@code --tls-cert}, {@code --tls-key}); empty
 *     for plaintext (the default)
 * @param unix listen on the Unix domain socket at this path instead of {@code host} and {@code port}
 *     ({@code --unix}); empty for TCP (the default)
 */
public record ServerOptions(
        String host, int port, int loops, Optional<String> poller, Duration idleTimeout, ServerStyle style,
        boolean metrics, Duration blockedThreshold, boolean demoBlocking, long minBodyRate, Optional<TlsFiles> tls,
        Optional<Path> unix) {

    /**
     * The PEM files of a TLS server.
     *
     * @param certificateChain the chain, leaf first
     * @param privateKey the unencrypted PKCS#8 key
     */
    public record TlsFiles(Path certificateChain, Path privateKey) {
        /** The usage lines of {@code --tls-cert} and {@code --tls-key}, the same in every sample. */
        public static final String USAGE = """
                  --tls-cert FILE         serve TLS with this PEM certificate chain, leaf first (with --tls-key;
                                          scripts/make-test-certs.sh makes throw-away ones)
                  --tls-key FILE          the certificate's unencrypted PKCS#8 PEM private key
                """;

        /** Checks that neither is null. */
        public TlsFiles {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
        }

        /**
         * The files of {@code --tls-cert} and {@code --tls-key}, which go together.
         *
         * @param certificateChain the {@code --tls-cert} value, or null if it was not given
         * @param privateKey the {@code --tls-key} value, or null if it was not given
         * @return both files, or empty when neither was given (plaintext)
         * @throws IllegalArgumentException if only one was given, saying so
         */
        public static Optional<TlsFiles> of(Path certificateChain, Path privateKey) {
            if ((certificateChain == null) != (privateKey == null)) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both files, or neither");
            }
            return certificateChain == null ? Optional.empty() : Optional.of(new TlsFiles(certificateChain, privateKey));
        }

        /**
         * A server's TLS config: this chain and key, TLS 1.3 and 1.2, and ALPN with {@code
         * applicationProtocols} in preference order (none: no ALPN).
         *
         * @param applicationProtocols the ALPN protocols the server accepts, most preferred first
         * @return the config
         * @throws IOException if a file cannot be read or parsed, naming it
         */
        public TlsConfig serverConfig(String... applicationProtocols) throws IOException {
            return serverConfig(certificates(), applicationProtocols);
        }

        /**
         * A store holding this chain and key, which a reload can later replace.
         *
         * @return the store
         * @throws IOException if a file cannot be read or parsed, naming it
         */
        public CertificateStore certificates() throws IOException {
            return new CertificateStore().loadPem(certificateChain, privateKey);
        }

        /**
         * A server's TLS config: the certificates of {@code store}, TLS 1.3 and 1.2, and ALPN with
         * {@code applicationProtocols} in preference order (none: no ALPN).
         *
         * @param store the certificates to present, read at each handshake
         * @param applicationProtocols the ALPN protocols the server accepts, most preferred first
         * @return the config
         */
        public static TlsConfig serverConfig(CertificateStore store, String... applicationProtocols) {
            TlsConfig.Builder builder = TlsConfig.builder().certificates(store);
            if (applicationProtocols.length > 0) {
                builder.applicationProtocols(applicationProtocols);
            }
            return builder.build();
        }
    }
    /** The default of {@link #minBodyRate()}. */
    public static final long DEFAULT_MIN_BODY_RATE = 240;

    /** The default of {@link #blockedThreshold()}, loop-metrics' own. */
    public static final Duration DEFAULT_BLOCKED_THRESHOLD = Duration.ofMillis(100);

    /** Checks that nothing is null and that the threshold is positive. */
    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(poller, "poller");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(blockedThreshold, "blockedThreshold");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(unix, "unix");
        if (blockedThreshold.isNegative() || blockedThreshold.isZero()) {
            throw new IllegalArgumentException("blockedThreshold must be positive, got " + blockedThreshold);
        }
        if (minBodyRate < 0) {
            throw new IllegalArgumentException("minBodyRate must be >= 0, got " + minBodyRate);
        }
    }

    /** Options on TCP, with or without TLS. */
    public ServerOptions(String host, int port, int loops, Optional<String> poller, Duration idleTimeout,
            ServerStyle style, boolean metrics, Duration blockedThreshold, boolean demoBlocking, long minBodyRate,
            Optional<TlsFiles> tls) {
        this(host, port, loops, poller, idleTimeout, style, metrics, blockedThreshold, demoBlocking, minBodyRate, tls,
                Optional.empty());
    }

    /** Options without TLS. */
    public ServerOptions(String host, int port, int loops, Optional<String> poller, Duration idleTimeout,
            ServerStyle style, boolean metrics, Duration blockedThreshold, boolean demoBlocking, long minBodyRate) {
        this(host, port, loops, poller, idleTimeout, style, metrics, blockedThreshold, demoBlocking, minBodyRate,
                Optional.empty());
    }

    /** Options with the metrics settings (metrics on, 100 ms, no blocking demo) and the body rate at their defaults. */
    public ServerOptions(String host, int port, int loops, Optional<String> poller, Duration idleTimeout,
            ServerStyle style) {
        this(host, port, loops, poller, idleTimeout, style, true, DEFAULT_BLOCKED_THRESHOLD, false,
                DEFAULT_MIN_BODY_RATE);
    }

    /** The defaults, as documented on each component. */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, Runtime.getRuntime().availableProcessors(), Optional.empty(),
                Duration.ofSeconds(30), ServerStyle.LOOP);
    }

    /** The usage text of a sample called {@code command}. */
    public static String usage(String command) {
        return """
                usage: java -jar weft-%s.jar [options]
                  --host ADDRESS          address to bind (default 127.0.0.1)
                  --port N                port to bind, 0 for any free one (default 8080)
                  --unix PATH             listen on a Unix domain socket at PATH instead of --host/--port
                                          (a stale socket file is replaced; the file is removed on stop)
                  --loops N               event loops (default: available processors)
                  --poller NAME           poller: nio, epoll, ... (default: -Dweft.poller, else the best available)
                  --idle-timeout SECONDS  close connections idle this long, 0 for never (default 30)
                  --style NAME            how connections are served: loop (callbacks) or vthreads
                                          (blocking code on virtual threads) (default loop)
                  --metrics               serve /metrics (Prometheus) with the loops' meters (the default)
                  --no-metrics            bind no meters and serve no /metrics
                  --blocked-threshold MS  log a loop blocked by one task this long, in ms (default 100)
                  --demo-blocking         add /block?ms=N, which blocks a loop on purpose (a demo, never in production)
                  --min-body-rate BYTES   answer 408 to a request body slower than this many bytes/s once 5 s
                                          have passed, 0 for no minimum (http only) (default 240)
                %s  --help                  print this and exit
                """.formatted(command, TlsFiles.USAGE);
    }

    /**
     * Parses {@code --name value} and {@code --name=value} options.
     *
     * @throws UsageException for an unknown option, a missing or bad value, or {@code --help}
     */
    public static ServerOptions parse(String... args) throws UsageException {
        ServerOptions o = defaults();
        String host = o.host;
        int port = o.port;
        int loops = o.loops;
        Optional<String> poller = o.poller;
        Duration idleTimeout = o.idleTimeout;
        ServerStyle style = o.style;
        boolean metrics = o.metrics;
        Duration blockedThreshold = o.blockedThreshold;
        boolean demoBlocking = o.demoBlocking;
        long minBodyRate = o.minBodyRate;
        Path tlsCert = null;
        Path tlsKey = null;
        Optional<Path> unix = Optional.empty();
        boolean hostOrPort = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new UsageException("", true);
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (isFlag(name)) {
                if (value != null) {
                    throw new UsageException(name + " takes no value, got '" + arg + "'", false);
                }
                switch (name) {
                    case "--metrics" -> metrics = true;
                    case "--no-metrics" -> metrics = false;
                    case "--demo-blocking" -> demoBlocking = true;
                    default -> throw new AssertionError(name);
                }
                continue;
            }
            if (!isKnown(name)) {
                throw new UsageException("unknown option '" + arg + "'", false);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value", false);
                }
                value = args[++i];
            }
            hostOrPort |= name.equals("--host") || name.equals("--port");
            switch (name) {
                case "--host" -> host = nonBlank(name, value);
                case "--port" -> port = intIn(name, value, 0, 65535);
                case "--unix" -> unix = Optional.of(Path.of(nonBlank(name, value)));
                case "--loops" -> loops = intIn(name, value, 1, 1024);
                case "--poller" -> poller = Optional.of(nonBlank(name, value));
                case "--idle-timeout" -> idleTimeout = Duration.ofSeconds(intIn(name, value, 0, 86_400));
                case "--style" -> style = ServerStyle.parse(value);
                case "--blocked-threshold" -> blockedThreshold = Duration.ofMillis(intIn(name, value, 1, 3_600_000));
                case "--min-body-rate" -> minBodyRate = intIn(name, value, 0, Integer.MAX_VALUE);
                case "--tls-cert" -> tlsCert = Path.of(nonBlank(name, value));
                case "--tls-key" -> tlsKey = Path.of(nonBlank(name, value));
                default -> throw new AssertionError(name);
            }
        }
        Optional<TlsFiles> tls;
        try {
            tls = TlsFiles.of(tlsCert, tlsKey);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), false);
        }
        if (unix.isPresent() && hostOrPort) {
            throw new UsageException("--unix replaces --host and --port: give one or the other", false);
        }
        return new ServerOptions(host, port, loops, poller, idleTimeout, style, metrics, blockedThreshold,
                demoBlocking, minBodyRate, tls, unix);
    }

    private static boolean isKnown(String name) {
        return switch (name) {
            case "--host", "--port", "--unix", "--loops", "--poller", "--idle-timeout", "--style" -> true;
            case "--blocked-threshold", "--min-body-rate", "--tls-cert", "--tls-key" -> true;
            default -> false;
        };
    }

    /** Options that take no value. */
    private static boolean isFlag(String name) {
        return switch (name) {
            case "--metrics", "--no-metrics", "--demo-blocking" -> true;
            default -> false;
        };
    }

    private static String nonBlank(String name, String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException(name + " needs a non-empty value", false);
        }
        return value.strip();
    }

    private static int intIn(String name, String value, int min, int max) throws UsageException {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(name + " needs a whole number from " + min + " to " + max + ", got '" + value + "'",
                false);
    }
}
