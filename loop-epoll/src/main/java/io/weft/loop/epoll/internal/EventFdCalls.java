package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The eventfd family: a kernel counter that is readable while it is not zero (eventfd(2)). Each
 * call returns its result, or {@code -errno}; EINTR is {@link Native}'s to retry.
 */
public final class EventFdCalls {
    public static final int EFD_CLOEXEC = FdCalls.O_CLOEXEC;
    public static final int EFD_NONBLOCK = FdCalls.O_NONBLOCK;

    private static final MethodHandle WRITE_NO_ERRNO = Native.downcallNoErrno("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle EVENTFD = Native.downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private EventFdCalls() {
    }

    public static int eventfd(MemorySegment errno, int initialValue, int flags) {
        return Native.call(EVENTFD, errno, initialValue, flags);
    }

    /**
     * Adds the 8-byte value in {@code value} to the counter, from any thread; {@code -EAGAIN} if it
     * would overflow. It writes no memory any other caller reads or writes ({@code value} is only
     * read): the write captures no errno, and only when it fails is it made again, capturing errno
     * into a segment of this call's own, to learn why. So threads that wake one poller at once never
     * read each other's errno.
     */
    public static int add(int fd, MemorySegment value) {
        try {
            long r = (long) WRITE_NO_ERRNO.invokeExact(fd, value, value.byteSize());
            if (r >= 0) {
                return 0;
            }
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        try (Arena arena = Arena.ofConfined()) {
            long r = FdCalls.write(Native.newErrnoSegment(arena), fd, value);
            return r < 0 ? (int) r : 0;
        }
    }

    /**
     * Reads the counter into {@code value} (8 bytes) and resets it to zero; {@code -EAGAIN} if it
     * was zero.
     */
    public static int drain(MemorySegment errno, int fd, MemorySegment value) {
        long r = FdCalls.read(errno, fd, value);
        return r < 0 ? (int) r : 0;
    }
}
