package io.weft.loop.vthreads;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.TcpStats;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A listening TCP socket whose {@link #accept()} parks the calling virtual thread until a
 * connection arrives. Connections are accepted by the loop (or spread over a group's loops, see
 * {@link TcpServer}) as soon as they come, and wait in a queue of at most {@link
 * TcpOptions#backlog()} for a thread to take them; past that they are closed at once.
 *
 * <p>For a group with the loop carrier, serve each socket on its own loop so that reads need no
 * hand-off: {@code threads.start(socket.loop(), () -> serve(socket))}.
 *
 * <p><b>Semantics</b>, as {@link java.net.ServerSocket} on a virtual thread: {@link #close()} from
 * another thread makes a parked {@code accept} throw {@link SocketException} "Socket closed"; an
 * interrupt closes the server socket and throws {@link SocketException} "Closed by interrupt" with
 * the status set; the accept timeout throws {@link SocketTimeoutException} and leaves the socket
 * open; when a loop of the server shuts down, the server closes and parked acceptors are woken.
 * Thread-safe.
 */
public final class BlockingServerSocket implements Closeable {
    private static final System.Logger LOG = System.getLogger(BlockingServerSocket.class.getName());

    private final List<EventLoop> loops;
    private final TcpServer server;
    private final int backlog;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<BlockingSocket> ready = new ArrayDeque<>();
    private final ArrayDeque<Waiter> acceptors = new ArrayDeque<>();
    private volatile boolean closed;
    private volatile String closedMessage = "Socket closed";
    private volatile long acceptTimeoutNanos;

    private BlockingServerSocket(List<EventLoop> loops, LoopGroup group, InetSocketAddress address, TcpOptions options)
            throws IOException {
        this.loops = loops;
        this.backlog = options.backlog();
        // The supplier runs on the thread of the loop the connection lands on.
        this.server = group == null
                ? TcpServer.listen(loops.get(0), address, options, () -> newSocket().handler())
                : TcpServer.listen(group, address, options, () -> newSocket().handler());
        for (EventLoop loop : loops) {
            loop.terminationFuture().whenComplete((ignored, error) ->
                    close("Socket closed: loop '" + loop.name() + "' has shut down"));
        }
    }

    /** Listens on {@code address} (port 0 for an ephemeral one) with every connection on {@code loop}. */
    public static BlockingServerSocket listen(EventLoop loop, InetSocketAddress address, TcpOptions options)
            throws IOException {
        Objects.requireNonNull(loop, "loop");
        return new BlockingServerSocket(List.of(loop), null, address, options);
    }

    /** Listens on {@code address} with connections spread over the loops of {@code group}. */
    public static BlockingServerSocket listen(LoopGroup group, InetSocketAddress address, TcpOptions options)
            throws IOException {
        Objects.requireNonNull(group, "group");
        return new BlockingServerSocket(group.loops(), group, address, options);
    }

    private BlockingSocket newSocket() {
        for (EventLoop loop : loops) {
            if (loop.inLoop()) {
                return BlockingSocket.accepting(loop, this);
            }
        }
        return BlockingSocket.accepting(loops.get(0), this);
    }

    /** The bound address, with the real port. */
    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /** How long {@link #accept()} may park before {@link SocketTimeoutException}; zero (the default) for ever. */
    public void setAcceptTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0 (0 = none), got " + timeout);
        }
        acceptTimeoutNanos = timeout.toNanos();
    }

    /**
     * Accepts until this socket is closed, starting {@code handler} for each connection on a
     * virtual thread of {@code threads} carried by the connection's own loop, so its reads need
     * no hand-off. Blocks the calling (virtual) thread. An accept that fails for another reason
     * than the close is logged and closes this socket; a connection whose loop is shutting down
     * is aborted.
     */
    public void serve(VirtualThreads threads, Consumer<BlockingSocket> handler) {
        Objects.requireNonNull(threads, "threads");
        Objects.requireNonNull(handler, "handler");
        while (!isClosed()) {
            BlockingSocket socket;
            try {
                socket = accept();
            } catch (IOException e) {
                if (!isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "accept failed; no longer accepting on " + this, e);
                    close();
                }
                return;
            }
            try {
                threads.start(socket.loop(), () -> handler.accept(socket));
            } catch (RuntimeException e) { // the loop is shutting down
                socket.abort();
            }
        }
    }

    /**
     * Takes the next connection, parking until one arrives.
     *
     * @throws SocketException "Socket closed", "Closed by interrupt", or a loop shut down
     * @throws SocketTimeoutException if the accept timeout passes first
     */
    public BlockingSocket accept() throws IOException {
        Waiter waiter = new Waiter(null, () -> new SocketException(closedMessage));
        lock.lock();
        try {
            if (closed) {
                throw new SocketException(closedMessage);
            }
            BlockingSocket socket = ready.poll();
            if (socket != null) {
                return socket;
            }
            acceptors.add(waiter);
        } finally {
            lock.unlock();
        }
        long timeout = acceptTimeoutNanos;
        if (timeout > 0) {
            VirtualThreads.arm(loops.get(0), waiter, Duration.ofNanos(timeout),
                    () -> waiter.fail(new SocketTimeoutException("Accept timed out")));
        }
        boolean interrupted;
        try {
            interrupted = waiter.park(() -> {
                if (waiter.fail(new SocketException("Closed by interrupt"))) {
                    close("Socket closed by interrupt");
                }
            });
        } finally {
            lock.lock();
            try {
                acceptors.remove(waiter);
            } finally {
                lock.unlock();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (waiter.failure() instanceof IOException e) {
            throw e;
        }
        if (waiter.failure() instanceof RuntimeException e) {
            throw e;
        }
        return (BlockingSocket) waiter.value();
    }

    /** Loop side: a connection opened; hand it to a parked acceptor or queue it. */
    void offer(BlockingSocket socket) {
        while (true) {
            Waiter waiter;
            lock.lock();
            try {
                if (closed) {
                    break;
                }
                waiter = acceptors.poll();
                if (waiter == null) {
                    if (ready.size() >= backlog) {
                        break;
                    }
                    ready.add(socket);
                    return;
                }
            } finally {
                lock.unlock();
            }
            if (waiter.complete(socket)) { // outside the lock: the acceptor may run right here
                return;
            }
        }
        socket.abort();
    }

    /** Whether {@link #close()} was called, or a loop of the server shut down. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops listening, wakes parked acceptors with "Socket closed" and closes the connections no one
     * accepted yet. Accepted sockets stay open. Any thread; idempotent.
     */
    @Override
    public void close() {
        close("Socket closed");
    }

    private void close(String message) {
        List<Waiter> woken;
        List<BlockingSocket> unaccepted;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closedMessage = message;
            closed = true;
            woken = new ArrayList<>(acceptors);
            acceptors.clear();
            unaccepted = new ArrayList<>(ready);
            ready.clear();
        } finally {
            lock.unlock();
        }
        server.close();
        for (Waiter waiter : woken) {
            waiter.fail(new SocketException(message));
        }
        for (BlockingSocket socket : unaccepted) {
            socket.abort();
        }
    }

    @Override
    public String toString() {
        return "BlockingServerSocket[" + localAddress() + (closed ? ", closed" : "") + "]";
    }

    /** Connections the server's loops hold open now, accepted or queued; for tests. */
    long openConnections() {
        return loops.stream().mapToLong(loop -> TcpStats.of(loop).openConnections()).sum();
    }
}
