package io.weft.loop.core.net.tls;

import io.weft.loop.core.net.CloseReason;
import io.weft.loop.core.net.TcpOptions;
import java.nio.ByteBuffer;

/**
 * Receives a {@link TlsConnection}'s plaintext events, always on the connection's loop thread, one
 * at a time. The same contract as {@link io.weft.loop.core.net.ConnectionHandler}, with TLS meaning:
 *
 * <p>Order: {@link #onOpen} once the handshake finished; then any number of {@link #onRead}, {@link
 * #onWritabilityChanged} and at most one {@link #onInputClosed}; {@link #onClose} last, exactly
 * once (also when the connect or the handshake fails, then without {@code onOpen}). An exception
 * thrown by a callback goes to the loop's exception handler and aborts this connection only.
 */
public interface TlsHandler {

    /**
     * The handshake finished; {@link TlsConnection#applicationProtocol()} and the session are known.
     *
     * @param connection the connection, its handshake done
     */
    default void onOpen(TlsConnection connection) {
    }

    /**
     * Plaintext arrived. {@code data} is readable from its position to its limit and valid only
     * during this call. Bytes left unconsumed are handed back, followed by new plaintext, at the
     * next call (up to {@link TcpOptions#maxInboundBuffer()}; past that the connection closes with
     * {@link CloseReason#ERROR}).
     *
     * @param connection the connection the plaintext arrived on
     * @param data the unconsumed plaintext, the earlier bytes first
     */
    void onRead(TlsConnection connection, ByteBuffer data);

    /**
     * Writability changed: false when the queued encrypted bytes rose above the high watermark,
     * true when they fell below the low watermark again.
     *
     * @param connection the connection whose writability changed
     * @param writable whether writing more is welcome now
     */
    default void onWritabilityChanged(TlsConnection connection, boolean writable) {
    }

    /**
     * The peer sent close_notify: it sends nothing more. Over TLS 1.3 this side may still write;
     * over TLS 1.2 the JDK closes this side too. By default the connection is closed (this side
     * answers with its own close_notify).
     *
     * @param connection the connection whose input ended
     */
    default void onInputClosed(TlsConnection connection) {
        connection.close();
    }

    /**
     * The connection closed. When TLS failed (bad input, certificates, handshake timeout,
     * renegotiation, truncation: the peer closed TCP without close_notify), {@code reason} is
     * {@link CloseReason#ERROR} and {@code cause} a {@link TlsFailureException} saying which.
     * Otherwise as {@link io.weft.loop.core.net.ConnectionHandler#onClose}.
     *
     * @param connection the connection, closed now
     * @param reason who or what closed it
     * @param cause the failure, or null for a clean close
     */
    default void onClose(TlsConnection connection, CloseReason reason, Throwable cause) {
    }
}
