package io.weft.loop.iouring.internal;

import static io.weft.loop.iouring.internal.UringLayouts.POLLERR;
import static io.weft.loop.iouring.internal.UringLayouts.POLLHUP;
import static io.weft.loop.iouring.internal.UringLayouts.POLLIN;
import static io.weft.loop.iouring.internal.UringLayouts.POLLNVAL;
import static io.weft.loop.iouring.internal.UringLayouts.POLLOUT;
import static io.weft.loop.iouring.internal.UringLayouts.POLLPRI;
import static io.weft.loop.iouring.internal.UringLayouts.POLLRDHUP;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.ReadyEvents;
import io.weft.loop.epoll.internal.Errno;
import io.weft.loop.epoll.internal.EventFdCalls;
import io.weft.loop.epoll.internal.FdCalls;
import io.weft.loop.epoll.internal.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A {@link Poller} on one io_uring instance: readiness through poll requests, woken through an
 * eventfd that is itself polled through the ring.
 *
 * <p><b>Level-triggered.</b> Each watched fd has one one-shot {@code IORING_OP_POLL_ADD} in flight.
 * When it completes, the event is reported and the next poll queues the request again; the kernel checks the
 * fd's state when it takes the request, so a source that is still ready completes again at once, as
 * the contract's level triggering wants. (A multishot poll, {@code IORING_POLL_ADD_MULTI}, completes
 * only on new wake-ups, which is edge triggering: a handler that left data unread would never hear of
 * it again.) A change of ops removes the request in flight ({@code IORING_OP_POLL_REMOVE} by its
 * {@code user_data}) and queues a new one.
 *
 * <p><b>user_data.</b> {@code seq << 32 | fd}, where {@code seq} (1 to 2^31-1) numbers the requests
 * of that fd: a completion whose {@code user_data} is not the fd's request in flight is stale (its
 * request was removed or replaced) and is dropped. The loop's token is kept per fd, beside the ops it
 * wants, in arrays indexed by fd that grow to the highest fd watched; nothing is allocated per
 * event. The wake-up eventfd's request uses {@link #WAKE}, removals {@link #REMOVAL}; both have the
 * sign bit set, which no {@code seq} has.
 *
 * <p><b>Batching.</b> Requests are queued in the submission ring and submitted by the {@code
 * io_uring_enter} that waits in {@link #poll} (one call per poll), or earlier when the ring is full.
 * A {@link #release} submits at once, so a socket closed after its watcher is freed by the kernel
 * without waiting for the next poll (a poll request holds a reference to the file).
 *
 * <p><b>Completion-driven sockets.</b> An fd that {@link CompletionFds} knows (a socket of {@link
 * IoUringTcpBackend}) is not polled: {@link #update} binds it to this ring's {@link SocketDriver},
 * which runs its multishot accept or receive and its sends, and reports its readiness at the end of
 * each poll from the socket's own state, level-triggered; a poll does not wait while one can report.
 * A socket still connecting is polled like any fd until it has connected. Their requests' {@code
 * user_data} has the sign bit set. Closing the poller cancels them and reaps until none that may
 * write to this poller's memory is in flight.
 *
 * <p>Raw fds only ({@link PollSource#ofFd}); a {@code java.nio} channel is refused with the pollers
 * that take one. Threads: as {@link Poller}; {@link #wakeup} from any thread.
 */
public final class IoUringPoller implements Poller {
    static final long WAKE = -1L;
    static final long REMOVAL = -2L;

    private static final int EBUSY = 16;
    private static final int SQ_ENTRIES = 256;
    private static final int CQ_ENTRIES = 4096;

    private static final int WAKE_IDLE = 0;
    private static final int WAKE_PENDING = 1;
    private static final int WAKE_CLOSED = 2;
    private static final VarHandle WAKE_STATE;

    static {
        try {
            WAKE_STATE = MethodHandles.lookup().findVarHandle(IoUringPoller.class, "wakeState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno;
    private final MemorySegment waitArg;
    private final MemorySegment timespec;
    private final MemorySegment counter;
    private final MemorySegment pollfd;
    // Read (never written) by the threads that call wakeup(); an auto arena, so a wakeup() racing
    // close() never touches freed memory.
    private final MemorySegment wakeOne;
    private final Ring ring;
    private final int eventFd;
    private final Ring.Completions onCompletion = this::complete;
    private final int receiveBuffers;
    private final int receiveBufferSize;
    /** The completion-driven sockets bound to this ring; made when the first one is watched. */
    private SocketDriver driver;

    /** Per fd: the loop's token, the ops it wants (0: not watched), the user_data of the request in flight (0: none). */
    private long[] tokens = new long[64];
    private int[] wantedOps = new int[64];
    private long[] inFlight = new long[64];
    /** The fds whose request completed in the last poll, to be queued again by the next one. */
    private int[] rearm = new int[64];
    private int rearmCount;
    private int seq;
    private ReadyEvents ready;
    private boolean closed;
    private volatile int wakeState;

    private IoUringPoller(int sqEntries, int cqEntries, int receiveBuffers, int receiveBufferSize) throws IOException {
        this.receiveBuffers = receiveBuffers;
        this.receiveBufferSize = receiveBufferSize;
        errno = Native.newErrnoSegment(arena);
        waitArg = arena.allocate(UringLayouts.GETEVENTS_ARG);
        timespec = arena.allocate(UringLayouts.TIMESPEC);
        counter = arena.allocate(JAVA_LONG);
        pollfd = arena.allocate(8);
        wakeOne = Arena.ofAuto().allocate(JAVA_LONG);
        wakeOne.set(JAVA_LONG, 0, 1L);
        Ring r;
        try {
            r = Ring.open(arena, sqEntries, cqEntries);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        ring = r;
        int efd = EventFdCalls.eventfd(errno, 0, EventFdCalls.EFD_NONBLOCK | EventFdCalls.EFD_CLOEXEC);
        if (efd < 0) {
            ring.close();
            arena.close();
            throw Errno.exception("eventfd(0, EFD_NONBLOCK|EFD_CLOEXEC)", -efd);
        }
        eventFd = efd;
        queue(UringLayouts.OP_POLL_ADD, eventFd, 0, POLLIN, WAKE);
    }

    /** Opens a poller: an io_uring instance (256 submissions, 4096 completions) and its wake-up eventfd. */
    public static IoUringPoller open() throws IOException {
        return new IoUringPoller(SQ_ENTRIES, CQ_ENTRIES, SocketDriver.DEFAULT_BUFFERS, SocketDriver.DEFAULT_BUFFER_SIZE);
    }

    /** Opens a poller on a ring of the given sizes (powers of two), for tests of full rings. */
    static IoUringPoller open(int sqEntries, int cqEntries) throws IOException {
        return new IoUringPoller(sqEntries, cqEntries, SocketDriver.DEFAULT_BUFFERS, SocketDriver.DEFAULT_BUFFER_SIZE);
    }

    /**
     * Opens a poller whose completion-driven sockets receive into {@code receiveBuffers} buffers of
     * {@code receiveBufferSize} bytes (a power of two up to 32768, and 1 to 65536), for tests of a
     * small buffer ring.
     */
    static IoUringPoller openWithReceiveBuffers(int receiveBuffers, int receiveBufferSize) throws IOException {
        return new IoUringPoller(SQ_ENTRIES, CQ_ENTRIES, receiveBuffers, receiveBufferSize);
    }

    /**
     * Why the completion-based TCP backend cannot run on this kernel, or null when it can: opens a
     * ring and registers a buffer ring on it.
     */
    static String completionSupportCause() {
        try (IoUringPoller poller = open()) {
            if ((poller.ring.features() & UringLayouts.FEAT_REG_REG_RING) == 0) {
                return "the kernel is older than Linux 6.3 (no IORING_FEAT_REG_REG_RING), and multishot"
                        + " receive (6.0) cannot be probed by itself";
            }
            poller.driver();
            return null;
        } catch (IOException | RuntimeException e) {
            return "a provided-buffer ring cannot be registered: " + e.getMessage();
        }
    }

    /** The driver of this ring's completion-driven sockets, made (with its buffer ring) on first use. */
    SocketDriver driver() throws IOException {
        if (driver == null) {
            driver = new SocketDriver(this, ring, arena, receiveBuffers, receiveBufferSize);
        }
        return driver;
    }

    @Override
    public void validate(PollSource source) throws IOException {
        int fd = fdOf(source);
        if (source instanceof PollSource.Fd f && f.knownPollable()) {
            return;
        }
        if (fd == eventFd || fd == ring.fd()) {
            throw new IllegalArgumentException("fd " + fd + " belongs to the io_uring poller itself");
        }
        pollfd.set(JAVA_INT, 0, fd);
        pollfd.set(JAVA_INT, 4, 0); // events = 0, revents = 0
        int r = UringCalls.pollNow(errno, pollfd);
        if (r < 0) {
            throw Errno.exception("poll(fd=" + fd + ")", -r);
        }
        if ((pollfd.get(JAVA_SHORT, 6) & POLLNVAL) != 0) {
            throw Errno.exception("poll(fd=" + fd + ") (POLLNVAL)", Errno.EBADF);
        }
    }

    @Override
    public void update(PollSource source, long token, int armedOps, int wantedOps) throws IOException {
        int fd = fdOf(source);
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd + " is negative");
        }
        Completable socket = CompletionFds.get(fd);
        if (socket != null) {
            if (socket.driver == null) {
                driver().bind(socket);
            } else if (socket.driver != driver) {
                throw new IllegalStateException(socket + " is driven by another loop's ring: a socket stays on the loop"
                        + " that first watched it; close it there, or hand it over before watching it");
            }
            if (socket.completionMode()) {
                driver.update(socket, token, wantedOps);
                return;
            }
            socket.token = token; // connecting: watched with a poll request until connected
            socket.wanted = wantedOps;
        }
        if (fd >= tokens.length) {
            grow(fd);
        }
        cancel(fd);
        tokens[fd] = token;
        this.wantedOps[fd] = wantedOps;
        if (wantedOps != 0) {
            arm(fd);
        }
    }

    @Override
    public void release(PollSource source, int armedOps) throws IOException {
        int fd = fdOf(source);
        Completable socket = fd < 0 ? null : CompletionFds.get(fd);
        if (socket != null && socket.driver != null && socket.driver == driver && socket.completionMode()) {
            driver.release(socket);
            return;
        }
        if (fd < 0 || fd >= tokens.length) {
            return;
        }
        wantedOps[fd] = 0;
        if (inFlight[fd] != 0) {
            cancel(fd);
            submit();
        }
    }

    @Override
    public void poll(long timeoutNanos, ReadyEvents ready) throws IOException {
        this.ready = ready;
        try {
            rearmCompleted();
            boolean socketsReady = driver != null && driver.beforePoll();
            long wait = driver == null ? timeoutNanos : driver.boundWait(timeoutNanos);
            if (wait == 0 || socketsReady) {
                if (ring.taskWorkPending()) {
                    // Completions whose task work waits for this thread (COOP_TASKRUN): run it, no wait.
                    check(ring.enter(0, UringLayouts.ENTER_GETEVENTS, MemorySegment.NULL, 0), "io_uring_enter(GETEVENTS)");
                } else if (ring.pending() > 0) {
                    submit();
                }
            } else {
                waitForCompletions(wait);
            }
            ring.reap(onCompletion);
            while (ring.cqOverflowed()) {
                // Completions wait in the kernel's overflow list (FEAT_NODROP): have them moved into the ring.
                check(ring.enter(0, UringLayouts.ENTER_GETEVENTS, MemorySegment.NULL, 0), "io_uring_enter(GETEVENTS)");
                ring.reap(onCompletion);
            }
            if (driver != null) {
                driver.report(ready);
            }
        } finally {
            this.ready = null;
        }
    }

    private void waitForCompletions(long timeoutNanos) throws IOException {
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        long left = timeoutNanos;
        for (;;) {
            if (left >= 0) {
                timespec.set(JAVA_LONG, 0, left / 1_000_000_000L);
                timespec.set(JAVA_LONG, 8, left % 1_000_000_000L);
                waitArg.set(JAVA_LONG, 16, timespec.address());
            } else {
                waitArg.set(JAVA_LONG, 16, 0L);
            }
            int r = ring.enter(1, UringLayouts.ENTER_GETEVENTS | UringLayouts.ENTER_EXT_ARG, waitArg,
                    UringLayouts.GETEVENTS_ARG.byteSize());
            if (r != -Errno.EINTR) {
                check(r, "io_uring_enter(GETEVENTS|EXT_ARG)");
                return;
            }
            // The wait ended early (a signal, a profiler's SIGPROF say) or timed out: wait again
            // for what is left, if anything is.
            if (timeoutNanos > 0) {
                left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
            }
        }
    }

    /** Submits what is queued without waiting. */
    private void submit() throws IOException {
        check(ring.enter(0, 0, MemorySegment.NULL, 0), "io_uring_enter(submit)");
    }

    /** EBUSY and EAGAIN say the kernel takes no more submissions until completions are reaped: the caller reaps next. */
    private static void check(int r, String call) throws IOException {
        if (r < 0 && r != -EBUSY && r != -Errno.EAGAIN) {
            throw Errno.exception(call, -r);
        }
    }

    private void complete(long userData, int res, int flags) throws IOException {
        if (userData == WAKE) {
            consumeWakeup();
            return;
        }
        if (userData == REMOVAL) {
            return; // the removed request's own completion (-ECANCELED) is dropped as stale
        }
        if (userData < 0) {
            driver.complete(userData, res, flags); // a completion-driven socket's request
            return;
        }
        int fd = (int) userData;
        if (fd < 0 || fd >= inFlight.length || inFlight[fd] != userData) {
            return; // stale: removed or replaced since
        }
        inFlight[fd] = 0;
        if (res < 0) {
            // The kernel refused the request (the fd was closed before it was taken, say): as an
            // error, let the handler's read or write find it. Not queued again.
            ready.add(tokens[fd], READABLE | WRITABLE);
            return;
        }
        int ops = toOps(res);
        if (ops != 0) {
            ready.add(tokens[fd], ops);
        }
        rearm[rearmCount++] = fd;
    }

    /**
     * Queues again the requests that completed in the last poll, unless the loop has changed or
     * released them since. Done here, not as they complete: a request queued while completions are
     * reaped would be submitted by the same poll and, its fd still ready, complete again at once,
     * and a poll that empties an overflowing completion ring would never end.
     */
    private void rearmCompleted() throws IOException {
        for (int i = 0; i < rearmCount; i++) {
            int fd = rearm[i];
            if (inFlight[fd] == 0 && wantedOps[fd] != 0) {
                arm(fd);
            }
        }
        rearmCount = 0;
    }

    private void arm(int fd) throws IOException {
        seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
        long userData = (long) seq << 32 | fd;
        inFlight[fd] = userData;
        queue(UringLayouts.OP_POLL_ADD, fd, 0, toPoll(wantedOps[fd]), userData);
    }

    private void cancel(int fd) throws IOException {
        long userData = inFlight[fd];
        if (userData != 0) {
            inFlight[fd] = 0;
            queue(UringLayouts.OP_POLL_REMOVE, -1, userData, 0, REMOVAL);
        }
    }

    private void queue(byte opcode, int fd, long addr, int opFlags, long userData) throws IOException {
        queue(opcode, (byte) 0, (short) 0, fd, addr, 0, opFlags, userData);
    }

    /** Queues one SQE, submitting what is queued first if the ring is full; the next poll submits it. */
    void queue(byte opcode, byte sqeFlags, short ioprio, int fd, long addr, int len, int opFlags, long userData)
            throws IOException {
        while (!ring.prepare(opcode, sqeFlags, ioprio, fd, addr, len, opFlags, userData)) {
            submit(); // the submission ring is full: hand it to the kernel and go on
        }
    }

    /** Stops watching {@code fd} with poll requests: a socket that connected goes over to completions. */
    void forget(int fd) throws IOException {
        if (fd < tokens.length) {
            wantedOps[fd] = 0;
            cancel(fd);
        }
    }

    private void consumeWakeup() throws IOException {
        int r = EventFdCalls.drain(errno, eventFd, counter);
        if (r < 0 && r != -Errno.EAGAIN) {
            throw Errno.exception("read(eventfd=" + eventFd + ")", -r);
        }
        // Cleared only after the read: a wakeup() in between finds it set and does not write, and
        // this poll, which returns now, serves it (the same order as loop-epoll's poller).
        WAKE_STATE.compareAndSet(this, WAKE_PENDING, WAKE_IDLE);
        queue(UringLayouts.OP_POLL_ADD, eventFd, 0, POLLIN, WAKE);
    }

    @Override
    public void wakeup() {
        if (!WAKE_STATE.compareAndSet(this, WAKE_IDLE, WAKE_PENDING)) {
            return; // a write is pending already (or the poller is closed): one is enough
        }
        int r = EventFdCalls.add(eventFd, wakeOne);
        if (r < 0 && r != -Errno.EAGAIN) { // EAGAIN: the counter is full, so readable anyway
            throw new UncheckedIOException(Errno.exception("write(eventfd=" + eventFd + ")", -r));
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        int state = (int) WAKE_STATE.getAndSet(this, WAKE_CLOSED);
        if (state == WAKE_PENDING) {
            // A wakeup() may be between its flag and its write: let the write land before the
            // eventfd closes, or it could hit a reused fd number.
            long giveUp = System.nanoTime() + 1_000_000_000L;
            while (EventFdCalls.drain(errno, eventFd, counter) == -Errno.EAGAIN && System.nanoTime() - giveUp < 0) {
                Thread.onSpinWait();
            }
        }
        try {
            if (driver != null) {
                cancelAndReap();
            }
            ring.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            int r = FdCalls.close(errno, eventFd);
            arena.close();
            if (r < 0) {
                throw new UncheckedIOException(Errno.exception("close(eventfd=" + eventFd + ")", -r));
            }
        }
    }

    /**
     * Loop close with completion-driven sockets: cancels every request and reaps until none that may
     * still write to this poller's memory (the buffer ring, receive buffers) is in flight, for at
     * most a second, then unregisters the buffer ring. The memory is freed after this.
     */
    private void cancelAndReap() throws IOException {
        driver.cancelEverything();
        ReadyEvents ignored = new ReadyEvents(16);
        this.ready = ignored;
        long giveUp = System.nanoTime() + 1_000_000_000L;
        try {
            do {
                waitForCompletions(10_000_000L);
                ring.reap(onCompletion);
                ignored.clear();
            } while (!driver.drained() && System.nanoTime() - giveUp < 0);
        } finally {
            this.ready = null;
        }
        driver.buffers.unregister(arena);
    }

    private void grow(int fd) {
        int size = Math.max(fd + 1, tokens.length * 2);
        tokens = Arrays.copyOf(tokens, size);
        wantedOps = Arrays.copyOf(wantedOps, size);
        inFlight = Arrays.copyOf(inFlight, size);
        rearm = Arrays.copyOf(rearm, size);
    }

    private static int fdOf(PollSource source) {
        return switch (source) {
            case PollSource.Fd f -> f.fd();
            case PollSource.Channel c -> throw new UnsupportedOperationException("the iouring poller watches raw fds"
                    + " (PollSource.ofFd) only for now, not java.nio channels such as " + c.channel()
                    + "; use -Dweft.poller=epoll or nio for channels");
        };
    }

    private static int toPoll(int ops) {
        int events = 0;
        if ((ops & READABLE) != 0) {
            events |= POLLIN;
        }
        if ((ops & WRITABLE) != 0) {
            events |= POLLOUT;
        }
        return events;
    }

    private static int toOps(int events) {
        if ((events & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
            return READABLE | WRITABLE; // as libuv: let the handler's read or write find the error
        }
        int ops = 0;
        if ((events & (POLLIN | POLLPRI | POLLRDHUP)) != 0) {
            ops |= READABLE;
        }
        if ((events & POLLOUT) != 0) {
            ops |= WRITABLE;
        }
        return ops;
    }
}
