package io.weft.loop.core.net.spi;

/**
 * The socket-level options a {@link TcpBackend} applies, taken from the user's {@code TcpOptions}
 * (which also carries the connection-level ones a backend never sees). Validated by {@code
 * TcpOptions}; a backend applies them as given.
 *
 * <p><b>Evolution.</b> Only loop-core constructs this record; backends read it. A new option is a
 * new component, so a backend keeps compiling and simply does not apply it until it is updated.
 *
 * @param noDelay TCP_NODELAY on connected sockets
 * @param keepAlive SO_KEEPALIVE on connected sockets
 * @param reuseAddress SO_REUSEADDR on listeners
 * @param reusePort SO_REUSEPORT on listeners: several sockets may bind one address (port sharing)
 * @param backlog the listen backlog
 * @param receiveBufferSize SO_RCVBUF in bytes, 0 for the OS default (listeners and connected sockets)
 * @param sendBufferSize SO_SNDBUF in bytes, 0 for the OS default (connected sockets)
 */
public record SocketOptions(
        boolean noDelay,
        boolean keepAlive,
        boolean reuseAddress,
        boolean reusePort,
        int backlog,
        int receiveBufferSize,
        int sendBufferSize) {
}
