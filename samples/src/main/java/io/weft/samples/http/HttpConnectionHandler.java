package io.weft.samples.http;

import io.weft.loop.core.net.CloseReason;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.StreamConnection;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.tls.TlsConnection;
import io.weft.loop.core.net.tls.TlsHandler;
import io.weft.samples.OpenConnections;
import java.nio.ByteBuffer;

/**
 * Serves HTTP/1.1 on one connection: parses every complete request in each read and answers them
 * in order, so a pipelined batch is answered in one gather write when {@code onRead} returns.
 *
 * <p>Keep-alive is the default; a response that ends the connection (HTTP/1.0 without keep-alive,
 * {@code Connection: close}, any refused request) ends it with the connection's graceful close: the
 * queued responses are flushed however slowly the client reads them (bounded by the connection's
 * close timeout), then a half-close, then input is read and discarded until the client closes or
 * the linger timeout ({@link HttpConfig#lingerTimeout()}, see {@link HttpServer#tcpOptions}) passes,
 * so the client reads the response instead of a reset. Backpressure: reading pauses while the
 * connection is unwritable, and unparsed requests wait in the connection's inbound buffer. A head slower than the idle
 * timeout, or a body slower than {@link HttpConfig#minBodyRate()} after its grace, is answered 408.
 * No exception leaves a callback.
 *
 * <p>The same handler serves plain TCP ({@link #overTcp()}) and HTTPS ({@link #overTls()}): it
 * talks to its connection through {@link StreamConnection}.
 */
final class HttpConnectionHandler {
    private static final System.Logger LOG = System.getLogger(HttpConnectionHandler.class.getName());

    private final HttpConfig config;
    private final Router router;
    private final OpenConnections<StreamConnection> open;
    private final long headTimeoutNanos;
    private RequestParser parser;
    private Responder responder;
    private boolean headStarted;
    private long headStartNanos;
    private long bodyStartNanos;
    /** A batch stopped early for backpressure: requests wait unparsed in the connection's inbound buffer. */
    private boolean backlog;
    private boolean inputClosed;
    /** A graceful stop asked this connection to finish: no new request is started. */
    private boolean finishing;
    private StreamConnection connection;

    HttpConnectionHandler(HttpConfig config, Router router, OpenConnections<StreamConnection> open) {
        this.config = config;
        this.router = router;
        this.open = open;
        this.headTimeoutNanos = config.idleTimeout().toNanos();
    }

    /** This handler as a plain TCP connection's. */
    ConnectionHandler overTcp() {
        return new OverTcp();
    }

    /** This handler as a TLS connection's (HTTPS): the same calls, on plaintext. */
    TlsHandler overTls() {
        return new OverTls();
    }

    /** The TCP callbacks, handed on (a named class: a blocked-loop alarm names it). */
    private final class OverTcp implements ConnectionHandler {
        @Override
        public void onOpen(TcpConnection tcp) {
            opened(tcp);
        }

        @Override
        public void onRead(TcpConnection tcp, ByteBuffer data) {
            read(data);
        }

        @Override
        public void onWritabilityChanged(TcpConnection tcp, boolean writable) {
            writabilityChanged(writable);
        }

        @Override
        public void onInputClosed(TcpConnection tcp) {
            inputClosed();
        }

        @Override
        public void onClose(TcpConnection tcp, CloseReason reason, Throwable cause) {
            closed();
        }
    }

    /** The TLS callbacks, handed on. */
    private final class OverTls implements TlsHandler {
        @Override
        public void onOpen(TlsConnection tls) {
            opened(tls);
        }

        @Override
        public void onRead(TlsConnection tls, ByteBuffer data) {
            read(data);
        }

        @Override
        public void onWritabilityChanged(TlsConnection tls, boolean writable) {
            writabilityChanged(writable);
        }

        @Override
        public void onInputClosed(TlsConnection tls) {
            inputClosed();
        }

        @Override
        public void onClose(TlsConnection tls, CloseReason reason, Throwable cause) {
            closed();
        }
    }

    private void opened(StreamConnection transport) {
        connection = transport;
        parser = new RequestParser(config, router);
        responder = new Responder(transport::write, transport.loop());
        open.opened(transport, () -> transport.loop().execute(this::finish));
    }

    /**
     * A graceful stop: answer the request in progress (if any) and close after it, as after any
     * response that ends the connection; requests not begun (unread, or waiting unparsed behind
     * backpressure) are not started.
     */
    private void finish() {
        finishing = true;
        if (connection.isOpen() && !parser.inRequest()) {
            end();
        }
    }

    private void read(ByteBuffer data) {
        try {
            serve(data);
        } catch (RuntimeException e) {
            // A bug in a route or here: this connection goes, the loop and the others stay.
            LOG.log(System.Logger.Level.WARNING, "aborting " + connection + " after an unexpected exception", e);
            data.position(data.limit());
            connection.abort();
        }
    }

    private void serve(ByteBuffer data) {
        long now = connection.loop().now();
        if ((headStarted && headTimeoutNanos > 0 && now - headStartNanos > headTimeoutNanos)
                || (parser.inBody() && bodyTooSlow(now))) {
            refuse(data, 408);
            return;
        }
        while (true) {
            switch (parser.parse(data)) {
                case RequestParser.NEED_MORE -> {
                    backlog = false;
                    if (inputClosed) {
                        end(); // the client half-closed after its last request: answered now
                        return;
                    }
                    if (!headStarted && parser.inHead()) {
                        headStarted = true;
                        headStartNanos = connection.loop().now();
                    }
                    return;
                }
                case RequestParser.HEAD_DONE -> {
                    headStarted = false;
                    bodyStartNanos = connection.loop().now();
                    // RFC 9110 section 10.1.1: no 100 is needed once body bytes have arrived.
                    if (parser.expectContinue() && parser.minorVersion() >= 1 && !data.hasRemaining()) {
                        responder.sendContinue();
                    }
                }
                case RequestParser.REQUEST_DONE -> {
                    headStarted = false;
                    responder.prepare(parser.isHead(), parser.keepAlive(), parser.minorVersion());
                    parser.route().respond(parser, responder);
                    if (!parser.keepAlive() || finishing) { // finishing: the request in progress at the stop is answered
                        data.position(data.limit());
                        end();
                        return;
                    }
                    if (!connection.isWritable() && data.hasRemaining()) {
                        backlog = true; // reading is paused; the rest waits in the inbound buffer
                        return;
                    }
                }
                default -> {
                    refuse(data, parser.errorStatus());
                    return;
                }
            }
        }
    }

    /** Whether the body so far arrived slower than {@link HttpConfig#minBodyRate()}, past its grace. */
    private boolean bodyTooSlow(long now) {
        return config.minBodyRate() > 0 && now - config.bodyDeadlineNanos(bodyStartNanos, parser.bodyBytesRead()) > 0;
    }

    private void refuse(ByteBuffer data, int status) {
        responder.prepare(parser.isHead(), false, 1);
        responder.send(Responses.forError(status));
        data.position(data.limit());
        end();
    }

    /**
     * Ends the connection after the responses queued: its graceful close flushes them, half-closes,
     * discards input for the linger time and closes; a stop's drain is done with it now.
     */
    private void end() {
        connection.close();
        open.closed(connection);
    }

    private void inputClosed() {
        inputClosed = true;
        if (!backlog) {
            end(); // after the queued responses are flushed
        }
    }

    private void writabilityChanged(boolean writable) {
        if (!connection.isOpen()) {
            return; // closing: it reads no more
        }
        if (writable) {
            connection.resumeReading();
        } else {
            connection.pauseReading();
        }
    }

    private void closed() {
        if (connection != null) { // null: a TLS handshake failed before the connection opened
            open.closed(connection);
        }
    }
}
