package io.weft.loop.iouring.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.weft.loop.testkit.TestPipe;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.epoll.internal.Errno;
import io.weft.loop.epoll.internal.FdCalls;
import io.weft.loop.epoll.internal.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A {@link TestPipe} on a native {@code pipe2(O_NONBLOCK|O_CLOEXEC)}, watched as raw fds. */
final class IoUringTestPipe implements TestPipe {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Native.newErrnoSegment(arena);
    private final MemorySegment buffer = arena.allocate(4096);
    private final MemorySegment one = arena.allocate(1);
    private final int readFd;
    private final int writeFd;
    private boolean writeClosed;
    private boolean closed;

    IoUringTestPipe() throws IOException {
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        int r = FdCalls.pipe2(errno, fds, FdCalls.O_NONBLOCK | FdCalls.O_CLOEXEC);
        if (r < 0) {
            arena.close();
            throw Errno.exception("pipe2(O_NONBLOCK|O_CLOEXEC)", -r);
        }
        readFd = fds.getAtIndex(JAVA_INT, 0);
        writeFd = fds.getAtIndex(JAVA_INT, 1);
        one.set(JAVA_BYTE, 0, (byte) 1);
    }

    @Override
    public PollSource readEnd() {
        return PollSource.ofFd(readFd);
    }

    @Override
    public PollSource writeEnd() {
        return PollSource.ofFd(writeFd);
    }

    @Override
    public synchronized void writeByte() throws IOException {
        long r = FdCalls.write(errno, writeFd, one);
        if (r != 1) {
            throw Errno.exception("write(fd=" + writeFd + ")", (int) -r);
        }
    }

    @Override
    public synchronized void drain() throws IOException {
        long r;
        while ((r = FdCalls.read(errno, readFd, buffer)) > 0) {
            // keep reading until the pipe is empty
        }
        if (r < 0 && r != -Errno.EAGAIN) {
            throw Errno.exception("read(fd=" + readFd + ")", (int) -r);
        }
    }

    /** Closes the write end only, so the read end reaches end of file. */
    synchronized void closeWriteEnd() {
        if (!writeClosed) {
            writeClosed = true;
            FdCalls.close(errno, writeFd);
        }
    }

    /** Whether a read finds end of file (0) rather than no data yet ({@code EAGAIN}). */
    synchronized boolean readAtEnd() {
        return FdCalls.read(errno, readFd, buffer) == 0;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeWriteEnd();
            FdCalls.close(errno, readFd);
            arena.close();
        }
    }
}
