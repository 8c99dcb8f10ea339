package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Interest;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.Watcher;
import io.weft.loop.core.spi.FdExhaustedException;
import io.weft.loop.core.spi.ServerSocketHandle;
import io.weft.loop.core.spi.SocketHandle;
import io.weft.loop.core.spi.TcpBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * A listening TCP server whose accepted connections are spread over one loop or a {@link
 * LoopGroup}. Each accepted connection gets a fresh handler from the supplier, on the thread of
 * the loop it lands on.
 *
 * <p>On a group, a backend with {@code SO_REUSEPORT} gets one listener per loop (the kernel
 * spreads connections); otherwise one loop accepts and hands each connection to the next loop,
 * round robin.
 *
 * <p><b>Out of file descriptors.</b> When accept fails with EMFILE/ENFILE the server does what
 * libuv does: it closes a reserved descriptor, accepts and closes the waiting connections (counted
 * as shed in {@link TcpStats}), reopens the reserve, and pauses accepting briefly, so the loop
 * never spins; it resumes by itself.
 *
 * <p><b>Threads.</b> {@link #listen} and {@link #close()} are safe from any thread.
 */
public final class TcpServer implements AutoCloseable {
    static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);
    private static final int MAX_ACCEPTS_PER_EVENT = 64;

    private final List<Acceptor> acceptors = new ArrayList<>();
    private final InetSocketAddress localAddress;

    private TcpServer(List<EventLoop> listenLoops, Supplier<EventLoop> targets, InetSocketAddress address,
            TcpOptions options, Supplier<? extends ConnectionHandler> handlers) throws IOException {
        TcpBackend backend = listenLoops.get(0).tcpBackend();
        boolean reusePort = listenLoops.size() > 1;
        InetSocketAddress bound = address;
        try {
            for (EventLoop loop : listenLoops) {
                ServerSocketHandle socket = backend.listen(bound, options, reusePort);
                bound = socket.localAddress(); // the others bind the same (ephemeral) port
                acceptors.add(new Acceptor(loop, socket, reusePort ? () -> loop : targets, options, handlers));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        localAddress = bound;
        for (Acceptor acceptor : acceptors) {
            acceptor.start();
        }
    }

    /**
     * Listens on {@code address} (port 0 for an ephemeral port, see {@link #localAddress()}) and
     * serves every connection on {@code loop}.
     *
     * @throws IOException if the address cannot be bound, naming it
     */
    public static TcpServer listen(EventLoop loop, InetSocketAddress address, TcpOptions options,
            Supplier<? extends ConnectionHandler> handlers) throws IOException {
        Objects.requireNonNull(loop, "loop");
        check(address, options, handlers);
        return new TcpServer(List.of(loop), () -> loop, address, options, handlers);
    }

    /**
     * Listens on {@code address} and spreads connections over the loops of {@code group}.
     *
     * @throws IOException if the address cannot be bound, naming it
     */
    public static TcpServer listen(LoopGroup group, InetSocketAddress address, TcpOptions options,
            Supplier<? extends ConnectionHandler> handlers) throws IOException {
        Objects.requireNonNull(group, "group");
        check(address, options, handlers);
        EventLoop first = group.next();
        List<EventLoop> listenLoops = first.tcpBackend().supportsReusePort() && group.size() > 1
                ? group.loops() : List.of(first);
        return new TcpServer(listenLoops, group::next, address, options, handlers);
    }

    private static void check(InetSocketAddress address, TcpOptions options, Supplier<?> handlers) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handlers, "handlers");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; resolve it first");
        }
    }

    /** The bound address, with the real port when the server was asked for port 0. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Stops listening; connections already accepted stay open. Safe from any thread, idempotent. */
    @Override
    public void close() {
        for (Acceptor acceptor : acceptors) {
            acceptor.closeSoon();
        }
    }

    /** Accepts on one loop: a watcher on the listening socket, and the reserve descriptor. */
    private static final class Acceptor implements io.weft.loop.core.WatcherHandler {
        private final EventLoop loop;
        private final ServerSocketHandle socket;
        private final Supplier<EventLoop> targets;
        private final TcpOptions options;
        private final Supplier<? extends ConnectionHandler> handlers;
        private final TcpStats stats;
        private Watcher watcher;
        private FileChannel reserve;
        private boolean closed;

        Acceptor(EventLoop loop, ServerSocketHandle socket, Supplier<EventLoop> targets, TcpOptions options,
                Supplier<? extends ConnectionHandler> handlers) {
            this.loop = loop;
            this.socket = socket;
            this.targets = targets;
            this.options = options;
            this.handlers = handlers;
            this.stats = TcpStats.of(loop);
        }

        void start() {
            runOnLoop(() -> {
                if (closed || loop.isShuttingDown()) {
                    closeNow(); // closed, or the loop went away, before the listener was armed
                    return;
                }
                reserve = openReserve();
                watcher = loop.watch(socket.source(), Interest.READABLE, this);
            });
        }

        void closeSoon() {
            runOnLoop(this::closeNow);
        }

        private void runOnLoop(Runnable action) {
            if (loop.thread() == Thread.currentThread()) {
                action.run();
                return;
            }
            try {
                loop.execute(action);
            } catch (RejectedExecutionException e) {
                closeSocketQuietly(); // the loop is gone; its watchers are closed already
            }
        }

        private void closeNow() {
            if (closed) {
                return;
            }
            closed = true;
            if (watcher != null) {
                watcher.close();
            }
            closeSocketQuietly();
            closeReserve();
        }

        @Override
        public void onReady(Watcher w, Interest ready) {
            for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
                SocketHandle accepted;
                try {
                    accepted = socket.accept();
                } catch (FdExhaustedException e) {
                    stats.acceptFailed();
                    shedAndBackOff();
                    return;
                } catch (IOException e) {
                    stats.acceptFailed();
                    return; // e.g. ECONNABORTED: the next readiness event tries again
                }
                if (accepted == null) {
                    return;
                }
                stats.accepted();
                handOver(accepted);
            }
        }

        @Override
        public void onLoopClosing(Watcher w) {
            closeNow();
        }

        private void handOver(SocketHandle accepted) {
            EventLoop target = targets.get();
            ConnectionHandler handler = handlers.get();
            if (target == loop) {
                TcpConnection.accepted(target, accepted, options, handler);
                return;
            }
            try {
                target.execute(() -> TcpConnection.accepted(target, accepted, options, handler));
            } catch (RejectedExecutionException e) {
                closeQuietly(accepted);
            }
        }

        /** libuv's EMFILE trick: free the reserve, accept and drop the waiting connections, back off. */
        private void shedAndBackOff() {
            if (reserve != null) {
                closeReserve();
                long shed = 0;
                try {
                    for (SocketHandle s; (s = socket.accept()) != null; ) {
                        closeQuietly(s);
                        shed++;
                    }
                } catch (IOException stillOut) {
                    // out again: what is left waits for the back-off
                }
                stats.shed(shed);
                reserve = openReserve();
            }
            watcher.stop();
            loop.schedule(ACCEPT_BACKOFF, () -> {
                if (!closed) {
                    if (reserve == null) {
                        reserve = openReserve();
                    }
                    watcher.start(Interest.READABLE);
                }
            });
        }

        private static FileChannel openReserve() {
            try {
                return FileChannel.open(Path.of("/dev/null"));
            } catch (IOException | UnsupportedOperationException e) {
                return null; // no reserve now (maybe out of fds already); shedding then relies on the back-off
            }
        }

        private void closeReserve() {
            if (reserve != null) {
                try {
                    reserve.close();
                } catch (IOException ignored) {
                    // closing /dev/null cannot fail in a way that matters
                }
                reserve = null;
            }
        }

        private void closeSocketQuietly() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a listener: nothing to recover
            }
        }

        private static void closeQuietly(SocketHandle s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // shedding: the connection is dropped either way
            }
        }
    }
}
