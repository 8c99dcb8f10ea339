package io.weft.loop.epoll.internal;

import static io.weft.loop.epoll.internal.SocketCalls.IPPROTO_TCP;
import static io.weft.loop.epoll.internal.SocketCalls.SOL_SOCKET;

import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import io.weft.loop.core.net.spi.TcpBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * TCP and Unix domain stream sockets over raw socket fds, for the epoll poller: every socket is made with {@code SOCK_NONBLOCK |
 * SOCK_CLOEXEC}, watched as {@code PollSource.ofKnownPollableFd(fd)}, and read and written between the kernel and
 * the caller's buffers with no copy. Stateless; each socket owns its native memory ({@link
 * SocketScratch}).
 */
public final class EpollTcpBackend implements TcpBackend {
    public static final EpollTcpBackend INSTANCE = new EpollTcpBackend();

    private static final int SOCKET_TYPE = SocketCalls.SOCK_STREAM | SocketCalls.SOCK_NONBLOCK | SocketCalls.SOCK_CLOEXEC;

    static {
        // Accept fails with EMFILE exactly when no file can be opened, not even a class file from a
        // class-path directory; javac inlines Errno's constants, so nothing has loaded Errno or the
        // exceptions it makes by then. Build one of each now.
        Errno.socketException("accept4", Errno.EMFILE);
        Errno.socketException("sendmsg", Errno.ECONNRESET);
        Errno.connectException("connect", Errno.ECONNREFUSED);
    }

    private EpollTcpBackend() {
    }

    @Override
    public ServerSocketHandle listen(SocketAddress address, SocketOptions options) throws IOException {
        check(address, options);
        SocketScratch s = new SocketScratch();
        int fd = open(s, address);
        try {
            if (options.reuseAddress()) {
                setOption(s, fd, SOL_SOCKET, SocketCalls.SO_REUSEADDR, "SO_REUSEADDR", 1);
            }
            if (options.reusePort()) {
                setOption(s, fd, SOL_SOCKET, SocketCalls.SO_REUSEPORT, "SO_REUSEPORT", 1);
            }
            if (options.receiveBufferSize() > 0) {
                // Before listen, so accepted sockets inherit it and the window scale fits (tcp(7)).
                setOption(s, fd, SOL_SOCKET, SocketCalls.SO_RCVBUF, "SO_RCVBUF", options.receiveBufferSize());
            }
            int length = SocketAddresses.encode(address, s.sockaddr);
            int r = SocketCalls.bind(s.errno, fd, s.sockaddr, length);
            if (r < 0) {
                throw Errno.socketException("bind(fd=" + fd + ", " + SocketAddresses.format(address) + ")", -r);
            }
            r = SocketCalls.listen(s.errno, fd, options.backlog());
            if (r < 0) {
                throw Errno.socketException("listen(fd=" + fd + ", backlog=" + options.backlog() + ")", -r);
            }
            return new EpollServerSocket(fd, options);
        } catch (IOException | RuntimeException e) {
            FdCalls.close(s.errno, fd);
            throw e;
        }
    }

    @Override
    public SocketHandle connect(SocketAddress address, SocketOptions options) throws IOException {
        check(address, options);
        SocketScratch s = new SocketScratch();
        int fd = open(s, address);
        try {
            applyOptions(s, fd, options);
            int length = SocketAddresses.encode(address, s.sockaddr);
            int r = SocketCalls.connect(s.errno, fd, s.sockaddr, length);
            // A non-blocking connect goes on in the background after EINPROGRESS, and after EINTR too
            // (connect(2)); the socket turns writable when it is done either way.
            if (r < 0 && r != -Errno.EINPROGRESS && r != -Errno.EINTR) {
                throw Errno.connectException("connect(fd=" + fd + ", " + SocketAddresses.format(address) + ")", -r);
            }
            return new EpollSocket(fd, s, address, r == 0);
        } catch (IOException | RuntimeException e) {
            FdCalls.close(s.errno, fd);
            throw e;
        }
    }

    /**
     * Takes over a connected socket fd accepted elsewhere (loop-iouring's multishot accept): applies
     * the per-connection {@code options} and wraps it as this backend's socket. The fd is closed if
     * an option cannot be set.
     *
     * @param fd an accepted, non-blocking, close-on-exec stream socket
     * @param options the per-connection options of its listener
     * @return the socket handle that owns the fd
     * @throws IOException naming the option the kernel refused
     */
    public SocketHandle adoptAccepted(int fd, SocketOptions options) throws IOException {
        SocketScratch s = new SocketScratch();
        try {
            applyOptions(s, fd, options);
        } catch (IOException | RuntimeException e) {
            FdCalls.close(s.errno, fd);
            throw e;
        }
        return new EpollSocket(fd, s, null, true);
    }

    /** True: listeners with {@link SocketOptions#reusePort()} share a port, and the kernel spreads connections. */
    @Override
    public boolean supportsReusePort() {
        return true;
    }

    private static void check(SocketAddress address, SocketOptions options) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; resolve it first");
        }
    }

    private static int open(SocketScratch s, SocketAddress address) throws IOException {
        int family = SocketAddresses.familyOf(address);
        int fd = SocketCalls.socket(s.errno, family, SOCKET_TYPE);
        if (fd < 0) {
            throw Errno.socketException("socket(" + SocketAddresses.familyName(family)
                    + ", SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC)", -fd);
        }
        return fd;
    }

    /**
     * The per-connection options. Only what differs from a new socket's default is set, so the
     * defaults (TCP_NODELAY on, the rest off) cost one {@code setsockopt} per connection.
     */
    static void applyOptions(SocketScratch s, int fd, SocketOptions options) throws IOException {
        if (options.noDelay()) {
            setOption(s, fd, IPPROTO_TCP, SocketCalls.TCP_NODELAY, "TCP_NODELAY", 1);
        }
        if (options.keepAlive()) {
            setOption(s, fd, SOL_SOCKET, SocketCalls.SO_KEEPALIVE, "SO_KEEPALIVE", 1);
        }
        if (options.receiveBufferSize() > 0) {
            setOption(s, fd, SOL_SOCKET, SocketCalls.SO_RCVBUF, "SO_RCVBUF", options.receiveBufferSize());
        }
        if (options.sendBufferSize() > 0) {
            setOption(s, fd, SOL_SOCKET, SocketCalls.SO_SNDBUF, "SO_SNDBUF", options.sendBufferSize());
        }
    }

    private static void setOption(SocketScratch s, int fd, int level, int option, String name, int value)
            throws IOException {
        int r = SocketCalls.setIntOption(s.errno, fd, level, option, value, s.intValue);
        if (r < 0) {
            throw Errno.socketException("setsockopt(fd=" + fd + ", " + name + ", " + value + ")", -r);
        }
    }
}
