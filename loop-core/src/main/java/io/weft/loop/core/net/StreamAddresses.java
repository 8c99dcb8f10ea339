package io.weft.loop.core.net;

import io.weft.loop.core.net.spi.SocketOptions;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.Charset;
import java.util.Objects;

/**
 * The addresses a stream (a {@link TcpServer} or a {@link TcpConnection}) may use: a resolved
 * {@link InetSocketAddress} (TCP) or a {@link UnixDomainSocketAddress} (a Unix domain stream
 * socket), checked at the API edge, and the socket options that apply to each.
 */
final class StreamAddresses {
    /** {@code sizeof(((struct sockaddr_un *) 0)->sun_path)} on Linux (unix(7)). */
    static final int SUN_PATH_SIZE = 108;
    /**
     * The longest path, in bytes, that every backend binds: {@code sun_path} less its terminating NUL
     * would be 107, but the JDK's Unix domain channels (the NIO backend) refuse 107 too, so the limit
     * is the same 106 on every poller.
     */
    static final int MAX_PATH_BYTES = 106;

    private StreamAddresses() {
    }

    /**
     * Checks {@code address} before it reaches a backend.
     *
     * @throws NullPointerException if it is null
     * @throws IllegalArgumentException if it is an unresolved host, an empty or too long Unix socket
     *     path, or another kind of address, saying what to give instead
     */
    static void check(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        switch (address) {
            case InetSocketAddress inet when inet.isUnresolved() ->
                throw new IllegalArgumentException("address " + address + " is unresolved; resolve it first"
                        + " (or connect by host name with HostConnector)");
            case InetSocketAddress inet -> {
            }
            case UnixDomainSocketAddress unix -> checkPath(unix);
            default -> throw new IllegalArgumentException("unsupported address type " + address.getClass().getName()
                    + ": give an InetSocketAddress (TCP) or a UnixDomainSocketAddress (Unix domain socket)");
        }
    }

    private static void checkPath(UnixDomainSocketAddress unix) {
        String path = unix.getPath().toString();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("a Unix domain socket needs a path; the empty path names no socket");
        }
        // The kernel takes the path's bytes in the JVM's file-name encoding, like every path the JDK passes.
        int bytes = path.getBytes(Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"))).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("Unix domain socket path is " + bytes + " bytes, longer than the "
                    + MAX_PATH_BYTES + " that fit (sun_path is " + SUN_PATH_SIZE + " bytes, with the terminating NUL):"
                    + " use a shorter path (a shorter directory, or a path relative to the working directory): " + path);
        }
    }

    /** Whether {@code address} is a Unix domain socket's. */
    static boolean isUnix(SocketAddress address) {
        return address instanceof UnixDomainSocketAddress;
    }

    /**
     * The socket options of {@code options} that apply to {@code address}: all of them for TCP; for
     * a Unix domain socket the TCP-only ones (no-delay, keep-alive, reuse address) are left off,
     * since they mean nothing there.
     *
     * @throws IllegalArgumentException if port sharing is asked for on a Unix domain socket
     */
    static SocketOptions socketOptions(SocketAddress address, TcpOptions options) {
        SocketOptions all = options.socketOptions();
        if (!isUnix(address)) {
            return all;
        }
        if (all.reusePort()) {
            throw new IllegalArgumentException("port sharing (TcpOptions.withReusePort) has no meaning for a Unix"
                    + " domain socket " + address + ": listen without it (a LoopGroup server hands connections"
                    + " round robin)");
        }
        return new SocketOptions(false, false, false, false, all.backlog(), all.receiveBufferSize(),
                all.sendBufferSize());
    }
}
