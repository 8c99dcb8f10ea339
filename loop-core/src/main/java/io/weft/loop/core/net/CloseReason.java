package io.weft.loop.core.net;

/** Why a {@link TcpConnection} closed, as {@link ConnectionHandler#onClose} reports it. */
public enum CloseReason {
    /** The peer closed its side and the connection then closed (end of stream, then close). */
    PEER_CLOSED,
    /** The peer reset the connection (ECONNRESET) or vanished (EPIPE). Counted, not logged. */
    RESET,
    /**
     * This side called {@link TcpConnection#close()} (reported once its flush and linger are over)
     * or {@link TcpConnection#abort()}, or cancelled a connect (then with a {@code
     * CancellationException} as the cause).
     */
    LOCAL_CLOSE,
    /** Nothing was read or written for the connection's idle timeout. */
    IDLE_TIMEOUT,
    /** The loop shut down while the connection was open. */
    LOOP_CLOSED,
    /**
     * A read, write or connect failed for another reason, or {@link TcpConnection#close()} could not
     * flush within {@link TcpOptions#closeTimeout()}; the cause says which.
     */
    ERROR
}
