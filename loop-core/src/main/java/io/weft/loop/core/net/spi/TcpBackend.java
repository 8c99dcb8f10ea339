package io.weft.loop.core.net.spi;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * The syscall layer of TCP for one poller: listening, connecting, and the sockets it returns.
 * The connection state machine in {@code io.weft.loop.core.net} is written once over this
 * interface; a {@link TcpBackendProvider} ships the backend whose sockets one poller can watch
 * ({@code java.nio} channels for the NIO poller, raw fds for epoll).
 *
 * <p><b>Addresses.</b> An address is a resolved {@link java.net.InetSocketAddress} (TCP) or a
 * {@link java.net.UnixDomainSocketAddress} (a Unix domain stream socket), already checked by {@code
 * net}: a Unix socket's path fits in {@code sun_path}, and its options carry none of the TCP-only ones
 * (no-delay, keep-alive, reuse address, reuse port), so a backend sets a boolean option only when it
 * is on. {@code net} removes a Unix socket's file, stale or after close; a backend only binds it.
 *
 * <p>All sockets are non-blocking. Methods are called on the thread of the loop that owns the
 * socket, except {@link ServerSocketHandle#accept()}'s result, which may be handed to another loop.
 */
public interface TcpBackend {

    /**
     * Opens a listening socket bound to {@code address} with the listener's {@code options}
     * (backlog, reuse address, reuse port, receive buffer); the sockets it accepts get the
     * per-connection ones.
     *
     * @param address the address to bind
     * @param options the listener's options and those of the sockets it accepts
     * @return the bound, listening socket, non-blocking
     * @throws java.net.BindException if the address is in use (EADDRINUSE) or not local
     * @throws UnsupportedOperationException if {@code options.reusePort()} is set and {@link
     *     #supportsReusePort()} is false
     * @throws IOException for other failures, naming the call and the address
     */
    ServerSocketHandle listen(SocketAddress address, SocketOptions options) throws IOException;

    /**
     * Starts a non-blocking connect; the socket becomes writable when it finishes, and {@link
     * SocketHandle#finishConnect()} then tells whether it succeeded.
     *
     * @param address the address to connect to (an InetSocketAddress or a UnixDomainSocketAddress)
     * @param options the socket's options
     * @return the connecting socket, non-blocking
     * @throws IOException if the socket cannot be made or the connect fails at once (a Unix socket
     *     path with no listener, ...), naming the call and the address
     */
    SocketHandle connect(SocketAddress address, SocketOptions options) throws IOException;

    /** {@return whether listeners can share a port ({@code SO_REUSEPORT}, {@link SocketOptions#reusePort()})} */
    boolean supportsReusePort();
}
