package io.weft.loop.vthreads;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.TcpStats;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.core.net.tls.TlsServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A listening TCP socket, plain or TLS, whose {@link #accept()} parks the calling virtual thread
 * until a connection arrives. Connections are accepted by the loop (or spread over a group's loops,
 * see {@link TcpServer}) as soon as they come, and wait in a queue of at most {@link
 * TcpOptions#backlog()} for a thread to take them; past that they are closed at once.
 *
 * <p>A server listening with a {@link TlsConfig} ({@link TlsServer} underneath) queues a connection
 * once its handshake is over: {@code accept} returns sockets that read and write plaintext, and a
 * client that fails its handshake is closed (and counted in {@link
 * io.weft.loop.core.net.tls.TlsStats}) without ever reaching an acceptor.
 *
 * <p>For a group with the loop carrier, serve each socket on its own loop so that reads need no
 * hand-off: {@code threads.start(socket.loop(), () -> serve(socket))}.
 *
 * <p><b>Semantics</b>, as {@link java.net.ServerSocket} on a virtual thread: {@link #close()} from
 * another thread makes a parked {@code accept} throw {@link SocketException} "Socket closed"; an
 * interrupt closes the server socket and throws {@link SocketException} "Closed by interrupt" with
 * the status set; the accept timeout throws {@link SocketTimeoutException} and leaves the socket
 * open; when a loop of the server shuts down, the server closes and parked acceptors are woken.
 * Thread-safe and lock-free: a loop that hands over a connection never waits for an acceptor, even
 * one it carries (see the package's rule on locks).
 */
public final class BlockingServerSocket implements Closeable {
    private static final System.Logger LOG = System.getLogger(BlockingServerSocket.class.getName());

    private final List<EventLoop> loops;
    private final TcpOptions options;
    private final SocketAddress localAddress;
    private final Runnable stopListening;
    private final int backlog;
    // Shared by the loops (which offer connections) and the acceptors, some of which the loops
    // carry: lock-free, so that no loop thread ever waits for a thread only it can run.
    private final ConcurrentLinkedDeque<BlockingSocket> ready = new ConcurrentLinkedDeque<>();
    /** How many connections {@link #ready} holds (its size() counts them one by one). */
    private final AtomicInteger queued = new AtomicInteger();
    private final ConcurrentLinkedDeque<Waiter> acceptors = new ConcurrentLinkedDeque<>();
    /** Null while open; the message parked and later calls fail with once closed. */
    private final AtomicReference<String> closedMessage = new AtomicReference<>();
    private volatile long acceptTimeoutNanos;

    private BlockingServerSocket(List<EventLoop> loops, LoopGroup group, SocketAddress address, TcpOptions options,
            TlsConfig tls) throws IOException {
        this.loops = loops;
        this.options = Objects.requireNonNull(options, "options");
        this.backlog = options.backlog();
        // The suppliers run on the thread of the loop the connection lands on.
        if (tls == null) {
            TcpServer tcp = group == null
                    ? TcpServer.listen(loops.get(0), address, options, () -> newSocket().tcpHandler())
                    : TcpServer.listen(group, address, options, () -> newSocket().tcpHandler());
            this.localAddress = tcp.localAddress();
            this.stopListening = tcp::close;
        } else {
            TlsServer server = group == null
                    ? TlsServer.listen(loops.get(0), address, options, tls, () -> newSocket().tlsHandler())
                    : TlsServer.listen(group, address, options, tls, () -> newSocket().tlsHandler());
            this.localAddress = server.localAddress();
            this.stopListening = server::close;
        }
        for (EventLoop loop : loops) {
            loop.terminationFuture().whenComplete((ignored, error) ->
                    close("Socket closed: loop '" + loop.name() + "' has shut down"));
        }
    }

    /**
     * Listens on {@code address} (port 0 for an ephemeral one) with every connection on {@code loop}.
     *
     * @param loop the loop that accepts and carries the connections
     * @param address a resolved {@link java.net.InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}
     *     (see {@link TcpServer} for what a Unix domain socket does with its file and options)
     * @param options the listener's and its connections' options
     * @return the listening socket
     * @throws IOException if the address cannot be bound, naming it
     * @throws IllegalArgumentException as for {@link TcpServer#listen(EventLoop, SocketAddress, TcpOptions,
     *     java.util.function.Supplier)}
     */
    public static BlockingServerSocket listen(EventLoop loop, SocketAddress address, TcpOptions options)
            throws IOException {
        Objects.requireNonNull(loop, "loop");
        return new BlockingServerSocket(List.of(loop), null, address, options, null);
    }

    /**
     * Listens on {@code address} with connections spread over the loops of {@code group}.
     *
     * @param group the loops that carry the connections
     * @param address a resolved {@link java.net.InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}
     * @param options the listener's and its connections' options
     * @return the listening socket
     * @throws IOException if the address cannot be bound, naming it
     * @throws IllegalArgumentException as for {@link #listen(EventLoop, SocketAddress, TcpOptions)}
     */
    public static BlockingServerSocket listen(LoopGroup group, SocketAddress address, TcpOptions options)
            throws IOException {
        Objects.requireNonNull(group, "group");
        return new BlockingServerSocket(group.loops(), group, address, options, null);
    }

    /**
     * Listens for TLS connections on {@code address} with every connection on {@code loop}; {@link
     * #accept()} returns each once its handshake is over.
     *
     * @param loop the loop that accepts, handshakes and serves the connections
     * @param address a resolved {@link java.net.InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}
     * @param options the connections' options, and the backlog of handshaken connections no one accepted yet
     * @param tls the server's certificates, protocols, ALPN and client authentication
     * @return the listening socket
     * @throws IOException if the address cannot be bound, naming it
     * @throws IllegalArgumentException if {@code tls} has no certificate to present, or as for the plain {@code listen}
     */
    public static BlockingServerSocket listen(EventLoop loop, SocketAddress address, TcpOptions options,
            TlsConfig tls) throws IOException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(tls, "tls");
        return new BlockingServerSocket(List.of(loop), null, address, options, tls);
    }

    /**
     * Listens for TLS connections on {@code address}, spread over the loops of {@code group}; {@link
     * #accept()} returns each once its handshake is over.
     *
     * @param group the loops that accept, handshake and serve the connections
     * @param address a resolved {@link java.net.InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}
     * @param options the connections' options, and the backlog of handshaken connections no one accepted yet
     * @param tls the server's certificates, protocols, ALPN and client authentication
     * @return the listening socket
     * @throws IOException if the address cannot be bound, naming it
     * @throws IllegalArgumentException if {@code tls} has no certificate to present, or as for the plain {@code listen}
     */
    public static BlockingServerSocket listen(LoopGroup group, SocketAddress address, TcpOptions options,
            TlsConfig tls) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(tls, "tls");
        return new BlockingServerSocket(group.loops(), group, address, options, tls);
    }

    private BlockingSocket newSocket() {
        for (EventLoop loop : loops) {
            if (loop.inLoop()) {
                return BlockingSocket.accepting(loop, options, this);
            }
        }
        return BlockingSocket.accepting(loops.get(0), options, this);
    }

    /**
     * The bound address, as {@link TcpServer#localAddress()}.
     *
     * @return the bound address: with the real port, or the Unix socket's path
     */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * How long {@link #accept()} may park before {@link SocketTimeoutException}; zero (the default) for ever.
     *
     * @param timeout the accept timeout, zero or more
     */
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
     *
     * @param threads the virtual threads the handlers run on
     * @param handler serves one connection on its virtual thread, and closes it
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
     * @return the new connection, on the loop it was accepted for
     * @throws SocketException "Socket closed", "Closed by interrupt", or a loop shut down
     * @throws SocketTimeoutException if the accept timeout passes first
     */
    public BlockingSocket accept() throws IOException {
        throwIfClosed();
        BlockingSocket socket = pollReady();
        if (socket != null) {
            return socket;
        }
        Waiter waiter = new Waiter(null, () -> BlockingSocket.loopClosed(loops.get(0), null));
        acceptors.add(waiter);
        settle();
        long timeout = acceptTimeoutNanos;
        if (timeout > 0) {
            VirtualThreads.arm(loops.get(0), waiter, Duration.ofNanos(timeout),
                    () -> waiter.fail(new SocketTimeoutException("Accept timed out")));
        }
        boolean interrupted = waiter.park(() -> {
            if (waiter.fail(new SocketException("Closed by interrupt"))) {
                close("Socket closed by interrupt");
            }
        });
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (waiter.failure() != null) {
            acceptors.remove(waiter); // a matched waiter was taken off the queue; a failed one may still be on it
        }
        if (waiter.failure() instanceof IOException e) {
            throw e;
        }
        if (waiter.failure() instanceof RuntimeException e) {
            throw e;
        }
        return (BlockingSocket) waiter.value();
    }

    /** Loop side: a connection opened; hand it to a parked acceptor or queue it. Never blocks. */
    void offer(BlockingSocket socket) {
        if (isClosed()) {
            socket.abort();
            return;
        }
        if (queued.incrementAndGet() > backlog) {
            queued.decrementAndGet();
            socket.abort();
            return;
        }
        ready.addLast(socket);
        settle();
    }

    /**
     * After anything was queued: pairs queued connections with parked acceptors until one of the
     * two queues is empty, then, if the socket is closed, empties both (the close may have emptied
     * them before this thread's addition). Every thread that adds runs this after its addition, so
     * a connection and an acceptor are never both left waiting, and nothing is left after a close.
     * Lock-free: an acceptor completed here may run right here, on this stack.
     */
    private void settle() {
        while (!acceptors.isEmpty() && !ready.isEmpty()) {
            Waiter waiter = acceptors.poll();
            if (waiter == null) {
                continue; // another thread took it; look again
            }
            BlockingSocket socket = pollReady();
            if (socket == null) {
                acceptors.addFirst(waiter); // another thread took the connection; the waiter keeps its turn
                continue;
            }
            if (!waiter.complete(socket)) { // timed out, interrupted or closed meanwhile
                queued.incrementAndGet();
                ready.addFirst(socket);
            }
        }
        if (isClosed()) {
            drain();
        }
    }

    private BlockingSocket pollReady() {
        BlockingSocket socket = ready.pollFirst();
        if (socket != null) {
            queued.decrementAndGet();
        }
        return socket;
    }

    /** Fails every parked acceptor and aborts every queued connection; after the close only. */
    private void drain() {
        String message = closedMessage.get();
        for (Waiter waiter; (waiter = acceptors.poll()) != null; ) {
            waiter.fail(new SocketException(message));
        }
        for (BlockingSocket socket; (socket = pollReady()) != null; ) {
            socket.abort();
        }
    }

    private void throwIfClosed() throws SocketException {
        String message = closedMessage.get();
        if (message != null) {
            throw new SocketException(message);
        }
    }

    /** {@return whether {@link #close()} was called, or a loop of the server shut down} */
    public boolean isClosed() {
        return closedMessage.get() != null;
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
        if (!closedMessage.compareAndSet(null, message)) {
            return;
        }
        stopListening.run();
        drain();
    }

    @Override
    public String toString() {
        return "BlockingServerSocket[" + localAddress() + (isClosed() ? ", closed" : "") + "]";
    }

    /** Connections the server's loops hold open now, accepted or queued; for tests. */
    long openConnections() {
        return loops.stream().mapToLong(loop -> TcpStats.of(loop).openConnections()).sum();
    }
}
