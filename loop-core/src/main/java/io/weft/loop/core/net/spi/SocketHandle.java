package io.weft.loop.core.net.spi;

import io.weft.loop.core.spi.PollSource;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A connected (or connecting) non-blocking stream socket (TCP or Unix domain) of a {@link TcpBackend}. Loop thread only.
 *
 * <p>Reads and writes never block; they report "would block" as 0. A peer that resets (ECONNRESET,
 * EPIPE) makes them throw {@link PeerResetException}.
 */
public interface SocketHandle extends AutoCloseable {

    /** {@return what the loop's poller watches} */
    PollSource source();

    /**
     * Completes a connect started by {@link TcpBackend#connect}.
     *
     * @return true when connected, false when still in progress
     * @throws IOException when the connect failed (refused, unreachable, ...)
     */
    boolean finishConnect() throws IOException;

    /**
     * Reads into {@code dst} from its position up to its limit.
     *
     * @param dst the buffer to fill; its position advances by the bytes read
     * @return bytes read, 0 when nothing is available, -1 at end of stream
     * @throws IOException if the read fails: a {@link PeerResetException} when the peer reset the connection
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes the remaining bytes of {@code srcs[offset .. offset + length)} in one gather write
     * where the OS allows, advancing their positions.
     *
     * @param srcs the buffers to write from
     * @param offset the index in {@code srcs} of the first buffer
     * @param length how many buffers, from {@code offset}, to write
     * @return bytes written, 0 when the socket buffer is full
     * @throws IOException if the write fails: a {@link PeerResetException} when the peer reset the connection
     */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * Sends FIN after what was written: the peer reads end of stream; reading goes on.
     *
     * @throws IOException if the OS refuses, the connection having failed
     */
    void shutdownOutput() throws IOException;

    /**
     * {@return the local address (an InetSocketAddress or a UnixDomainSocketAddress)}
     *
     * @throws IOException if the OS cannot say, the socket being closed
     */
    SocketAddress localAddress() throws IOException;

    /**
     * {@return the peer's address (an InetSocketAddress or a UnixDomainSocketAddress)}
     *
     * @throws IOException if the OS cannot say, the socket being closed or never connected
     */
    SocketAddress remoteAddress() throws IOException;

    /** Closes the socket (an orderly FIN after what was written); idempotent. */
    @Override
    void close() throws IOException;

    /**
     * Closes the socket abortively: sets {@code SO_LINGER} to 0 so the kernel sends RST and drops
     * what is still unsent, then closes. Idempotent, and a no-op once closed.
     *
     * @throws IOException if setting the linger or closing fails; the socket is closed even so
     */
    void abort() throws IOException;
}
