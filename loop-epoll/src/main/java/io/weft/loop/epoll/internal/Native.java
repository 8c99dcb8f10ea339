package io.weft.loop.epoll.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The one owner of the {@link Linker}: every downcall handle of the native layer is made here.
 *
 * <p>Handles made with {@link #downcall} capture {@code errno} into a segment passed as their first
 * argument. That segment belongs to the caller ({@link #newErrnoSegment}), never to a shared static,
 * so two threads never read each other's errno. The family classes ({@link EpollCalls}, {@link
 * EventFdCalls}, {@link FdCalls}, {@link SignalCalls}, {@link SocketCalls}) return {@code -errno} on failure, and {@link
 * Errno#exception} is the one place a failure becomes an {@code IOException}.
 */
public final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private Native() {
    }

    /** The address of a libc symbol, if this libc has it. */
    public static Optional<MemorySegment> find(String symbol) {
        return LIBC.find(symbol);
    }

    /**
     * A handle to {@code symbol} whose first parameter is the caller's errno segment.
     *
     * @throws UnsatisfiedLinkError if libc has no such symbol
     */
    public static MethodHandle downcall(String symbol, FunctionDescriptor descriptor) {
        MemorySegment address = find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol '" + symbol + "'"));
        return LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO);
    }

    /**
     * As {@link #downcall}, for a short call that never blocks (a non-blocking socket's {@code recv}
     * or {@code send}): made without a thread-state transition, and its buffer argument may be a heap
     * segment ({@link Linker.Option#critical critical}, heap access allowed). The linker keeps every
     * segment argument's scope alive for the call and refuses a closed one.
     */
    static MethodHandle downcallCritical(String symbol, FunctionDescriptor descriptor) {
        MemorySegment address = find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol '" + symbol + "'"));
        return LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO, Linker.Option.critical(true));
    }

    /** A handle to {@code symbol}, or null if libc has no such symbol. */
    static MethodHandle downcallIfPresent(String symbol, FunctionDescriptor descriptor) {
        return find(symbol).map(address -> LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO)).orElse(null);
    }

    /** As {@link #downcallIfPresent}, capturing no errno. */
    static MethodHandle downcallNoErrnoIfPresent(String symbol, FunctionDescriptor descriptor) {
        return find(symbol).map(address -> LINKER.downcallHandle(address, descriptor)).orElse(null);
    }

    /** A handle to {@code symbol} for a call that cannot fail, so no errno is captured. */
    public static MethodHandle downcallNoErrno(String symbol, FunctionDescriptor descriptor) {
        MemorySegment address = find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol '" + symbol + "'"));
        return LINKER.downcallHandle(address, descriptor);
    }

    /**
     * Makes a throwaway handle, the first restricted call: it throws {@link IllegalCallerException}
     * when the JVM refuses this module native access ({@code --illegal-native-access=deny}).
     */
    public static void checkAccess() {
        downcallNoErrno("getpid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }

    /** A segment the handles of this layer capture errno into; one per thread that calls them. */
    public static MemorySegment newErrnoSegment(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** What {@link #result} returns for a call that EINTR interrupted: make the call again. */
    public static final long AGAIN = Long.MIN_VALUE;

    /**
     * The outcome of a call that returned {@code r} and captured errno into {@code segment}: {@code
     * r} when it succeeded, {@code -errno} when it failed, {@link #AGAIN} when a signal interrupted it.
     */
    public static long result(long r, MemorySegment segment) {
        if (r >= 0) {
            return r;
        }
        int e = errno(segment);
        return e == Errno.EINTR ? AGAIN : -e;
    }

    /** The errno the last call that used {@code segment} captured. */
    public static int errno(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
    }

    /** Turns the {@code Throwable} of {@code invokeExact} into something a caller need not declare. */
    static AssertionError unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new AssertionError("a downcall threw a checked exception", t);
    }
}
