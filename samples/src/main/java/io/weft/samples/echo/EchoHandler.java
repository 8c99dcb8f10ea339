package io.weft.samples.echo;

import io.weft.loop.core.net.CloseReason;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.StreamConnection;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.tls.TlsConnection;
import io.weft.loop.core.net.tls.TlsHandler;
import io.weft.samples.OpenConnections;
import java.nio.ByteBuffer;

/**
 * Writes back every byte it reads. When the peer reads slower than it writes, the connection's
 * queue rises above its high watermark and reading pauses until the queue drains below the low
 * one, so memory stays bounded by the watermarks. At end of stream the connection closes once
 * everything read has been echoed. Asked to finish by a graceful stop, it closes: what it read is
 * echoed first, and the bytes still unread are not an echo the client was promised.
 *
 * <p>It serves plain TCP and TLS alike (over TLS it echoes the plaintext, and the peer's
 * close_notify is its end of stream): each callback of either interface forwards to the one
 * method written against {@link StreamConnection}.
 */
final class EchoHandler implements ConnectionHandler, TlsHandler {
    private final OpenConnections<StreamConnection> open;

    EchoHandler(OpenConnections<StreamConnection> open) {
        this.open = open;
    }

    @Override
    public void onOpen(TcpConnection connection) {
        opened(connection);
    }

    @Override
    public void onOpen(TlsConnection connection) {
        opened(connection);
    }

    @Override
    public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
        open.closed(connection);
    }

    @Override
    public void onClose(TlsConnection connection, CloseReason reason, Throwable cause) {
        open.closed(connection);
    }

    @Override
    public void onRead(TcpConnection connection, ByteBuffer data) {
        connection.write(data); // copies and consumes; flushed when this returns
    }

    @Override
    public void onRead(TlsConnection connection, ByteBuffer data) {
        connection.write(data); // encrypts and consumes; flushed when this returns
    }

    @Override
    public void onWritabilityChanged(TcpConnection connection, boolean writable) {
        writabilityChanged(connection, writable);
    }

    @Override
    public void onWritabilityChanged(TlsConnection connection, boolean writable) {
        writabilityChanged(connection, writable);
    }

    private void opened(StreamConnection connection) {
        open.opened(connection, () -> connection.loop().execute(() -> {
            if (connection.isOpen()) {
                connection.close();
            }
            open.closed(connection); // nothing more to do here: the close flushes and lingers on its own
        }));
    }

    private static void writabilityChanged(StreamConnection connection, boolean writable) {
        if (writable) {
            connection.resumeReading();
        } else {
            connection.pauseReading();
        }
    }
}
