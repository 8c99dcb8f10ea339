package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import java.nio.ByteBuffer;

/**
 * What a byte-stream connection on a loop offers its handler, the same over plain TCP ({@link
 * TcpConnection}) and TLS ({@link io.weft.loop.core.net.tls.TlsConnection}), so that code written
 * against it serves both. Each method keeps the contract its implementation documents (writes are
 * queued, bounded by the watermarks, and flushed by the loop; closing flushes, then lingers;
 * aborting resets). Loop thread only, as the connections are.
 */
public interface StreamConnection {

    /** {@return the loop this connection runs on} */
    EventLoop loop();

    /**
     * Queues the remaining bytes of {@code data} (consuming them) to be sent.
     *
     * @param data the bytes to send, from its position to its limit; its position ends at its limit
     */
    void write(ByteBuffer data);

    /** {@return whether the queued bytes are below the high watermark (writing more is welcome)} */
    boolean isWritable();

    /** {@return the bytes queued and not yet handed to the kernel} */
    long queuedBytes();

    /** Stops reading until {@link #resumeReading()}. */
    void pauseReading();

    /** Reads again after {@link #pauseReading()}. */
    void resumeReading();

    /** {@return whether reading is paused} */
    boolean isReadingPaused();

    /** {@return whether the connection is established and neither closing nor closed} */
    boolean isOpen();

    /** Half-closes: sends end of stream once the queued bytes are flushed; reading goes on. */
    void shutdownOutput();

    /** Closes gracefully: flushes, ends the stream, lingers for the peer's end, then closes. */
    void close();

    /** Closes at once with a reset; queued bytes are dropped. */
    void abort();
}
