package io.weft.loop.epoll.internal;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * What the listening and the connected socket handles do alike with their fd: read back an
 * address, close. Each failure is an {@link IOException} naming the call and the fd.
 */
final class SocketFds {
    private SocketFds() {
    }

    /** The address the socket is bound to ({@code getsockname}). */
    static InetSocketAddress localAddress(int fd) throws IOException {
        SocketScratch s = SocketScratch.current();
        int r = SocketCalls.getsockname(s.errno, fd, s.sockaddr, s.socklen);
        if (r < 0) {
            throw Errno.socketException("getsockname(fd=" + fd + ")", -r);
        }
        return SocketCalls.decode(s.sockaddr);
    }

    /** The peer's address ({@code getpeername}). */
    static InetSocketAddress remoteAddress(int fd) throws IOException {
        SocketScratch s = SocketScratch.current();
        int r = SocketCalls.getpeername(s.errno, fd, s.sockaddr, s.socklen);
        if (r < 0) {
            throw Errno.socketException("getpeername(fd=" + fd + ")", -r);
        }
        return SocketCalls.decode(s.sockaddr);
    }

    /** Closes the fd once; the caller keeps the flag that makes a second close a no-op. */
    static void close(int fd) throws IOException {
        int r = FdCalls.close(SocketScratch.current().errno, fd);
        if (r < 0) {
            throw Errno.exception("close(fd=" + fd + ")", -r);
        }
    }
}
