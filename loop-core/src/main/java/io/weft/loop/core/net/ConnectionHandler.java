package io.weft.loop.core.net;

import java.nio.ByteBuffer;

/**
 * Receives a {@link TcpConnection}'s events, always on the connection's loop thread, one at a time.
 *
 * <p>Order: {@link #onOpen} first; then any number of {@link #onRead}, {@link
 * #onWritabilityChanged} and at most one {@link #onInputClosed}; {@link #onClose} last, exactly
 * once (also when a connect fails, then without {@code onOpen}). An exception thrown by a callback
 * goes to the loop's exception handler and aborts this connection only.
 */
public interface ConnectionHandler {

    /**
     * The connection is established; it starts reading after this returns.
     *
     * @param connection the new connection
     */
    default void onOpen(TcpConnection connection) {
    }

    /**
     * Bytes arrived. {@code data} is readable from its position to its limit and is valid only
     * during this call. Consume what you can by advancing its position; bytes left unconsumed are
     * kept and handed back, followed by new data, at the next call (up to {@link
     * TcpOptions#maxInboundBuffer()}; past that the connection closes with {@link
     * CloseReason#ERROR}).
     *
     * @param connection the connection the bytes arrived on
     * @param data the unconsumed bytes, the earlier ones first
     */
    void onRead(TcpConnection connection, ByteBuffer data);

    /**
     * Writability changed: false when the queued writes rose above the high watermark (stop
     * writing, or pause reading), true when they fell below the low watermark again.
     *
     * @param connection the connection whose writability changed
     * @param writable whether writing more is welcome now
     */
    default void onWritabilityChanged(TcpConnection connection, boolean writable) {
    }

    /**
     * The peer shut down its output (end of stream); the connection can still write. By default
     * the connection is closed once the queued writes are flushed (no linger drain: the peer has
     * nothing more to send).
     *
     * @param connection the connection whose input ended
     */
    default void onInputClosed(TcpConnection connection) {
        connection.close();
    }

    /**
     * The connection closed; {@code cause} is non-null for {@link CloseReason#ERROR}, resets and
     * cancelled connects. Pending {@link WriteCompletion}s have been failed before this call.
     *
     * @param connection the connection, closed now
     * @param reason who or what closed it
     * @param cause the failure, or null for a clean close
     */
    default void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
    }
}
