package io.weft.loop.core.spi;

import io.weft.loop.core.net.TcpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The syscall layer of TCP for one poller: listening, connecting, and the sockets it returns.
 * The connection state machine in {@code io.weft.loop.core.net} is written once over this
 * interface; each poller ships the backend whose sockets it can watch ({@code java.nio} channels
 * for the NIO poller, raw fds for epoll).
 *
 * <p>All sockets are non-blocking. Methods are called on the thread of the loop that owns the
 * socket, except {@link ServerSocketHandle#accept()}'s result, which may be handed to another loop.
 */
public interface TcpBackend {

    /**
     * Opens a listening socket bound to {@code address} with {@code options} (backlog, reuse
     * address, and reuse port when {@code reusePort} is set and {@link #supportsReusePort()}).
     */
    ServerSocketHandle listen(InetSocketAddress address, TcpOptions options, boolean reusePort) throws IOException;

    /**
     * Starts a non-blocking connect; the socket becomes writable when it finishes, and {@link
     * SocketHandle#finishConnect()} then tells whether it succeeded.
     */
    SocketHandle connect(InetSocketAddress address, TcpOptions options) throws IOException;

    /** Whether several listeners may bind one address, one per loop ({@code SO_REUSEPORT}). */
    boolean supportsReusePort();
}
