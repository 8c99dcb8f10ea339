package io.weft.samples.kv;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.vthreads.BlockingServerSocket;
import io.weft.loop.vthreads.BlockingSocket;
import io.weft.loop.vthreads.Carrier;
import io.weft.loop.vthreads.VirtualThreads;
import io.weft.samples.GracefulStop;
import io.weft.samples.OpenConnections;
import io.weft.samples.WaitingConnection;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Objects;

/**
 * The kv server: a {@link BlockingServerSocket} on a group, one virtual thread accepting, and a
 * virtual thread per connection while it has requests to serve, on the connection's own loop (so
 * that, on the loop carrier, its reads take what the loop buffered with no hand-off). That thread
 * reads a request, runs it and writes the reply into a buffer; it flushes when no more input is
 * buffered, so pipelined requests are answered in batches, one write each. Then it ends: the
 * connection waits for its next request with no thread ({@link BlockingSocket#resumeOnInput}),
 * and a new thread serves the next batch, in the same blocking style.
 *
 * <p>Memory is bounded: a request is refused once it would hold more than {@link
 * KvConfig#maxRequestBytes()}, or once the requests being read on all connections would hold more
 * than {@link KvConfig#maxQueryMemory()} (see {@link QueryMemory}); a bulk string is read into an
 * array of its own size, grown as its bytes arrive; an idle connection holds no thread, no input
 * and no output buffer (see {@link Connection}). A protocol error or a request
 * over the limits is answered with {@code -ERR Protocol error: ...}, and the connection closes: its
 * close flushes the answer, sends FIN and discards what the client still sends for the linger time
 * of {@link TcpOptions#lingerTimeout()} (closing with unread input would reset the connection, and
 * the client could lose the answer). That discarding happens on the loop into its one read buffer:
 * reading it here, through the socket's stream, cost the heap as much as the client sent.
 */
public final class KvServer implements AutoCloseable, GracefulStop.Drain {
    private static final int SWEEP_BUDGET = 1024;
    private static final System.Logger LOG = System.getLogger("io.weft.samples.kv");

    private final BlockingServerSocket listener;
    private final VirtualThreads threads;
    private final KvStore store;
    private final KvCommands commands;
    private final KvConfig config;
    private final QueryMemory queryMemory;
    private final OpenConnections<WaitingConnection> open = new OpenConnections<>();
    private volatile boolean closed;
    /** A graceful stop began: connections start no new request. */
    private volatile boolean finishing;
    private volatile Thread sweeper;

    private KvServer(BlockingServerSocket listener, VirtualThreads threads, KvStore store, KvConfig config) {
        this.listener = listener;
        this.threads = threads;
        this.store = store;
        this.commands = new KvCommands(store);
        this.config = config;
        this.queryMemory = new QueryMemory(config.maxRequestBytes(), config.maxQueryMemory());
    }

    /**
     * Listens on {@code address} (port 0 for any free one) and serves on {@code group}'s loops.
     *
     * @throws IOException if the address cannot be bound
     */
    public static KvServer listen(LoopGroup group, SocketAddress address, KvConfig config) throws IOException {
        return listen(group, address, config, new KvStore());
    }

    /** As {@link #listen(LoopGroup, SocketAddress, KvConfig)}, on a given store (tests use a manual clock). */
    public static KvServer listen(LoopGroup group, SocketAddress address, KvConfig config, KvStore store)
            throws IOException {
        return listen(group, address, config, store, null);
    }

    /**
     * As {@link #listen(LoopGroup, SocketAddress, KvConfig)}, over TLS: the port speaks only TLS
     * (as {@code redis-server --tls-port}), and each connection is served once its handshake is over.
     *
     * @param group the loops that accept, handshake and serve
     * @param address where to listen (port 0 for any free one), or a Unix domain socket
     * @param config how connections are served
     * @param tls the server's certificate and protocols
     * @return the started server
     * @throws IOException if the address cannot be bound
     */
    public static KvServer listenTls(LoopGroup group, SocketAddress address, KvConfig config, TlsConfig tls)
            throws IOException {
        return listen(group, address, config, new KvStore(), Objects.requireNonNull(tls, "tls"));
    }

    /** Listens plain ({@code tls} null) or over TLS, and starts the acceptor and the sweeper. */
    private static KvServer listen(LoopGroup group, SocketAddress address, KvConfig config, KvStore store,
            TlsConfig tls) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(store, "store");
        VirtualThreads threads = VirtualThreads.forGroup(group, config.carrier());
        BlockingServerSocket listener = tls == null
                ? BlockingServerSocket.listen(group, address, TcpOptions.defaults())
                : BlockingServerSocket.listen(group, address, TcpOptions.defaults(), tls);
        KvServer server = new KvServer(listener, threads, store, config);
        threads.start(group.loops().get(0), server::acceptLoop);
        server.sweeper = threads.start(group.loops().get(0), server::sweepLoop);
        return server;
    }

    /** The bound address, with the real port. */
    public SocketAddress localAddress() {
        return listener.localAddress();
    }

    /** The carrier the connection threads really run on (the pool after a fallback). */
    public Carrier carrier() {
        return threads.carrier();
    }

    /** The memory the requests being read hold, and how many were refused for passing its bounds. */
    public QueryMemory queryMemory() {
        return queryMemory;
    }

    /** The store. */
    public KvStore store() {
        return store;
    }

    /** Stops accepting and sweeping; open connections go on until the group shuts down. Idempotent. */
    @Override
    public void close() {
        closed = true;
        listener.close(); // wakes the acceptor
        Thread s = sweeper;
        if (s != null) {
            s.interrupt();
        }
    }

    /**
     * After {@link #close()}: connections start no new request; each closes once the requests it has
     * begun are answered and flushed (an idle one at once). Returns whether all closed by {@code
     * deadlineNanos} ({@link System#nanoTime()}).
     */
    @Override
    public boolean drain(long deadlineNanos) throws InterruptedException {
        finishing = true;
        return open.drain(deadlineNanos);
    }

    private void acceptLoop() {
        listener.serve(threads, this::serve);
    }

    private void sweepLoop() {
        while (!closed && !listener.isClosed()) {
            try {
                VirtualThreads.sleep(config.sweepInterval()); // parks on a loop timer
            } catch (InterruptedException | RuntimeException e) { // RejectedExecution: the loop shut down
                return;
            }
            store.sweep(SWEEP_BUDGET, Thread::yield); // on the loop carrier a yield lets I/O take its turn
        }
    }

    /** On a thread of the socket's own loop: the connection waits for its first request with no thread. */
    private void serve(BlockingSocket socket) {
        if (!config.idleTimeout().isZero()) {
            socket.setReadTimeout(config.idleTimeout()); // also bounds a wait with no thread
        }
        new Connection(socket).step(Connection::waitForRequest);
    }

    /**
     * One connection. No thread serves it while it waits for a request: at each request boundary
     * with nothing buffered it lets its thread end ({@link BlockingSocket#resumeOnInput}), and a
     * new one runs {@link #run()} when the next request (or the end, a close, the idle timeout)
     * arrives. Between the two, one thread at a time uses it (a thread start orders them).
     */
    private final class Connection implements Runnable {
        private final BlockingSocket socket;
        private final WaitingConnection waiting;
        private final IdleFreeInput in;
        private final RespReader reader;
        private final RespWriter writer;

        Connection(BlockingSocket socket) {
            this.socket = socket;
            this.waiting = new WaitingConnection(socket);
            // Buffers are sized to what there is to read or write; an idle connection holds none.
            this.in = new IdleFreeInput(socket.getInputStream(), waiting::arrived);
            this.reader = new RespReader(in, config.limits(), queryMemory);
            this.writer = new RespWriter(new IdleFreeOutput(socket.getOutputStream()));
            open.opened(waiting, waiting::finishIfIdle);
        }

        /** What a thread does with the connection: true if the connection now waits for input, with no thread. */
        private interface Step {
            boolean run(Connection connection) throws IOException;
        }

        /** Input arrived (or the end, a close, the timeout): serve what is buffered, then wait again. */
        @Override
        public void run() {
            step(c -> c.serveBuffered() && c.waitForRequest());
        }

        /** Runs {@code step}; unless the connection then waits for input, ends it. */
        void step(Step step) {
            boolean waits = false;
            try {
                waits = step.run(this);
            } catch (SocketTimeoutException e) {
                // idle too long: close quietly
            } catch (SocketException e) {
                // "Connection reset", "Socket closed" (our close, or the loop shut down): normal outcomes
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "connection failed: " + socket, e);
            } finally {
                if (!waits) { // after a wait began, a new thread owns the connection: touch nothing
                    socket.close();
                    reader.release();
                    open.closed(waiting);
                }
            }
        }

        /**
         * Reads and answers requests until nothing more is buffered (the batch is answered with one
         * write); false when the connection is to close.
         */
        private boolean serveBuffered() throws IOException {
            while (true) {
                if (finishing) { // a graceful stop: begin no new request
                    writer.flush();
                    return false;
                }
                List<byte[]> request;
                try {
                    request = reader.read(); // the first after a wait sees what woke it: bytes, the end, an error
                } catch (RespProtocolException e) {
                    writer.error("ERR Protocol error: " + e.getMessage());
                    writer.flush();
                    return false; // the socket's close sends FIN, then discards what the client still sends (linger)
                } catch (EOFException e) { // the client closed inside a request: answer the ones before it
                    writer.flush();
                    return false;
                }
                if (request == null || !commands.execute(request, writer)) { // the client closed, or QUIT
                    writer.flush();
                    return false;
                }
                if (in.available() == 0) { // nothing buffered: the batch is complete, answer it
                    writer.flush();
                    return true;
                }
            }
        }

        /**
         * At a request boundary, nothing buffered, everything answered: lets the thread go until
         * the next request; false if a graceful stop began.
         */
        private boolean waitForRequest() throws IOException {
            waiting.idle(); // then look at finishing: a drain either sees IDLE (and closes) or is seen here
            if (finishing) {
                return false;
            }
            reader.release(); // the last request's share of the query memory
            in.release(); // nothing is buffered: no buffer while idle
            socket.resumeOnInput(threads, this);
            return true;
        }
    }
}
