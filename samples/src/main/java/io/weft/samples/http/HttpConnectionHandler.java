package io.weft.samples.http;

import io.weft.loop.core.Timer;
import io.weft.loop.core.net.CloseReason;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.samples.OpenConnections;
import java.nio.ByteBuffer;

/**
 * Serves HTTP/1.1 on one connection: parses every complete request in each read and answers them
 * in order, so a pipelined batch is answered in one gather write when {@code onRead} returns.
 *
 * <p>Keep-alive is the default; a response that ends the connection (HTTP/1.0 without keep-alive,
 * {@code Connection: close}, any refused request) is followed by a half-close, and input is read
 * and discarded until the client closes or the linger timeout passes, so the client reads the
 * response instead of a reset. Backpressure: reading pauses while the connection is unwritable,
 * and unparsed requests wait in the connection's inbound buffer. A head slower than the idle
 * timeout, or a body slower than {@link HttpConfig#minBodyRate()} after its grace, is answered 408.
 * No exception leaves a callback.
 */
final class HttpConnectionHandler implements ConnectionHandler {
    private static final System.Logger LOG = System.getLogger(HttpConnectionHandler.class.getName());

    private final HttpConfig config;
    private final Router router;
    private final OpenConnections<TcpConnection> open;
    private final long headTimeoutNanos;
    private RequestParser parser;
    private Responder responder;
    private boolean headStarted;
    private long headStartNanos;
    private long bodyStartNanos;
    private boolean lingering;
    /** A batch stopped early for backpressure: requests wait unparsed in the connection's inbound buffer. */
    private boolean backlog;
    private boolean inputClosed;
    /** A graceful stop asked this connection to finish: no new request is started. */
    private boolean finishing;
    private Timer lingerTimer;

    HttpConnectionHandler(HttpConfig config, Router router, OpenConnections<TcpConnection> open) {
        this.config = config;
        this.router = router;
        this.open = open;
        this.headTimeoutNanos = config.idleTimeout().toNanos();
    }

    @Override
    public void onOpen(TcpConnection connection) {
        parser = new RequestParser(config, router);
        responder = new Responder(connection);
        open.opened(connection, () -> connection.loop().execute(() -> finish(connection)));
    }

    /**
     * A graceful stop: answer the request in progress (if any) and close after it, as after any
     * response that ends the connection (flush, half-close, discard input, close); requests not
     * begun (unread, or waiting unparsed behind backpressure) are not started.
     */
    private void finish(TcpConnection connection) {
        finishing = true;
        if (connection.isOpen() && !parser.inRequest() && !lingering) {
            linger(connection);
        }
    }

    @Override
    public void onRead(TcpConnection connection, ByteBuffer data) {
        if (lingering) {
            data.position(data.limit());
            return;
        }
        try {
            serve(connection, data);
        } catch (RuntimeException e) {
            // A bug in a route or here: this connection goes, the loop and the others stay.
            LOG.log(System.Logger.Level.WARNING, "aborting " + connection + " after an unexpected exception", e);
            data.position(data.limit());
            connection.abort();
        }
    }

    private void serve(TcpConnection connection, ByteBuffer data) {
        long now = connection.loop().now();
        if ((headStarted && headTimeoutNanos > 0 && now - headStartNanos > headTimeoutNanos)
                || (parser.inBody() && bodyTooSlow(now))) {
            refuse(connection, data, 408);
            return;
        }
        while (true) {
            switch (parser.parse(data)) {
                case RequestParser.NEED_MORE -> {
                    backlog = false;
                    if (inputClosed) {
                        connection.close(); // the client half-closed after its last request: answered now
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
                        linger(connection);
                        return;
                    }
                    if (!connection.isWritable() && data.hasRemaining()) {
                        backlog = true; // reading is paused; the rest waits in the inbound buffer
                        return;
                    }
                }
                default -> {
                    refuse(connection, data, parser.errorStatus());
                    return;
                }
            }
        }
    }

    /** Whether the body so far arrived slower than {@link HttpConfig#minBodyRate()}, past its grace. */
    private boolean bodyTooSlow(long now) {
        long elapsed = now - bodyStartNanos;
        if (config.minBodyRate() == 0 || elapsed <= config.bodyRateGrace().toNanos()) {
            return false;
        }
        return parser.bodyBytesRead() < config.minBodyRate() * (elapsed / 1_000_000_000.0);
    }

    private void refuse(TcpConnection connection, ByteBuffer data, int status) {
        responder.prepare(parser.isHead(), false, 1);
        responder.send(Responses.forError(status));
        data.position(data.limit());
        linger(connection);
    }

    /** Half-closes after the queued responses; discards input until the peer closes or the linger ends. */
    private void linger(TcpConnection connection) {
        lingering = true;
        connection.shutdownOutput();
        if (connection.isReadingPaused()) {
            connection.resumeReading();
        }
        lingerTimer = connection.loop().schedule(config.lingerTimeout(), () -> {
            if (connection.queuedBytes() > 0) {
                connection.abort(); // the client does not even read its response
            } else {
                connection.close();
            }
        });
    }

    @Override
    public void onInputClosed(TcpConnection connection) {
        inputClosed = true;
        if (!backlog) {
            connection.close(); // after the queued responses are flushed
        }
    }

    @Override
    public void onWritabilityChanged(TcpConnection connection, boolean writable) {
        if (lingering) {
            return;
        }
        if (writable) {
            connection.resumeReading();
        } else {
            connection.pauseReading();
        }
    }

    @Override
    public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
        open.closed(connection);
        if (lingerTimer != null) {
            lingerTimer.cancel();
        }
    }
}
