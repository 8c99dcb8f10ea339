package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the tests need beyond the native layer: signals aimed at one thread, and a look at
 * {@code /proc} to see fds and what a thread is blocked in. Handles come from {@link Native}.
 */
final class TestNative {
    static final int SIGUSR1 = 10;
    static final int SIGPROF = SignalCalls.SIGPROF;

    private static final MethodHandle GETTID = Native.downcallNoErrno("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPID = Native.downcallNoErrno("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle TGKILL = Native.downcall("tgkill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SIGACTION = Native.downcall("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    // glibc's struct sigaction on 64-bit Linux: handler, sigset_t (128), int flags, restorer.
    private static final long SIGACTION_SIZE = 152;
    private static final long SA_FLAGS_OFFSET = 136;

    private TestNative() {
    }

    static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void tgkill(int tid, int signal) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.newErrnoSegment(arena);
            int r = (int) TGKILL.invokeExact(errno, getpid(), tid, signal);
            if (r < 0) {
                throw Errno.exception("tgkill(tid=" + tid + ", sig=" + signal + ")", Native.errno(errno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Installs, without SA_RESTART, a handler for {@code signal} that is the address of libc's
     * {@code getpid}: harmless, and it makes a blocking call return EINTR. Returns a restorer.
     */
    static AutoCloseable installHarmlessHandler(int signal) throws IOException {
        Arena arena = Arena.ofShared();
        MemorySegment errno = Native.newErrnoSegment(arena);
        MemorySegment action = arena.allocate(SIGACTION_SIZE, 8);
        MemorySegment old = arena.allocate(SIGACTION_SIZE, 8);
        action.set(ADDRESS, 0, Native.find("getpid").orElseThrow());
        action.set(JAVA_INT, SA_FLAGS_OFFSET, 0); // no SA_RESTART; the mask at offset 8 stays empty
        sigaction(errno, signal, action, old);
        return () -> {
            try {
                sigaction(errno, signal, old, MemorySegment.NULL);
            } finally {
                arena.close();
            }
        };
    }

    private static void sigaction(MemorySegment errno, int signal, MemorySegment action, MemorySegment old)
            throws IOException {
        try {
            int r = (int) SIGACTION.invokeExact(errno, signal, action, old);
            if (r < 0) {
                throw Errno.exception("sigaction(sig=" + signal + ")", Native.errno(errno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The syscall number thread {@code tid} is blocked in, or -1 when it runs. */
    static long blockedSyscall(int tid) {
        try {
            String line = Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).strip();
            return line.startsWith("running") ? -1 : Long.parseLong(line.split(" ")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits, for at most 10 s, until thread {@code tid} blocks in an epoll wait: a state, not a duration. */
    static void awaitBlockedInEpoll(int tid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!waitsInEpoll(tid)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("thread " + tid + " never blocked in epoll");
            }
            Thread.sleep(1);
        }
    }

    /** Closes what a test opened, the newest first (a loop before the pipes it watches). */
    static void closeNewestFirst(List<AutoCloseable> opened) throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    /** Whether thread {@code tid} waits in an epoll wait (epoll_wait, epoll_pwait, epoll_pwait2). */
    static boolean waitsInEpoll(int tid) {
        long nr = blockedSyscall(tid);
        boolean x86 = System.getProperty("os.arch").equals("amd64");
        return x86 ? nr == 232 || nr == 281 || nr == 441 : nr == 22 || nr == 441;
    }

    /** The signals pending for thread {@code tid}, as the SigPnd bit mask of its status. */
    static long pendingSignals(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
                if (line.startsWith("SigPnd:")) {
                    return Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
            throw new AssertionError("no SigPnd line");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many pipes, epoll instances and eventfds the process has open. Regular files are left
     * out: the class loader opens jars lazily and keeps them open, which is no leak of ours.
     */
    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return target.startsWith("pipe:") || target.startsWith("anon_inode:");
                } catch (IOException gone) {
                    return false; // closed while we looked (the listing's own fd)
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fd that has {@code file} open, found through /proc/self/fd. */
    static int fdOf(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the fd closed while we looked: not ours
                }
            }
        }
        throw new AssertionError(file + " is not open");
    }
}
