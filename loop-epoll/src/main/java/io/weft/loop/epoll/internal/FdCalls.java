package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * File-descriptor basics: {@code read}, {@code write}, {@code close}, {@code pipe2}. Each call
 * returns its result, or {@code -errno}; all but {@code close} are made again when EINTR interrupts
 * them ({@link Native}'s convention).
 */
public final class FdCalls {
    public static final int O_NONBLOCK = 0x800; // 04000
    public static final int O_CLOEXEC = 0x80000; // 02000000

    private static final MethodHandle READ = Native.downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Native.downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = Native.downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PIPE2 = Native.downcall("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private FdCalls() {
    }

    /** Reads up to {@code buffer.byteSize()} bytes; 0 at end of file, {@code -EAGAIN} when none are ready. */
    public static long read(MemorySegment errno, int fd, MemorySegment buffer) {
        return Native.callLong(READ, errno, fd, buffer, buffer.byteSize());
    }

    /** Writes up to {@code buffer.byteSize()} bytes; {@code -EAGAIN} when none fit. */
    public static long write(MemorySegment errno, int fd, MemorySegment buffer) {
        return Native.callLong(WRITE, errno, fd, buffer, buffer.byteSize());
    }

    /**
     * Closes {@code fd}. Not retried on EINTR: Linux frees the descriptor before it can be
     * interrupted, and a retry could close a descriptor another thread just opened (close(2)).
     */
    public static int close(MemorySegment errno, int fd) {
        try {
            int r = (int) CLOSE.invokeExact(errno, fd);
            return r >= 0 || Native.errno(errno) == Errno.EINTR ? 0 : -Native.errno(errno);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** Opens a pipe into {@code fds} (two {@code int}s: read end, write end). */
    public static int pipe2(MemorySegment errno, MemorySegment fds, int flags) {
        return Native.call(PIPE2, errno, fds, flags);
    }
}
