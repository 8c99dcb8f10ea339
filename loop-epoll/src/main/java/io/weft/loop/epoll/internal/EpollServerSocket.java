package io.weft.loop.epoll.internal;

import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import io.weft.loop.core.spi.PollSource;
import java.io.IOException;
import java.net.SocketAddress;

/** A listening stream socket fd (TCP or Unix domain). Loop thread only. */
final class EpollServerSocket implements ServerSocketHandle {
    private static final int ACCEPT_FLAGS = SocketCalls.SOCK_NONBLOCK | SocketCalls.SOCK_CLOEXEC;

    private final int fd;
    private final SocketScratch scratch = new SocketScratch();
    private final PollSource source;
    private final SocketOptions options;
    private boolean closed;
    private SocketAddress local;

    EpollServerSocket(int fd, SocketOptions options) {
        this.fd = fd;
        this.source = PollSource.ofKnownPollableFd(fd);
        this.options = options;
    }

    /** The socket's fd, for tests. */
    int fd() {
        return fd;
    }

    @Override
    public PollSource source() {
        return source;
    }

    @Override
    public SocketHandle accept() throws IOException {
        if (closed) {
            throw new IOException("listening socket fd=" + fd + " is closed");
        }
        SocketScratch s = scratch;
        int accepted = SocketCalls.accept4(s.errno, fd, ACCEPT_FLAGS);
        if (accepted < 0) {
            if (accepted == -Errno.EAGAIN) {
                return null;
            }
            // EMFILE/ENFILE become FdExhaustedException: the server sheds and backs off.
            throw Errno.socketException("accept4(fd=" + fd + ")", -accepted);
        }
        try {
            EpollTcpBackend.applyOptions(s, accepted, options);
        } catch (IOException | RuntimeException e) {
            FdCalls.close(s.errno, accepted);
            throw e;
        }
        return new EpollSocket(accepted, new SocketScratch(), null, true);
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        if (closed) {
            throw new IOException("listening socket fd=" + fd + " is closed");
        }
        if (local == null) {
            local = SocketFds.localAddress(scratch, fd);
        }
        return local;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        SocketFds.close(scratch, fd);
    }

    @Override
    public String toString() {
        return "EpollServerSocket[fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}
