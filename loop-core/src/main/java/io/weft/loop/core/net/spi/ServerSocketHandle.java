package io.weft.loop.core.net.spi;

import io.weft.loop.core.spi.PollSource;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * A listening socket of a {@link TcpBackend}. Used by one thread at a time, so an implementation
 * keeps plain fields: the thread that made it, then the loop it is handed to (with a happens-before
 * edge, such as {@code EventLoop.execute}); {@code TcpServer} never closes it from another thread
 * while its loop may be accepting.
 */
public interface ServerSocketHandle extends AutoCloseable {

    /** {@return what the loop's poller watches; readable means a connection can be accepted} */
    PollSource source();

    /**
     * Accepts one pending connection, already non-blocking and with the server's options applied.
     *
     * @return the connection, or null when none is pending (EAGAIN)
     * @throws FdExhaustedException when the process or system is out of file descriptors
     * @throws IOException for other failures, naming the call and the reason
     */
    SocketHandle accept() throws IOException;

    /**
     * {@return the address the socket is bound to (with the real port when bound to port 0, or its
     * Unix socket path)}
     *
     * @throws IOException if the OS cannot say, the socket being closed
     */
    SocketAddress localAddress() throws IOException;

    /** Closes the socket; idempotent. */
    @Override
    void close() throws IOException;
}
