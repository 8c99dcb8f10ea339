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
 * EventFdCalls}, {@link FdCalls}, {@link SignalCalls}, {@link SocketCalls}) make their calls through
 * the one helper of each call shape here ({@code call}, {@code callLong}), which return {@code -errno}
 * on failure and make a call that EINTR interrupted again; {@link Errno#exception} is the one place a
 * failure becomes an {@code IOException}.
 */
public final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    /** The layout of the segment errno is captured into ({@link #newErrnoSegment}). */
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
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
    // Linking libc is this class's job; the module is run with --enable-native-access (see README).
    @SuppressWarnings("restricted")
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
    // Linking libc is this class's job; the module is run with --enable-native-access (see README).
    @SuppressWarnings("restricted")
    static MethodHandle downcallCritical(String symbol, FunctionDescriptor descriptor) {
        MemorySegment address = find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol '" + symbol + "'"));
        return LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO, Linker.Option.critical(true));
    }

    /**
     * As {@link #downcallCritical}, capturing no errno: the first try of a write made through
     * {@link #callLongCapturingOnFailure}.
     */
    // Linking libc is this class's job; the module is run with --enable-native-access (see README).
    @SuppressWarnings("restricted")
    static MethodHandle downcallCriticalNoErrno(String symbol, FunctionDescriptor descriptor) {
        MemorySegment address = find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol '" + symbol + "'"));
        return LINKER.downcallHandle(address, descriptor, Linker.Option.critical(true));
    }

    /** A handle to {@code symbol}, or null if libc has no such symbol. */
    // Linking libc is this class's job; the module is run with --enable-native-access (see README).
    @SuppressWarnings("restricted")
    static MethodHandle downcallIfPresent(String symbol, FunctionDescriptor descriptor) {
        return find(symbol).map(address -> LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO)).orElse(null);
    }

    /** As {@link #downcallIfPresent}, capturing no errno. */
    // Linking libc is this class's job; the module is run with --enable-native-access (see README).
    @SuppressWarnings("restricted")
    static MethodHandle downcallNoErrnoIfPresent(String symbol, FunctionDescriptor descriptor) {
        return find(symbol).map(address -> LINKER.downcallHandle(address, descriptor)).orElse(null);
    }

    /** A handle to {@code symbol} for a call that cannot fail, so no errno is captured. */
    // Linking libc is this class's job; the module is run with --enable-native-access (see README).
    @SuppressWarnings("restricted")
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

    // ------------------------------------------------------------------ calls, one helper per shape
    //
    // The EINTR convention: a call that a signal interrupts is made again, here, so no caller ever
    // sees EINTR. Two calls are exempt, each for a reason of its own: close (FdCalls.close: Linux
    // frees the fd before it can be interrupted, so making it again could close another thread's
    // new fd) and the epoll waits (EpollCalls.pwait: the poller waits again for the time left).
    // Each helper returns the call's result, or -errno when it failed. The handles are constants
    // where the family classes call these, so the JIT folds them in as if written out there.

    /** {@code int f(int)}. */
    static int call(MethodHandle call, MemorySegment errno, int a) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int f(int, int)}. */
    static int call(MethodHandle call, MemorySegment errno, int a, int b) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a, b);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int f(int, int, int)}. */
    static int call(MethodHandle call, MemorySegment errno, int a, int b, int c) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a, b, c);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int f(void *, int)}. */
    static int call(MethodHandle call, MemorySegment errno, MemorySegment a, int b) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a, b);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int f(int, void *, int)}. */
    static int call(MethodHandle call, MemorySegment errno, int a, MemorySegment b, int c) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a, b, c);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int f(int, void *, void *)}. */
    static int call(MethodHandle call, MemorySegment errno, int a, MemorySegment b, MemorySegment c) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a, b, c);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int f(int, void *, void *, int)}. */
    static int call(MethodHandle call, MemorySegment errno, int a, MemorySegment b, MemorySegment c, int d) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a, b, c, d);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int f(int, int, int, void *)}. */
    static int call(MethodHandle call, MemorySegment errno, int a, int b, int c, MemorySegment d) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a, b, c, d);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int f(int, int, int, void *, int)}. */
    static int call(MethodHandle call, MemorySegment errno, int a, int b, int c, MemorySegment d, int e) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a, b, c, d, e);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int f(int, int, int, void *, void *)}. */
    static int call(MethodHandle call, MemorySegment errno, int a, int b, int c, MemorySegment d, MemorySegment e) {
        try {
            for (;;) {
                int r = (int) call.invokeExact(errno, a, b, c, d, e);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code ssize_t f(int, void *, int)}. */
    static long callLong(MethodHandle call, MemorySegment errno, int a, MemorySegment b, int c) {
        try {
            for (;;) {
                long r = (long) call.invokeExact(errno, a, b, c);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code ssize_t f(int, void *, size_t)}. */
    static long callLong(MethodHandle call, MemorySegment errno, int a, MemorySegment b, long c) {
        try {
            for (;;) {
                long r = (long) call.invokeExact(errno, a, b, c);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code ssize_t f(int, void *, size_t, int)}. */
    static long callLong(MethodHandle call, MemorySegment errno, int a, MemorySegment b, long c, int d) {
        try {
            for (;;) {
                long r = (long) call.invokeExact(errno, a, b, c, d);
                if (r >= 0 || errno(errno) != Errno.EINTR) {
                    return r >= 0 ? r : -errno(errno);
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ------------------------------------------------------------------ writes: errno only on failure
    //
    // The linker slices the caller's errno segment on every capturing call (the JDK's
    // SharedUtils.checkCaptureSegment), and the JIT removes that 40-byte allocation only when it
    // inlines the whole downcall. Deep in the loop's write path it cannot: from Watchers.dispatch the
    // write is ten calls down, and the slice's constructor lands past C2's inlining depth
    // (MaxInlineLevel; the compile log says "inlining too deep"), so every echo round trip allocated
    // one slice on some runs. A write nearly always succeeds, and a failed send sends nothing, so a
    // write is made first without capture and, only when it fails, made again at once with errno
    // captured; the repeat's result (bytes sent, or -errno) is the answer. A reset or timeout that the
    // failed try consumed reads as EPIPE in the repeat: the peer is gone either way. Reads keep
    // capturing on every call: a failed read may consume a reset, and its repeat would read as the
    // end of the stream.

    /** {@code ssize_t f(int, void *, int)}, capturing errno only when it fails (see above). */
    static long callLongCapturingOnFailure(MethodHandle call, MethodHandle capturing, MemorySegment errno,
            int a, MemorySegment b, int c) {
        long r;
        try {
            r = (long) call.invokeExact(a, b, c);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        return r >= 0 ? r : callLong(capturing, errno, a, b, c);
    }

    /** {@code ssize_t f(int, void *, size_t, int)}, capturing errno only when it fails (see above). */
    static long callLongCapturingOnFailure(MethodHandle call, MethodHandle capturing, MemorySegment errno,
            int a, MemorySegment b, long c, int d) {
        long r;
        try {
            r = (long) call.invokeExact(a, b, c, d);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        return r >= 0 ? r : callLong(capturing, errno, a, b, c, d);
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
