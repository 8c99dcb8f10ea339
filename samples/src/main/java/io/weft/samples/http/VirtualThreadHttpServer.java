package io.weft.samples.http;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.vthreads.BlockingServerSocket;
import io.weft.loop.vthreads.BlockingSocket;
import io.weft.loop.vthreads.Carrier;
import io.weft.loop.vthreads.VirtualThreads;
import io.weft.samples.OpenConnections;
import io.weft.samples.SampleLauncher;
import io.weft.samples.WaitingConnection;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * The sample HTTP/1.1 server in blocking style ({@code --style vthreads}): a
 * {@link BlockingServerSocket}, one virtual thread accepting and one per connection, started on
 * the connection's loop (with {@link Carrier#LOOP}, the loop thread carries it and its reads take
 * what the loop buffered with no hand-off). It does the same work as {@link HttpServer}, with the
 * same {@link RequestParser}, {@link Router} and response bytes, so the two styles can be compared:
 *
 * <ul>
 *   <li>requests are parsed in place from the connection's read buffer; every complete request in
 *       it is answered into a buffered output stream, flushed once the buffer holds no complete
 *       request, so a pipelined batch goes out in one write;
 *   <li>a response that ends the connection, or a refused request, is flushed and the socket closed:
 *       its connection's graceful close sends what is still queued, half-closes and discards input
 *       for {@link HttpConfig#lingerTimeout()} (see {@link io.weft.loop.core.net.TcpConnection#close()});
 *   <li>{@link HttpConfig#idleTimeout()} is the read and write timeout (idle connections close without
 *       an answer) and bounds the time a request head may take (408);
 *   <li>backpressure comes for free: a write parks while the connection is above its high watermark,
 *       and nothing is read meanwhile.
 * </ul>
 */
public final class VirtualThreadHttpServer implements SampleLauncher.Listener {
    private static final System.Logger LOG = System.getLogger(VirtualThreadHttpServer.class.getName());
    private static final int READ_BUFFER = 16 * 1024;
    private static final int WRITE_BUFFER = 16 * 1024;

    private final BlockingServerSocket listener;
    private final VirtualThreads threads;
    private final HttpConfig config;
    private final Router router;
    /** The read buffer may grow up to a head at its limits, plus room for a partial next request. */
    private final int maxReadBuffer;
    private final OpenConnections<WaitingConnection> open = new OpenConnections<>();
    /** A graceful stop began: connections start no new request. */
    private volatile boolean finishing;

    private VirtualThreadHttpServer(BlockingServerSocket listener, VirtualThreads threads, HttpConfig config, Router router) {
        this.listener = listener;
        this.threads = threads;
        this.config = config;
        this.router = router;
        this.maxReadBuffer = Math.max(READ_BUFFER, 2 * (config.maxRequestLine() + config.maxHeaderBytes()) + 4096);
    }

    /**
     * Listens on {@code address} and serves {@code router}'s routes on virtual threads carried as
     * {@code carrier} asks (or by the pool, see {@link VirtualThreads}).
     *
     * @throws IOException if the address cannot be bound
     */
    public static VirtualThreadHttpServer listen(LoopGroup group, SocketAddress address, HttpConfig config,
            Router router, Carrier carrier) throws IOException {
        return listen(group, address, config, null, router, carrier);
    }

    /**
     * Like {@link #listen}, serving HTTPS: the {@link BlockingServerSocket} hands over each
     * connection once its handshake is over, and the same blocking code serves the plaintext.
     *
     * @param group the loops that accept, handshake and serve
     * @param address where to listen
     * @param config the HTTP limits and timeouts
     * @param tls the server's certificate, protocols and ALPN
     * @param router the routes
     * @param carrier what carries the connection threads (the pool after a fallback)
     * @return the started server
     * @throws IOException if the address cannot be bound
     */
    public static VirtualThreadHttpServer listenTls(LoopGroup group, SocketAddress address, HttpConfig config,
            TlsConfig tls, Router router, Carrier carrier) throws IOException {
        return listen(group, address, config, Objects.requireNonNull(tls, "tls"), router, carrier);
    }

    /** Listens plain ({@code tls} null) or over TLS, and starts the acceptor. */
    private static VirtualThreadHttpServer listen(LoopGroup group, SocketAddress address, HttpConfig config,
            TlsConfig tls, Router router, Carrier carrier) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(router, "router");
        VirtualThreads threads = VirtualThreads.forGroup(group, carrier);
        TcpOptions options = TcpOptions.defaults().withLingerTimeout(config.lingerTimeout());
        BlockingServerSocket listener = tls == null
                ? BlockingServerSocket.listen(group, address, options)
                : BlockingServerSocket.listen(group, address, options, tls);
        VirtualThreadHttpServer server = new VirtualThreadHttpServer(listener, threads, config, router);
        threads.start(group.loops().get(0), server::acceptLoop);
        return server;
    }

    @Override
    public SocketAddress localAddress() {
        return listener.localAddress();
    }

    /** The carrier the connection threads really run on (the pool after a fallback). */
    public Carrier carrier() {
        return threads.carrier();
    }

    /** Stops accepting; open connections go on until the group shuts down. Idempotent. */
    @Override
    public void close() {
        listener.close();
    }

    /**
     * After {@link #close()}: connections start no new request; each closes, as after any response
     * that ends a connection, once the requests it has begun are answered (an idle one at once).
     */
    @Override
    public boolean drain(long deadlineNanos) throws InterruptedException {
        finishing = true;
        return open.drain(deadlineNanos);
    }

    private void acceptLoop() {
        listener.serve(threads, this::serve);
    }

    private void serve(BlockingSocket socket) {
        WaitingConnection waiting = new WaitingConnection(socket);
        open.opened(waiting, waiting::finishIfIdle);
        try (socket) {
            new Connection(socket, waiting).run();
        } catch (SocketTimeoutException e) {
            // idle too long (reading or writing): close without an answer
        } catch (SocketException e) {
            // "Connection reset", "Socket closed" (our close, or the loop shut down): normal outcomes
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.DEBUG, () -> "connection failed: " + socket, e);
        } catch (RuntimeException e) {
            // A bug in a route or here: this connection goes, the loop and the others stay.
            LOG.log(Level.WARNING, "aborting " + socket + " after an unexpected exception", e);
            socket.abort();
        } finally {
            open.closed(waiting);
        }
    }

    /** One connection's state; its thread only. */
    private final class Connection {
        private final BlockingSocket socket;
        private final WaitingConnection waiting;
        private final OutputStream out;
        private final RequestParser parser = new RequestParser(config, router);
        private final Responder responder;
        private final long headTimeoutNanos = config.idleTimeout().toNanos();
        /** Unparsed input between position and limit (read mode). */
        private ByteBuffer in = ByteBuffer.allocate(READ_BUFFER).flip();
        private boolean headStarted;
        private long headStartNanos;
        private long bodyStartNanos;

        Connection(BlockingSocket socket, WaitingConnection waiting) {
            this.socket = socket;
            this.waiting = waiting;
            this.out = new BufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER);
            this.responder = Responder.forStream(out);
            socket.setReadTimeout(config.idleTimeout());
            socket.setWriteTimeout(config.idleTimeout());
        }

        void run() throws IOException {
            while (true) {
                switch (parser.parse(in)) {
                    case RequestParser.NEED_MORE -> {
                        if (!headStarted && parser.inHead()) {
                            headStarted = true;
                            headStartNanos = System.nanoTime();
                        }
                        out.flush(); // no complete request left: the batch is answered
                        if (!parser.inRequest() && !in.hasRemaining()) {
                            waiting.idle(); // then look at finishing: a drain either sees it idle or is seen here
                            if (finishing) {
                                return; // flushed above; the socket's close ends the connection, see end()
                            }
                        }
                        boolean inBody = parser.inRequest() && !parser.inHead();
                        if (inBody && config.minBodyRate() > 0 ? !fillBody() : !fill()) {
                            return; // the client closed (what it asked for is answered), or a slow body was refused
                        }
                        if (headStarted && headTimeoutNanos > 0 && System.nanoTime() - headStartNanos > headTimeoutNanos) {
                            refuse(408);
                            return;
                        }
                    }
                    case RequestParser.HEAD_DONE -> {
                        headStarted = false;
                        bodyStartNanos = System.nanoTime();
                        // RFC 9110 section 10.1.1: no 100 is needed once body bytes have arrived.
                        if (parser.expectContinue() && parser.minorVersion() >= 1 && !in.hasRemaining()) {
                            responder.sendContinue();
                            out.flush(); // the client waits for it before sending the body
                        }
                    }
                    case RequestParser.REQUEST_DONE -> {
                        headStarted = false;
                        responder.prepare(parser.isHead(), parser.keepAlive(), parser.minorVersion());
                        parser.route().respond(parser, responder);
                        if (!parser.keepAlive() || finishing) { // finishing: requests not begun are not started
                            end();
                            return;
                        }
                    }
                    default -> {
                        refuse(parser.errorStatus());
                        return;
                    }
                }
            }
        }

        /** Reads more input after what is left unparsed; false at end of stream. */
        private boolean fill() throws IOException {
            in.compact(); // write mode
            if (!in.hasRemaining()) {
                if (in.capacity() >= maxReadBuffer) {
                    // The parser refuses a head over its limits long before; this is a safety net.
                    in.flip();
                    throw new IOException("request head over " + maxReadBuffer + " bytes");
                }
                in = ByteBuffer.allocate(Math.min(in.capacity() * 2, maxReadBuffer)).put(in.flip());
            }
            int n = socket.read(in);
            in.flip();
            if (n > 0 && !waiting.arrived()) {
                throw new SocketException("Socket closed"); // a drain took the connection while it waited
            }
            return n >= 0;
        }

        /**
         * {@link #fill()} for a body under {@link HttpConfig#minBodyRate()}: the read waits no longer
         * than the body may take at that rate (nor than the idle timeout); a body too slow is refused
         * with 408, and then this returns false, as at end of stream.
         */
        private boolean fillBody() throws IOException {
            long left = config.bodyDeadlineNanos(bodyStartNanos, parser.bodyBytesRead()) - System.nanoTime();
            if (left > 0) {
                Duration idle = config.idleTimeout();
                boolean rateBound = idle.isZero() || idle.toNanos() > left;
                socket.setReadTimeout(rateBound ? Duration.ofNanos(left) : idle);
                try {
                    return fill();
                } catch (SocketTimeoutException e) {
                    if (!rateBound) {
                        throw e; // the idle timeout, not the rate
                    }
                } finally {
                    socket.setReadTimeout(config.idleTimeout());
                }
            }
            refuse(408);
            return false;
        }

        private void refuse(int status) throws IOException {
            responder.prepare(parser.isHead(), false, 1);
            responder.send(Responses.forError(status));
            end();
        }

        /**
         * Hands the responses written to the socket; the connection ends when {@link #run} returns:
         * the socket's close flushes them, half-closes and discards input for the linger time.
         */
        private void end() throws IOException {
            out.flush();
        }
    }
}
