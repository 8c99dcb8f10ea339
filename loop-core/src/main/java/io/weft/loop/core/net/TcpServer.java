package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Interest;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.Watcher;
import io.weft.loop.core.WatcherHandler;
import io.weft.loop.core.net.spi.FdExhaustedException;
import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.TcpBackend;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A listening TCP server whose accepted connections are spread over one loop or a {@link
 * LoopGroup}. Each accepted connection gets a fresh handler from the supplier, on the thread of
 * the loop it lands on.
 *
 * <p><b>Unix domain sockets.</b> Given a {@link UnixDomainSocketAddress}, the server listens on a
 * Unix domain stream socket instead, and its connections are the same {@link TcpConnection}s
 * (handlers, watermarks, close, linger and TLS work unchanged). The TCP-only options (no-delay,
 * keep-alive, reuse address) are skipped; port sharing is refused. The path may have at most 106
 * bytes ({@code sun_path} holds 108 with the NUL; the JDK's channels keep 106). A stale socket file (one no process listens on,
 * left by a process that died) is removed before binding; a file a process still listens on, or one
 * that is not a socket, makes the bind fail. The server removes its socket file when it closes.
 *
 * <p><b>Port sharing.</b> Off by default ({@link TcpOptions#reusePort()}): listening on a port that
 * another socket listens on fails with a {@link BindException} (EADDRINUSE). On a group, one loop
 * then accepts and hands each connection to the next loop, round robin. With port sharing on, a
 * group gets one listener per loop and the kernel spreads connections among them.
 *
 * <p><b>Shutdown.</b> A listener whose loop is shutting down stops accepting at its next readiness
 * event and closes; a connection accepted while its target loop shuts down is closed unserved and
 * counted as shed in {@link TcpStats}, so no accepted descriptor is left behind.
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
    private final SocketAddress localAddress;

    private TcpServer(List<EventLoop> listenLoops, Supplier<EventLoop> targets, SocketAddress address,
            TcpOptions options, Supplier<? extends ConnectionHandler> handlers) throws IOException {
        TcpBackend backend = TcpBackends.of(listenLoops.get(0));
        boolean perLoop = listenLoops.size() > 1;
        SocketAddress bound = address;
        try {
            for (EventLoop loop : listenLoops) {
                ServerSocketHandle socket = bind(backend, bound, options);
                bound = socket.localAddress(); // the others bind the same (ephemeral) port
                acceptors.add(new Acceptor(loop, socket, bound, perLoop ? () -> loop : targets, options, handlers));
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

    private static ServerSocketHandle bind(TcpBackend backend, SocketAddress address, TcpOptions options)
            throws IOException {
        if (address instanceof UnixDomainSocketAddress unix) {
            UnixSocketFile.removeIfStale(unix.getPath());
        }
        try {
            return backend.listen(address, StreamAddresses.socketOptions(address, options));
        } catch (BindException e) {
            if (address instanceof UnixDomainSocketAddress unix) {
                BindException explained = new BindException(e.getMessage() + " (a process listens on " + unix.getPath()
                        + ", or it is a file that is not a socket; stop that server or pick another path)");
                explained.initCause(e);
                throw explained;
            }
            if (options.reusePort()) {
                throw e;
            }
            BindException explained = new BindException(e.getMessage() + " (port sharing is off, so no other socket"
                    + " may listen on " + address + "; stop the other server, pick another port, or share the port on"
                    + " purpose with TcpOptions.withReusePort(true) on every listener)");
            explained.initCause(e);
            throw explained;
        }
    }

    /**
     * Listens on {@code address} (port 0 for an ephemeral port, see {@link #localAddress()}) and
     * serves every connection on {@code loop}.
     *
     * @param loop the loop that accepts and serves
     * @param address a resolved {@link java.net.InetSocketAddress}, or a {@link UnixDomainSocketAddress}
     * @param options the listener's and its connections' options
     * @param handlers a fresh handler per accepted connection, called on the loop thread
     * @return the listening server
     * @throws IllegalArgumentException if the address is unresolved, of another type, a Unix socket path
     *     longer than {@code sun_path} allows, or port sharing is asked for on a Unix socket
     * @throws BindException if the address is in use (and port sharing is off) or not local
     * @throws IOException if the address cannot be bound otherwise, naming it
     * @throws UnsupportedOperationException if port sharing is asked for and the loop's TCP backend
     *     has none, or the loop's poller has no TCP backend
     */
    public static TcpServer listen(EventLoop loop, SocketAddress address, TcpOptions options,
            Supplier<? extends ConnectionHandler> handlers) throws IOException {
        Objects.requireNonNull(loop, "loop");
        check(address, options, handlers);
        return new TcpServer(List.of(loop), () -> loop, address, options, handlers);
    }

    /**
     * Listens on {@code address} and spreads connections over the loops of {@code group}: with
     * {@link TcpOptions#reusePort()} on, one listener per loop (the kernel spreads); off, one
     * listener that hands connections round robin.
     *
     * @param group the loops that serve
     * @param address a resolved {@link java.net.InetSocketAddress}, or a {@link UnixDomainSocketAddress}
     * @param options the listener's and its connections' options
     * @param handlers a fresh handler per accepted connection, called on the thread of its loop
     * @return the listening server
     * @throws IllegalArgumentException as for {@link #listen(EventLoop, SocketAddress, TcpOptions, Supplier)}
     * @throws BindException if the address is in use (and port sharing is off) or not local
     * @throws IOException if the address cannot be bound otherwise, naming it
     * @throws UnsupportedOperationException as for {@link #listen(EventLoop, SocketAddress,
     *     TcpOptions, Supplier)}
     */
    public static TcpServer listen(LoopGroup group, SocketAddress address, TcpOptions options,
            Supplier<? extends ConnectionHandler> handlers) throws IOException {
        Objects.requireNonNull(group, "group");
        check(address, options, handlers);
        EventLoop first = group.next();
        List<EventLoop> listenLoops = options.reusePort() && group.size() > 1 ? group.loops() : List.of(first);
        return new TcpServer(listenLoops, group::next, address, options, handlers);
    }

    private static void check(SocketAddress address, TcpOptions options, Supplier<?> handlers) {
        StreamAddresses.check(address);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handlers, "handlers");
        StreamAddresses.socketOptions(address, options); // refuses what does not apply, before anything is bound
    }

    /**
     * The bound address: an {@link java.net.InetSocketAddress} with the real port when the server
     * was asked for port 0, or the {@link UnixDomainSocketAddress} it listens on.
     *
     * @return the bound address
     */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Stops listening; connections already accepted stay open. A Unix domain socket's file is
     * removed once the loop has closed the listener. Safe from any thread, idempotent.
     */
    @Override
    public void close() {
        for (Acceptor acceptor : acceptors) {
            acceptor.closeSoon();
        }
    }

    /**
     * Accepts on one loop: a watcher on the listening socket, and the reserve descriptor.
     *
     * <p><b>One owner closes.</b> The listening socket is used by one thread only: the loop, from
     * the first task it runs for this acceptor, or, if the loop refused that task and so never
     * touched the socket, the thread whose hand-over was refused. {@link #owner} decides which,
     * once; the loop's side (watcher, reserve, {@code closed}) is confined to the loop thread. So a
     * listener is never closed by one thread while the loop is in {@code accept} on it.
     */
    private static final class Acceptor implements WatcherHandler {
        private static final int UNCLAIMED = 0;
        private static final int LOOP = 1;
        private static final int CALLER = 2;

        private final EventLoop loop;
        private final ServerSocketHandle socket;
        /** The address it listens on, for its name in a loop snapshot. */
        private final SocketAddress address;
        private final Supplier<EventLoop> targets;
        private final TcpOptions options;
        private final Supplier<? extends ConnectionHandler> handlers;
        private final TcpStats stats;
        private Watcher watcher;
        private FileChannel reserve;
        private boolean closed;
        private final AtomicInteger owner = new AtomicInteger(UNCLAIMED);

        Acceptor(EventLoop loop, ServerSocketHandle socket, SocketAddress address, Supplier<EventLoop> targets,
                TcpOptions options, Supplier<? extends ConnectionHandler> handlers) {
            this.loop = loop;
            this.socket = socket;
            this.address = address;
            this.targets = targets;
            this.options = options;
            this.handlers = handlers;
            this.stats = TcpStats.of(loop);
        }

        void start() {
            runOnLoop(() -> {
                if (!claimedByLoop()) {
                    return; // the loop refused an earlier task, and that thread closed the socket
                }
                if (closed || loop.isShuttingDown()) {
                    closeNow(); // closed, or the loop went away, before the listener was armed
                    return;
                }
                reserve = openReserve();
                watcher = loop.watch(socket.source(), Interest.READABLE, this).kind("listener")
                        .name((StreamAddresses.isUnix(address) ? "Unix socket listener on " : "TCP listener on ") + address);
            });
        }

        void closeSoon() {
            runOnLoop(this::closeNow);
        }

        private void runOnLoop(Runnable action) {
            if (loop.inLoop()) {
                action.run();
                return;
            }
            try {
                loop.execute(action);
            } catch (RejectedExecutionException e) {
                // The loop is shutting down. If it ever took the socket, it closes it itself (its
                // watcher's onLoopClosing, or its start task sees the shutdown); if not, it never will.
                if (owner.compareAndSet(UNCLAIMED, CALLER)) {
                    closeSocketQuietly();
                }
            }
        }

        /** Loop thread: takes the socket unless a refused caller closed it; whether the loop owns it. */
        private boolean claimedByLoop() {
            owner.compareAndSet(UNCLAIMED, LOOP);
            return owner.get() == LOOP;
        }

        private void closeNow() {
            if (!claimedByLoop() || closed) {
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
            if (loop.isShuttingDown()) {
                closeNow(); // disarm: a stopping loop takes no new connections (the kernel resets the backlog)
                return;
            }
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
                serve(target, accepted, handler);
                return;
            }
            try {
                target.execute(() -> serve(target, accepted, handler));
            } catch (RejectedExecutionException e) {
                drop(stats, accepted);
            }
        }

        /** On {@code target}'s thread: a connection, or, when that loop is shutting down, closed and counted. */
        private void serve(EventLoop target, SocketHandle accepted, ConnectionHandler handler) {
            if (!TcpConnection.accepted(target, accepted, options, handler)) {
                drop(TcpStats.of(target), accepted);
            }
        }

        /** Closes a connection no loop will serve; counted by the loop whose thread this is. */
        private static void drop(TcpStats counted, SocketHandle accepted) {
            closeQuietly(accepted);
            counted.shed(1);
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
            if (address instanceof UnixDomainSocketAddress unix) {
                UnixSocketFile.remove(unix.getPath());
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
