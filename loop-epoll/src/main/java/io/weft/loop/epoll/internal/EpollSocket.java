package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.spi.PollSource;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * A connected or connecting stream socket fd (TCP or Unix domain). Loop thread only, like every {@link SocketHandle}.
 *
 * <p>Buffers are read and written in place, direct and heap alike, so the kernel copies straight
 * to or from them. Direct buffers go through the socket's own iovecs ({@link SocketScratch}), several
 * in one gather write; a buffer of a closed arena fails with {@link IllegalStateException}. A heap
 * buffer is passed to the call itself ({@code recv}, {@code send}), which pins it for the call; it
 * ends a gather write, and the buffers after it go in the next call. No call allocates native memory
 * or touches another socket's, so nothing in a call can park the virtual thread making it (the
 * scratch rule, see {@link SocketScratch}). Once closed, every call fails rather than touch an fd
 * number the process may have reused.
 */
final class EpollSocket implements SocketHandle {
    private final int fd;
    private final SocketScratch scratch;
    private final PollSource source;
    private boolean connected;
    private boolean closed;
    private SocketAddress remote;
    private SocketAddress local;

    EpollSocket(int fd, SocketScratch scratch, SocketAddress remote, boolean connected) {
        this.fd = fd;
        this.scratch = scratch;
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
        int r = SocketCalls.getIntOption(scratch.errno, fd, SocketCalls.SOL_SOCKET, SocketCalls.SO_ERROR, scratch.intValue);
        if (r < 0) {
            throw Errno.socketException("getsockopt(fd=" + fd + ", SO_ERROR)", -r);
        }
        int error = scratch.intValue.get(JAVA_INT, 0);
        if (error != 0) {
            throw Errno.connectException("connect(fd=" + fd + ", " + SocketAddresses.format(remote) + ")", error);
        }
        // No error yet may still mean not done: a peer name is there only once connected.
        r = SocketCalls.getpeername(scratch.errno, fd, scratch.sockaddr, scratch.socklen);
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
        if (position == dst.limit()) {
            return 0;
        }
        long n;
        if (dst.isDirect()) {
            scratch.iovec(0, scratch.address(dst), dst.limit() - position);
            n = SocketCalls.readv(scratch.errno, fd, scratch.iovecs, 1);
        } else { // the segment spans position..limit
            n = SocketCalls.recv(scratch.errno, fd, MemorySegment.ofBuffer(dst));
        }
        if (n <= 0) {
            if (n == 0) {
                return -1;
            }
            if (n == -Errno.EAGAIN) {
                return 0;
            }
            throw Errno.socketException((dst.isDirect() ? "readv(fd=" : "recv(fd=") + fd + ")", (int) -n);
        }
        dst.position(position + (int) n);
        return (int) n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen();
        int end = offset + length;
        int first = offset;
        while (first < end && !srcs[first].hasRemaining()) {
            first++;
        }
        if (first == end) {
            return 0;
        }
        int gathered = gather(srcs, first, end);
        long written = gathered > 0
                ? SocketCalls.sendmsg(scratch.errno, fd, scratch.msghdr)
                : SocketCalls.send(scratch.errno, fd, MemorySegment.ofBuffer(srcs[first]));
        if (written < 0) {
            if (written == -Errno.EAGAIN) {
                return 0;
            }
            throw Errno.socketException((gathered > 0 ? "sendmsg(fd=" : "send(fd=") + fd + ")", (int) -written);
        }
        long left = written;
        for (int i = first; i < end && left > 0; i++) {
            ByteBuffer src = srcs[i];
            int n = (int) Math.min(src.remaining(), left);
            src.position(src.position() + n);
            left -= n;
        }
        return written;
    }

    /**
     * Points the iovecs at the direct buffers from {@code srcs[first]} on, up to the first heap
     * buffer (a heap buffer has no address the kernel may keep: the GC moves it) or {@link
     * SocketScratch#IOV_COUNT}; returns how many. None means {@code srcs[first]} is a heap buffer, sent
     * alone, in place.
     */
    private int gather(ByteBuffer[] srcs, int first, int end) {
        int count = 0;
        for (int i = first; i < end && count < SocketScratch.IOV_COUNT; i++) {
            ByteBuffer src = srcs[i];
            if (!src.isDirect()) {
                break;
            }
            if (src.hasRemaining()) {
                scratch.iovec(count++, scratch.address(src), src.remaining());
            }
        }
        scratch.iovecCount(count);
        return count;
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        int r = SocketCalls.shutdown(scratch.errno, fd, SocketCalls.SHUT_WR);
        if (r < 0) {
            throw Errno.socketException("shutdown(fd=" + fd + ", SHUT_WR)", -r);
        }
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        ensureOpen();
        if (local == null) {
            local = SocketFds.localAddress(scratch, fd);
        }
        return local;
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        ensureOpen();
        if (remote == null || !connected) {
            remote = SocketFds.remoteAddress(scratch, fd);
        }
        return remote;
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
    public void abort() throws IOException {
        if (closed) {
            return;
        }
        int r = SocketCalls.setLinger(scratch.errno, fd, 0, scratch.intValue);
        close(); // the fd goes either way; a reset is the best effort on top
        if (r < 0) {
            throw Errno.socketException("setsockopt(fd=" + fd + ", SO_LINGER 0)", -r);
        }
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
