package io.weft.samples;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.tls.TlsServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * Runs a sample server: parses the options, builds the {@link LoopGroup}, listens, prints one
 * {@code listening on} line, and stops gracefully on SIGINT or SIGTERM ({@link StopSignals}): exit
 * status 0 after a clean stop, 1 after one that hit its bound. The loop threads keep the JVM alive until then.
 */
public final class SampleLauncher {
    /** How long a stop lets the server finish what it started before it closes what is left. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    /** Starts a sample's server on a group built from the options. */
    @FunctionalInterface
    public interface Starter {
        /** Listens as {@code options} say, serving on {@code group}. */
        Listener start(LoopGroup group, SocketAddress address, ServerOptions options) throws IOException;
    }

    /**
     * What a started server offers the launcher: a {@link TcpServer} ({@link #of}) or a server on a
     * {@code BlockingServerSocket}, which exposes no {@code TcpServer}.
     */
    public interface Listener {
        /** The bound address, with the real port, or the Unix domain socket's path. */
        SocketAddress localAddress();

        /** Stops accepting; open connections stay until the group shuts down. */
        void close();

        /**
         * After {@link #close()}: finishes what the server started and closes its connections by
         * {@code deadlineNanos} ({@link System#nanoTime()}) at the latest; returns whether all
         * finished. A server that tracks no connections has nothing to finish here; the group's
         * shutdown closes them.
         */
        default boolean drain(long deadlineNanos) throws InterruptedException {
            return true;
        }

        /** The listener of a callback-style server that tracks no connections. */
        static Listener of(TcpServer server) {
            return of(server, null);
        }

        /** The listener of a callback-style server whose handlers record themselves in {@code open} (or null). */
        static Listener of(TcpServer server, OpenConnections<?> open) {
            return of(server::localAddress, server::close, open);
        }

        /**
         * The listener of a callback-style TLS server whose handlers record themselves in {@code open}.
         *
         * @param server the listening server
         * @param open the connections its handlers opened, drained by {@link #drain}
         * @return the listener
         */
        static Listener of(TlsServer server, OpenConnections<?> open) {
            return of(server::localAddress, server::close, open);
        }

        private static Listener of(java.util.function.Supplier<SocketAddress> address, Runnable stop,
                OpenConnections<?> open) {
            return new Listener() {
                @Override
                public SocketAddress localAddress() {
                    return address.get();
                }

                @Override
                public void close() {
                    stop.run();
                }

                @Override
                public boolean drain(long deadlineNanos) throws InterruptedException {
                    return open == null || open.drain(deadlineNanos);
                }
            };
        }
    }

    /** A started sample: its group, its server and its banner line. */
    public record Running(String sample, LoopGroup group, Listener server) {

        /** The line printed once the server is ready. */
        public String banner() {
            return "weft " + sample + " listening on " + ListenAddress.format(server.localAddress()) + " (" + group.size()
                    + (group.size() == 1 ? " loop, " : " loops, ") + group.next().pollerName() + " poller)";
        }

        /**
         * Stops gracefully within {@code grace} plus {@link GracefulStop#THREAD_BOUND} (see {@link
         * GracefulStop#stop}); returns whether the stop was clean. What is left is reported on stderr.
         */
        public boolean stop(Duration grace) {
            return GracefulStop.stop(group, server::close, server::drain, grace, System.err);
        }
    }

    private SampleLauncher() {
    }

    /**
     * Runs sample {@code sample} with the command line {@code args}. Returns 0 once the server is
     * listening (the loops go on), 2 for a bad command line, 1 if the server could not start.
     */
    public static int launch(String sample, String[] args, Starter starter, PrintStream out, PrintStream err) {
        ServerOptions options;
        try {
            options = ServerOptions.parse(args);
        } catch (UsageException e) {
            if (e.helpRequested()) {
                out.print(ServerOptions.usage(sample));
                return 0;
            }
            err.println("weft " + sample + ": " + e.getMessage());
            err.print(ServerOptions.usage(sample));
            return 2;
        }
        // Log lines carry local time: load the time-zone data now, while file descriptors are free,
        // not at the first alarm of a server that has run out of them.
        java.time.ZoneId.systemDefault().getRules();
        Running running;
        try {
            running = start(sample, options, starter);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("weft " + sample + ": " + e.getMessage()); // an unknown or unavailable --poller
            err.print(ServerOptions.usage(sample));
            return 2;
        } catch (IOException e) {
            err.println("weft " + sample + ": cannot listen on " + options.unix().map(path -> "unix:" + path)
                    .orElse(options.host() + ":" + options.port()) + ": " + e);
            return 1;
        }
        StopSignals.install(sample, () -> running.stop(SHUTDOWN_GRACE), out, err);
        out.println(running.banner());
        out.flush();
        return 0;
    }

    /**
     * Builds the group and listens, without touching the JVM (no hook, no output): for tests and
     * embedding. On failure nothing is left running.
     */
    public static Running start(String sample, ServerOptions options, Starter starter) throws IOException {
        LoopGroup.Builder builder = LoopGroup.builder().size(options.loops()).name("weft-" + sample);
        options.poller().ifPresent(builder::poller);
        LoopGroup group = builder.build();
        GracefulStop.trackTasks(group);
        try {
            SocketAddress address = ListenAddress.of(options.host(), options.port(), options.unix());
            return new Running(sample, group, starter.start(group, address, options));
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }
}
