package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.spi.PollSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * A connected or connecting TCP socket fd. Loop thread only, like every {@link SocketHandle}.
 *
 * <p>Direct buffers are read and written in place: their addresses go into the thread's iovecs, so
 * the kernel copies straight to or from them. A heap buffer goes through the thread's bounce buffer,
 * at most {@link SocketScratch#BOUNCE_SIZE} bytes per call. Once closed, every call fails rather than
 * touch an fd number the process may have reused.
 */
final class EpollSocket implements SocketHandle {
    private final int fd;
    private final PollSource source;
    private boolean connected;
    private boolean closed;
    private InetSocketAddress remote;
    private InetSocketAddress local;

    EpollSocket(int fd, InetSocketAddress remote, boolean connected) {
        this.fd = fd;
        this.source = PollSource.ofKnownPollableFd(fd);
        this.remote = remote;
        this.connected = connected;
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
    public boolean finishConnect() throws IOException {
        ensureOpen();
        if (connected) {
            return true;
        }
        SocketScratch s = SocketScratch.current();
        int r = SocketCalls.getIntOption(s.errno, fd, SocketCalls.SOL_SOCKET, SocketCalls.SO_ERROR, s.intValue);
        if (r < 0) {
            throw Errno.socketException("getsockopt(fd=" + fd + ", SO_ERROR)", -r);
        }
        int error = s.intValue.get(JAVA_INT, 0);
        if (error != 0) {
            throw Errno.connectException("connect(fd=" + fd + ", " + SocketCalls.format(remote) + ")", error);
        }
        // No error yet may still mean not done: a peer name is there only once connected.
        r = SocketCalls.getpeername(s.errno, fd, s.sockaddr, s.socklen);
        if (r == -Errno.ENOTCONN) {
            return false;
        }
        if (r < 0) {
            throw Errno.socketException("getpeername(fd=" + fd + ")", -r);
        }
        connected = true;
        return true;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int position = dst.position();
        int space = dst.limit() - position;
        if (space == 0) {
            return 0;
        }
        SocketScratch s = SocketScratch.current();
        boolean direct = dst.isDirect();
        if (direct) {
            s.iovec(0, s.address(dst), space);
        } else {
            space = Math.min(space, SocketScratch.BOUNCE_SIZE);
            s.iovec(0, s.bounceAddress, space);
        }
        long n = SocketCalls.readv(s.errno, fd, s.iovecs, 1);
        if (n <= 0) {
            if (n == 0) {
                return -1;
            }
            if (n == -Errno.EAGAIN) {
                return 0;
            }
            throw Errno.socketException("readv(fd=" + fd + ")", (int) -n);
        }
        int read = (int) n;
        if (!direct) {
            dst.put(position, s.bounceBuffer, 0, read);
        }
        dst.position(position + read);
        return read;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen();
        SocketScratch s = SocketScratch.current();
        int count = 0;
        int bounced = 0;
        int end = offset + length;
        for (int i = offset; i < end && count < SocketScratch.IOV_COUNT; i++) {
            ByteBuffer src = srcs[i];
            int remaining = src.remaining();
            if (remaining == 0) {
                continue;
            }
            if (src.isDirect()) {
                s.iovec(count++, s.address(src), remaining);
                continue;
            }
            int n = Math.min(remaining, SocketScratch.BOUNCE_SIZE - bounced);
            if (n == 0) {
                break;
            }
            s.bounceBuffer.put(bounced, src, src.position(), n);
            s.iovec(count++, s.bounceAddress + bounced, n);
            bounced += n;
            if (n < remaining) {
                break; // the rest of this buffer next time: the positions must advance in order
            }
        }
        if (count == 0) {
            return 0;
        }
        s.iovecCount(count);
        long written = SocketCalls.sendmsg(s.errno, fd, s.msghdr);
        if (written < 0) {
            if (written == -Errno.EAGAIN) {
                return 0;
            }
            throw Errno.socketException("sendmsg(fd=" + fd + ")", (int) -written);
        }
        long left = written;
        for (int i = offset; i < end && left > 0; i++) {
            ByteBuffer src = srcs[i];
            int n = (int) Math.min(src.remaining(), left);
            src.position(src.position() + n);
            left -= n;
        }
        return written;
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        SocketScratch s = SocketScratch.current();
        int r = SocketCalls.shutdown(s.errno, fd, SocketCalls.SHUT_WR);
        if (r < 0) {
            throw Errno.socketException("shutdown(fd=" + fd + ", SHUT_WR)", -r);
        }
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        ensureOpen();
        if (local == null) {
            local = SocketFds.localAddress(fd);
        }
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        ensureOpen();
        if (remote == null || !connected) {
            remote = SocketFds.remoteAddress(fd);
        }
        return remote;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        SocketFds.close(fd);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("socket fd=" + fd + " is closed");
        }
    }

    @Override
    public String toString() {
        return "EpollSocket[fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}
