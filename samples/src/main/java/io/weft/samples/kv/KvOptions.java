package io.weft.samples.kv;

import io.weft.loop.vthreads.Carrier;
import io.weft.samples.ServerOptions.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The command line of the kv sample: the options every sample takes (but {@code --style}), with a
 * port of its own and {@code --carrier}, {@code --max-bulk}, {@code --max-request} and {@code --max-query-memory}.
 * {@code --tls-cert} and {@code --tls-key} are the other samples' ({@link TlsFiles}): the port then
 * speaks only TLS, as {@code redis-server --tls-port} does.
 *
 * @param host the address to bind (default {@code 127.0.0.1})
 * @param port the port to bind, 0 for any free one (default 6380, beside a real Redis's 6379)
 * @param loops how many event loops (default: available processors)
 * @param poller the poller by name; empty for the best available
 * @param config how connections are served
 * @param tls serve TLS with this certificate chain and key; empty for plaintext (the default)
 * @param unix listen on the Unix domain socket at this path instead of {@code host} and {@code port}
 *     ({@code --unix}); empty for TCP (the default)
 */
public record KvOptions(String host, int port, int loops, Optional<String> poller, KvConfig config,
        Optional<TlsFiles> tls, Optional<Path> unix) {
    /** The default port: one above Redis's, so both can run side by side. */
    public static final int DEFAULT_PORT = 6380;

    /** Checks that nothing is null. */
    public KvOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(poller, "poller");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(unix, "unix");
    }

    /**
     * Options on TCP, with or without TLS.
     *
     * @param host the address to bind
     * @param port the port to bind, 0 for any free one
     * @param loops how many event loops
     * @param poller the poller by name; empty for the best available
     * @param config how connections are served
     * @param tls serve TLS with this certificate chain and key; empty for plaintext
     */
    public KvOptions(String host, int port, int loops, Optional<String> poller, KvConfig config,
            Optional<TlsFiles> tls) {
        this(host, port, loops, poller, config, tls, Optional.empty());
    }

    /**
     * Options on TCP without TLS.
     *
     * @param host the address to bind
     * @param port the port to bind, 0 for any free one
     * @param loops how many event loops
     * @param poller the poller by name; empty for the best available
     * @param config how connections are served
     */
    public KvOptions(String host, int port, int loops, Optional<String> poller, KvConfig config) {
        this(host, port, loops, poller, config, Optional.empty());
    }

    /** The usage text. */
    public static String usage() {
        return """
                usage: java -jar weft-kv.jar [options]
                  --host ADDRESS          address to bind (default 127.0.0.1)
                  --port N                port to bind, 0 for any free one (default 6380)
                  --unix PATH             listen on a Unix domain socket at PATH instead of --host/--port
                                          (redis-cli -s PATH; the file is removed on stop)
                  --loops N               event loops (default: available processors)
                  --poller NAME           poller: nio, epoll, ... (default: -Dweft.poller, else the best available)
                  --carrier NAME          what runs the connection threads: loop (the loop thread) or pool
                                          (the JDK's scheduler) (default loop)
                  --idle-timeout SECONDS  close connections idle this long, 0 for never (default 0)
                  --max-bulk BYTES        longest key or value a request may carry, at most 536870912
                                          (default 67108864)
                  --max-request BYTES     most one request may hold while it is read (default 134217728)
                  --max-query-memory BYTES
                                          most all requests being read may hold together
                                          (default: a quarter of the maximum heap)
                """ + TlsFiles.USAGE + """
                  --help                  print this and exit
                """;
    }

    /** Whether {@code args} asks for the usage. */
    static boolean wantsHelp(String... args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses {@code --name value} and {@code --name=value} options.
     *
     * @throws IllegalArgumentException for an unknown option or a missing or bad value; the message says which
     */
    public static KvOptions parse(String... args) {
        String host = "127.0.0.1";
        int port = DEFAULT_PORT;
        int loops = Runtime.getRuntime().availableProcessors();
        Optional<String> poller = Optional.empty();
        KvConfig config = KvConfig.defaults();
        Optional<Path> unix = Optional.empty();
        boolean hostOrPort = false;
        Path tlsCert = null;
        Path tlsKey = null;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = null;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!name.matches("--(host|port|unix|loops|poller|carrier|idle-timeout|max-bulk|max-request|max-query-memory|tls-cert|tls-key)")) {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[++i];
            }
            value = value.strip();
            hostOrPort |= name.equals("--host") || name.equals("--port");
            switch (name) {
                case "--host" -> host = nonBlank(name, value);
                case "--port" -> port = (int) number(name, value, 0, 65535);
                case "--unix" -> unix = Optional.of(Path.of(nonBlank(name, value)));
                case "--loops" -> loops = (int) number(name, value, 1, 1024);
                case "--poller" -> poller = Optional.of(nonBlank(name, value));
                case "--carrier" -> config = config.withCarrier(carrier(value));
                case "--idle-timeout" -> config = config.withIdleTimeout(Duration.ofSeconds(number(name, value, 0, 86_400)));
                case "--max-bulk" -> config = config.withLimits(
                        config.limits().withMaxBulkBytes((int) number(name, value, 0, RespLimits.BULK_CEILING)));
                case "--max-request" -> config = config.withQueryMemory(
                        number(name, value, 1, Long.MAX_VALUE), config.maxQueryMemory());
                case "--max-query-memory" -> config = config.withQueryMemory(
                        config.maxRequestBytes(), number(name, value, 1, Long.MAX_VALUE));
                case "--tls-cert" -> tlsCert = Path.of(nonBlank(name, value));
                case "--tls-key" -> tlsKey = Path.of(nonBlank(name, value));
                default -> throw new AssertionError(name);
            }
        }
        if (unix.isPresent() && hostOrPort) {
            throw new IllegalArgumentException("--unix replaces --host and --port: give one or the other");
        }
        return new KvOptions(host, port, loops, poller, config, TlsFiles.of(tlsCert, tlsKey), unix);
    }

    private static Carrier carrier(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "loop" -> Carrier.LOOP;
            case "pool" -> Carrier.POOL;
            default -> throw new IllegalArgumentException("--carrier: unknown carrier '" + value + "'; available: loop, pool");
        };
    }

    private static String nonBlank(String name, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a non-empty value");
        }
        return value;
    }

    private static long number(String name, String value, long min, long max) {
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " needs a whole number from " + min + " to " + max + ", got '" + value + "'");
    }
}
