package io.weft.samples.kv;

import io.weft.loop.core.LoopGroup;
import io.weft.samples.GracefulStop;
import io.weft.samples.ListenAddress;
import io.weft.samples.SampleLauncher;
import io.weft.samples.StopSignals;
import java.io.IOException;
import java.io.PrintStream;
import java.net.SocketAddress;

/**
 * {@code java -jar weft-kv.jar [--port N] [--host H] [--unix PATH] [--loops N] [--poller NAME] [--carrier loop|pool]
 * [--idle-timeout SECONDS] [--max-bulk BYTES] [--tls-cert FILE --tls-key FILE]}: the sample RESP2
 * key-value server, over TLS with {@code --tls-cert}. See the samples README.
 *
 * <p>It launches as {@link SampleLauncher} does (same banner, exit codes and shutdown on SIGINT or
 * SIGTERM) but on its own: its options differ, and its listener is a {@code BlockingServerSocket},
 * not the {@code TcpServer} that {@link SampleLauncher.Starter} returns.
 */
public final class KvMain {

    private KvMain() {
    }

    /** Starts the server; exits 2 on a bad command line, 1 if it cannot listen. */
    public static void main(String[] args) {
        int code = launch(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** A started server and its group. */
    record Running(LoopGroup group, KvServer server) {

        String banner() {
            return "weft kv listening on " + ListenAddress.format(server.localAddress()) + " (" + group.size() + (group.size() == 1 ? " loop, " : " loops, ")
                    + group.next().pollerName() + " poller, " + server.carrier().name().toLowerCase(java.util.Locale.ROOT)
                    + " carrier)";
        }

        /** Stops as {@link SampleLauncher.Running#stop} does; returns whether the stop was clean. */
        boolean stop() {
            return GracefulStop.stop(group, server::close, server, SampleLauncher.SHUTDOWN_GRACE,
                    System.err);
        }
    }

    /** Returns 0 once listening (the loops go on), 2 for a bad command line, 1 if it cannot listen. */
    static int launch(String[] args, PrintStream out, PrintStream err) {
        if (KvOptions.wantsHelp(args)) {
            out.print(KvOptions.usage());
            return 0;
        }
        KvOptions options;
        Running running;
        try {
            options = KvOptions.parse(args);
            running = start(options);
        } catch (IllegalArgumentException | IllegalStateException e) { // a bad option, an unknown --poller
            err.println("weft kv: " + e.getMessage());
            err.print(KvOptions.usage());
            return 2;
        } catch (IOException e) {
            err.println("weft kv: cannot listen: " + e);
            return 1;
        }
        StopSignals.install("kv", running::stop, out, err);
        out.println(running.banner());
        out.flush();
        return 0;
    }

    /** Builds the group and listens; on failure nothing is left running. */
    static Running start(KvOptions options) throws IOException {
        LoopGroup.Builder builder = LoopGroup.builder().size(options.loops()).name("weft-kv");
        options.poller().ifPresent(builder::poller);
        LoopGroup group = builder.build();
        GracefulStop.trackTasks(group);
        try {
            SocketAddress address = ListenAddress.of(options.host(), options.port(), options.unix());
            return new Running(group, options.tls().isEmpty()
                    ? KvServer.listen(group, address, options.config())
                    : KvServer.listenTls(group, address, options.config(), options.tls().get().serverConfig()));
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }
}
