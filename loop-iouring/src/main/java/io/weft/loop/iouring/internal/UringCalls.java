package io.weft.loop.iouring.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.weft.loop.epoll.internal.Errno;
import io.weft.loop.epoll.internal.Native;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The calls io_uring takes: {@code io_uring_setup}, {@code io_uring_enter} and {@code io_uring_register} (through libc's
 * {@code syscall}, since glibc has no wrappers), {@code mmap}, {@code munmap} and a zero-timeout
 * {@code poll(2)} that checks an fd. Each returns its result, or {@code -errno} when it failed;
 * none is made again after EINTR here: only {@code io_uring_enter} can be interrupted, and the
 * poller waits again for the time left, as loop-epoll's waits do.
 *
 * <p>loop-epoll's {@link Native} owns the {@link Linker} for plain libc calls; {@code syscall} is
 * variadic, which takes a linker option {@code Native} does not offer, so its handle is made here.
 * Every argument of {@code syscall} is passed as a {@code long} (a pointer as its address), which is
 * how glibc reads them ({@code va_arg(ap, long)}).
 */
public final class UringCalls {
    /** {@code __NR_io_uring_setup}: the same number on x86-64 and in asm-generic (aarch64, riscv64). */
    static final long NR_IO_URING_SETUP = 425;
    /** {@code __NR_io_uring_enter}. */
    static final long NR_IO_URING_ENTER = 426;
    /** {@code __NR_io_uring_register}. */
    static final long NR_IO_URING_REGISTER = 427;

    @SuppressWarnings("restricted") // native access is the module's purpose; IoUring reports when it is refused
    private static final MethodHandle SYSCALL = Linker.nativeLinker().downcallHandle(
            Native.find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol 'syscall'")),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    // io_uring_enter runs once per loop iteration (or more), so it goes without errno capture:
    // capturing makes the linker slice the capture segment on every call, an allocation the JIT
    // removes only when it inlines the whole downcall, which it does not always do deep in the loop
    // (loop-epoll's waits do the same). See Ring.enter for how a failure learns its errno.
    @SuppressWarnings("restricted") // as SYSCALL
    private static final MethodHandle SYSCALL_NO_ERRNO = Linker.nativeLinker().downcallHandle(
            Native.find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol 'syscall'")),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = Native.downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Native.downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = Native.downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    static final int PROT_READ_WRITE = 0x1 | 0x2;
    static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    private static final long MAP_FAILED = -1L;

    private UringCalls() {
    }

    /** {@code io_uring_setup(entries, params)}: the ring's fd, or {@code -errno}. */
    public static int setup(MemorySegment errno, int entries, MemorySegment params) {
        return (int) syscall(errno, NR_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)}: how many submissions
     * the kernel took, or {@code -errno} (EINTR returned, not retried; ETIME when a wait timed out).
     */
    static int enter(MemorySegment errno, int fd, int toSubmit, int minComplete, int flags, MemorySegment arg,
            long argSize) {
        return (int) syscall(errno, NR_IO_URING_ENTER, fd, toSubmit, minComplete, flags, arg.address(), argSize);
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}: the result, or {@code -errno}. */
    static int register(MemorySegment errno, int fd, int opcode, MemorySegment arg, int nrArgs) {
        return (int) syscall(errno, NR_IO_URING_REGISTER, fd, opcode, arg.address(), nrArgs, 0, 0);
    }

    /** As {@link #enter}, capturing no errno: the result, or a negative value (errno unknown) on failure. */
    static int enterNoErrno(int fd, int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize) {
        try {
            return (int) (long) SYSCALL_NO_ERRNO.invokeExact(NR_IO_URING_ENTER, (long) fd, (long) toSubmit,
                    (long) minComplete, (long) flags, arg.address(), argSize);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Maps {@code size} bytes of the ring fd at {@code offset}, shared and populated; null with errno set when it fails. */
    @SuppressWarnings("restricted") // the mapping's size is the one just asked for
    static MemorySegment mmap(MemorySegment errno, int fd, long size, long offset) {
        try {
            MemorySegment at = (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, size, PROT_READ_WRITE,
                    MAP_SHARED_POPULATE, fd, offset);
            return at.address() == MAP_FAILED ? null : at.reinterpret(size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Unmaps a segment {@link #mmap} returned; {@code -errno} on failure. */
    static int munmap(MemorySegment errno, MemorySegment mapping) {
        try {
            int r = (int) MUNMAP.invokeExact(errno, mapping, mapping.byteSize());
            return r == 0 ? 0 : -Native.errno(errno);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code poll(2)} on one {@code struct pollfd} ({@code pollfd}, 8 bytes: fd, events, revents)
     * with a zero timeout: the count of ready fds (0 or 1), or {@code -errno}.
     */
    static int pollNow(MemorySegment errno, MemorySegment pollfd) {
        try {
            for (;;) {
                int r = (int) POLL.invokeExact(errno, pollfd, 1L, 0);
                if (r >= 0 || Native.errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -Native.errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The one call shape of {@code syscall}: six {@code long} arguments, the result or {@code -errno}. */
    private static long syscall(MemorySegment errno, long number, long a, long b, long c, long d, long e, long f) {
        try {
            long r = (long) SYSCALL.invokeExact(errno, number, a, b, c, d, e, f);
            return r >= 0 ? r : -Native.errno(errno);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("a downcall threw a checked exception", t);
    }
}
