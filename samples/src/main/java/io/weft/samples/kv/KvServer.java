package io.weft.samples.kv;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.vthreads.BlockingServerSocket;
import io.weft.loop.vthreads.BlockingSocket;
import io.weft.loop.vthreads.Carrier;
import io.weft.loop.vthreads.VirtualThreads;
import io.weft.samples.GracefulStop;
import io.weft.samples.OpenConnections;
import io.weft.samples.WaitingConnection;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The kv server: a {@link BlockingServerSocket} on a group, one virtual thread accepting, and one
 * virtual thread per connection started on the connection's own loop (so that, on the loop
 * carrier, its reads take what the loop buffered with no hand-off). Each connection thread reads a
 * request, runs it and writes the reply into a buffer; it flushes when no more input is buffered,
 * so pipelined requests are answered in batches, one write each.
 *
 * <p>Memory is bounded: a request is refused once it would hold more than {@link
 * KvConfig#maxRequestBytes()}, or once the requests being read on all connections would hold more
 * than {@link KvConfig#maxQueryMemory()} (see {@link QueryMemory}); an idle connection holds no
 * buffer. A protocol error or a request over the limits is answered with {@code -ERR Protocol error: ...};
 * then the server half-closes, discards what the client still sends for at most
 * {@link #DRAIN_LIMIT}, and closes (closing with unread input would reset the connection and the
 * client could lose the answer).
 */
public final class KvServer implements AutoCloseable, GracefulStop.Drain {
    /** How long a refused connection's remaining input is discarded before closing. */
    public static final Duration DRAIN_LIMIT = Duration.ofSeconds(2);
    private static final int DRAIN_BUFFER = 4 * 1024;
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
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(store, "store");
        VirtualThreads threads = VirtualThreads.forGroup(group, config.carrier());
        BlockingServerSocket listener = BlockingServerSocket.listen(group, address, TcpOptions.defaults());
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

    private void serve(BlockingSocket socket) {
        RespReader reader = null;
        WaitingConnection connection = new WaitingConnection(socket);
        open.opened(connection, connection::finishIfIdle);
        try (socket) {
            if (!config.idleTimeout().isZero()) {
                socket.setReadTimeout(config.idleTimeout());
            }
            // Buffers exist only while there is something to read or write: an idle connection holds none.
            InputStream in = new IdleFreeInput(socket.getInputStream(), connection::arrived);
            reader = new RespReader(in, config.limits(), queryMemory);
            RespWriter writer = new RespWriter(new IdleFreeOutput(socket.getOutputStream()));
            while (true) {
                if (in.available() == 0) {
                    connection.idle(); // then look at finishing: a drain either sees IDLE or is seen here
                }
                if (finishing) { // a graceful stop: begin no new request
                    writer.flush();
                    return;
                }
                List<byte[]> request;
                try {
                    request = reader.read();
                } catch (RespProtocolException e) {
                    writer.error("ERR Protocol error: " + e.getMessage());
                    writer.flush();
                    drainAndClose(socket, in);
                    return;
                } catch (EOFException e) { // the client closed inside a request: answer the ones before it
                    writer.flush();
                    return;
                }
                if (request == null) { // the client closed
                    writer.flush();
                    return;
                }
                if (!commands.execute(request, writer)) { // QUIT
                    writer.flush();
                    return;
                }
                if (in.available() == 0) { // nothing buffered: the batch is complete, answer it
                    writer.flush();
                }
            }
        } catch (SocketTimeoutException e) {
            // idle too long: close quietly
        } catch (SocketException e) {
            // "Connection reset", "Socket closed" (our close, or the loop shut down): normal outcomes
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "connection failed: " + socket, e);
        } finally {
            if (reader != null) {
                reader.release();
            }
            open.closed(connection);
        }
    }

    private static void drainAndClose(BlockingSocket socket, InputStream in) throws IOException {
        socket.shutdownOutput();
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        byte[] sink = new byte[DRAIN_BUFFER];
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            socket.setReadTimeout(Duration.ofNanos(left));
            if (in.read(sink) < 0) {
                return;
            }
        }
    }
}
