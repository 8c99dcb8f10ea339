package io.weft.samples;

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
 */
public record ServerOptions(
        String host, int port, int loops, Optional<String> poller, Duration idleTimeout, ServerStyle style) {

    /** Checks that nothing is null. */
    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(poller, "poller");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(style, "style");
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
                  --loops N               event loops (default: available processors)
                  --poller NAME           poller: nio, epoll, ... (default: -Dweft.poller, else the best available)
                  --idle-timeout SECONDS  close connections idle this long, 0 for never (default 30)
                  --style NAME            how connections are served: loop (callbacks) or vthreads
                                          (blocking code on virtual threads; http only) (default loop)
                  --help                  print this and exit
                """.formatted(command);
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
            if (!isKnown(name)) {
                throw new UsageException("unknown option '" + arg + "'", false);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value", false);
                }
                value = args[++i];
            }
            switch (name) {
                case "--host" -> host = nonBlank(name, value);
                case "--port" -> port = intIn(name, value, 0, 65535);
                case "--loops" -> loops = intIn(name, value, 1, 1024);
                case "--poller" -> poller = Optional.of(nonBlank(name, value));
                case "--idle-timeout" -> idleTimeout = Duration.ofSeconds(intIn(name, value, 0, 86_400));
                case "--style" -> style = ServerStyle.parse(value);
                default -> throw new AssertionError(name);
            }
        }
        return new ServerOptions(host, port, loops, poller, idleTimeout, style);
    }

    private static boolean isKnown(String name) {
        return switch (name) {
            case "--host", "--port", "--loops", "--poller", "--idle-timeout", "--style" -> true;
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
