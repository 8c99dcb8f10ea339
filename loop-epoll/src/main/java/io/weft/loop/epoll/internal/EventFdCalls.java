package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The eventfd family: a kernel counter that is readable while it is not zero (eventfd(2)). Each
 * call returns its result, or {@code -errno}.
 */
public final class EventFdCalls {
    public static final int EFD_CLOEXEC = FdCalls.O_CLOEXEC;
    public static final int EFD_NONBLOCK = FdCalls.O_NONBLOCK;

    private static final MethodHandle EVENTFD = Native.downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private EventFdCalls() {
    }

    public static int eventfd(MemorySegment errno, int initialValue, int flags) {
        try {
            int r = (int) EVENTFD.invokeExact(errno, initialValue, flags);
            return r >= 0 ? r : -Native.errno(errno);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** Adds the 8-byte value in {@code value} to the counter; {@code -EAGAIN} if it would overflow. */
    public static int add(MemorySegment errno, int fd, MemorySegment value) {
        long r = FdCalls.write(errno, fd, value);
        return r < 0 ? (int) r : 0;
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
