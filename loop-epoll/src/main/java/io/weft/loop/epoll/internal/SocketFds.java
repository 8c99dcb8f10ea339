package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * What the listening and the connected socket handles do alike with their fd: read back an
 * address, close, in the handle's own {@link SocketScratch}. Each failure is an {@link IOException}
 * naming the call and the fd.
 */
final class SocketFds {
    private SocketFds() {
    }

    /** The address the socket is bound to ({@code getsockname}). */
    static SocketAddress localAddress(SocketScratch s, int fd) throws IOException {
        int r = SocketCalls.getsockname(s.errno, fd, s.sockaddr, s.socklen);
        if (r < 0) {
            throw Errno.socketException("getsockname(fd=" + fd + ")", -r);
        }
        return SocketAddresses.decode(s.sockaddr, s.socklen.get(JAVA_INT, 0));
    }

    /** The peer's address ({@code getpeername}). */
    static SocketAddress remoteAddress(SocketScratch s, int fd) throws IOException {
        int r = SocketCalls.getpeername(s.errno, fd, s.sockaddr, s.socklen);
        if (r < 0) {
            throw Errno.socketException("getpeername(fd=" + fd + ")", -r);
        }
        return SocketAddresses.decode(s.sockaddr, s.socklen.get(JAVA_INT, 0));
    }

    /** Closes the fd once; the caller keeps the flag that makes a second close a no-op. */
    static void close(SocketScratch s, int fd) throws IOException {
        int r = FdCalls.close(s.errno, fd);
        if (r < 0) {
            throw Errno.exception("close(fd=" + fd + ")", -r);
        }
    }
}
