package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Signal sets: {@code sigemptyset}, {@code sigaddset}, for the mask an epoll wait runs under. */
public final class SignalCalls {
    /** SIGPROF, the profiling timer's signal (asm-generic numbering, x86-64 and aarch64 alike). */
    public static final int SIGPROF = 27;
    /** {@code sizeof(sigset_t)} in glibc: 1024 bits. */
    public static final long SIGSET_SIZE = 128;

    private static final MethodHandle SIGEMPTYSET = Native.downcallNoErrno("sigemptyset",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGADDSET = Native.downcallNoErrno("sigaddset",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private SignalCalls() {
    }

    /** A {@code sigset_t} holding {@code signals}, allocated from {@code arena}. */
    public static MemorySegment sigset(Arena arena, int... signals) {
        MemorySegment set = arena.allocate(SIGSET_SIZE, 8);
        try {
            int r = (int) SIGEMPTYSET.invokeExact(set);
            for (int signal : signals) {
                r |= (int) SIGADDSET.invokeExact(set, signal);
            }
            if (r != 0) {
                throw new IllegalArgumentException("not a valid signal set: " + java.util.Arrays.toString(signals));
            }
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return set;
    }
}
