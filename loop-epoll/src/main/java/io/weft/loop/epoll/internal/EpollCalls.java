package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * The epoll family: {@code epoll_create1}, {@code epoll_ctl}, {@code epoll_pwait} and {@code
 * epoll_pwait2}, and the structs they take. Each call returns its result, or {@code -errno} when it
 * failed; {@code epoll_ctl} is made again after EINTR ({@link Native}'s convention), the waits are not.
 *
 * <p>The struct it exchanges with the kernel, from {@code <sys/epoll.h>}:
 * <pre>
 * typedef union epoll_data { void *ptr; int fd; uint32_t u32; uint64_t u64; } epoll_data_t;
 * struct epoll_event { uint32_t events; epoll_data_t data; } __EPOLL_PACKED;
 * </pre>
 * {@code __EPOLL_PACKED} is {@code __attribute__((packed))} on x86 only, so the struct is 12 bytes
 * there and 16 (with 4 bytes of padding before {@code data}) everywhere else.
 */
public final class EpollCalls {
    public static final int EPOLL_CLOEXEC = 0x80000; // O_CLOEXEC
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;

    public static final int EPOLLIN = 0x001;
    public static final int EPOLLPRI = 0x002;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLET = 1 << 31;

    /** {@code struct epoll_event} for the running architecture. */
    public static final StructLayout EVENT = eventLayout(System.getProperty("os.arch"));
    public static final long EVENT_SIZE = EVENT.byteSize();
    public static final long EVENTS_OFFSET = 0;
    public static final long DATA_OFFSET = EVENT.byteOffset(MemoryLayout.PathElement.groupElement("data"));

    /** {@code struct timespec} with a 64-bit {@code time_t}. */
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));

    private static final MethodHandle CREATE1 = Native.downcall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = Native.downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final FunctionDescriptor PWAIT_CALL =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
    private static final FunctionDescriptor PWAIT2_CALL =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    // The waits run once per loop iteration, so they go without errno capture: capturing makes the
    // linker slice the capture segment on every call, an allocation the JIT removes only when it
    // inlines the whole downcall (it does not always, deep in the loop). On failure the wait is made
    // again at once, capturing errno, to learn why (see pwait2).
    private static final MethodHandle PWAIT_FAST = Native.downcallNoErrno("epoll_pwait", PWAIT_CALL);
    private static final MethodHandle PWAIT = Native.downcall("epoll_pwait", PWAIT_CALL);
    // glibc 2.35 added the wrapper; an older libc lacks the symbol, an older kernel returns ENOSYS.
    private static final MethodHandle PWAIT2_FAST = Native.downcallNoErrnoIfPresent("epoll_pwait2", PWAIT2_CALL);
    private static final MethodHandle PWAIT2 = Native.downcallIfPresent("epoll_pwait2", PWAIT2_CALL);
    /** A zero timeout for the diagnosing repeat of a failed wait; never written after this. */
    private static final MemorySegment ZERO_TIMESPEC = Arena.global().allocate(TIMESPEC);

    private EpollCalls() {
    }

    /** The layout of {@code struct epoll_event} on {@code arch} (an {@code os.arch} value). */
    public static StructLayout eventLayout(String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        boolean packed = a.equals("amd64") || a.equals("x86_64") || a.equals("x86") || a.equals("i386");
        if (packed) {
            return MemoryLayout.structLayout(JAVA_INT.withName("events"), JAVA_LONG_UNALIGNED.withName("data"))
                    .withName("epoll_event");
        }
        return MemoryLayout.structLayout(JAVA_INT.withName("events"), MemoryLayout.paddingLayout(4),
                JAVA_LONG.withName("data")).withName("epoll_event");
    }

    /** The name of an {@code epoll_ctl} op, for messages. */
    public static String opName(int op) {
        return switch (op) {
            case EPOLL_CTL_ADD -> "ADD";
            case EPOLL_CTL_DEL -> "DEL";
            case EPOLL_CTL_MOD -> "MOD";
            default -> Integer.toString(op);
        };
    }

    public static int create1(MemorySegment errno, int flags) {
        return Native.call(CREATE1, errno, flags);
    }

    /**
     * {@code epoll_ctl} ADD or MOD: writes {@code events} and {@code token} (into {@code epoll_data})
     * into {@code event}, the caller's {@link #EVENT}-sized scratch, and makes the call.
     */
    public static int ctl(MemorySegment errno, int epfd, int op, int fd, int events, long token, MemorySegment event) {
        event.set(JAVA_INT, EVENTS_OFFSET, events);
        event.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, token);
        return Native.call(CTL, errno, epfd, op, fd, event);
    }

    /** {@code epoll_ctl} DEL, which needs no event (Linux 2.6.9+). */
    public static int delete(MemorySegment errno, int epfd, int fd) {
        return Native.call(CTL, errno, epfd, EPOLL_CTL_DEL, fd, MemorySegment.NULL);
    }

    /** The {@code epoll_data} token of event {@code i} of the array {@code events}. */
    public static long token(MemorySegment events, int i) {
        return events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFFSET);
    }

    /** The {@code events} mask of event {@code i} of the array {@code events}. */
    public static int readyMask(MemorySegment events, int i) {
        return events.get(JAVA_INT, i * EVENT_SIZE + EVENTS_OFFSET);
    }

    /** Writes {@code nanos} (not negative) into the {@link #TIMESPEC} {@code timespec}. */
    public static void timespec(MemorySegment timespec, long nanos) {
        timespec.set(JAVA_LONG, 0, nanos / 1_000_000_000L);
        timespec.set(JAVA_LONG, 8, nanos % 1_000_000_000L);
    }

    /** Waits up to {@code timeoutMillis} (-1: without bound); EINTR is returned, not retried. */
    public static int pwait(MemorySegment errno, int epfd, MemorySegment events, int maxEvents, int timeoutMillis,
            MemorySegment sigmask) {
        try {
            int r = (int) PWAIT_FAST.invokeExact(epfd, events, maxEvents, timeoutMillis, sigmask);
            if (r >= 0) {
                return r;
            }
            return whyWaitFailed((int) PWAIT.invokeExact(errno, epfd, events, maxEvents, 0, sigmask), errno);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /**
     * What a failed wait, made again at once with a zero timeout and errno captured, returned:
     * epoll_wait's one transient failure is EINTR, and the others (EBADF, EFAULT, EINVAL, ENOSYS)
     * fail the repeat as well. So events from the repeat are returned; none means the first wait
     * was interrupted ({@code -EINTR}: the caller waits again for the time left); a failure is
     * returned as {@code -errno}.
     */
    private static int whyWaitFailed(int repeat, MemorySegment errno) {
        if (repeat > 0) {
            return repeat;
        }
        return repeat == 0 ? -Errno.EINTR : -Native.errno(errno);
    }

    /**
     * Waits up to the {@code timespec} ({@link MemorySegment#NULL}: without bound), Linux 5.11+;
     * {@code -ENOSYS} when libc or the kernel lacks it. EINTR is returned, not retried.
     */
    public static int pwait2(MemorySegment errno, int epfd, MemorySegment events, int maxEvents,
            MemorySegment timespec, MemorySegment sigmask) {
        if (PWAIT2 == null || PWAIT2_FAST == null) {
            return -Errno.ENOSYS;
        }
        try {
            int r = (int) PWAIT2_FAST.invokeExact(epfd, events, maxEvents, timespec, sigmask);
            if (r >= 0) {
                return r;
            }
            return whyWaitFailed((int) PWAIT2.invokeExact(errno, epfd, events, maxEvents, ZERO_TIMESPEC, sigmask), errno);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }
}
