package io.weft.loop.epoll.internal;

import static io.weft.loop.epoll.internal.EpollCalls.EPOLLERR;
import static io.weft.loop.epoll.internal.EpollCalls.EPOLLET;
import static io.weft.loop.epoll.internal.EpollCalls.EPOLLHUP;
import static io.weft.loop.epoll.internal.EpollCalls.EPOLLIN;
import static io.weft.loop.epoll.internal.EpollCalls.EPOLLOUT;
import static io.weft.loop.epoll.internal.EpollCalls.EPOLLPRI;
import static io.weft.loop.epoll.internal.EpollCalls.EPOLLRDHUP;
import static io.weft.loop.epoll.internal.EpollCalls.EPOLL_CTL_ADD;
import static io.weft.loop.epoll.internal.EpollCalls.EPOLL_CTL_MOD;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;

/**
 * A {@link Poller} on one epoll instance, level-triggered, woken through an eventfd.
 *
 * <p>It watches raw fds and JDK {@link SelectableChannel}s (their fds, see {@link ChannelFds}); a
 * channel must be open and non-blocking. The token rides in {@code epoll_data.u64}, so the poller
 * keeps no map. The eventfd is registered with {@link #WAKE_TOKEN}, which callers may not use; its
 * event is consumed here and never reported.
 *
 * <p><b>Wake-ups cost the loop no system call.</b> The eventfd is watched edge-triggered ({@code
 * EPOLLET}) and never read while the poller is open: every {@code write} to an eventfd wakes its
 * waiters, so each write is one new event even while the counter is not zero, and the loop only
 * clears its "write pending" flag when it sees the event (Netty's epoll loop does the same). The
 * flag allows one write per event, so the counter grows by one per wake-up; it would take 2^64 of
 * them to fill it. Native memory (events buffer, timespec, errno, signal mask) comes from one
 * arena, allocated when the poller opens and freed when it closes: a poll allocates nothing.
 */
public final class EpollPoller implements Poller {
    /** The token of the wake-up eventfd; {@link #update} refuses it. The loop's tokens never take it. */
    public static final long WAKE_TOKEN = -1L;

    private static final int MIN_EVENTS = 64;
    private static final int MAX_EVENTS = 4096;

    private static final int WAKE_IDLE = 0;
    private static final int WAKE_PENDING = 1;
    private static final int WAKE_CLOSED = 2;
    private static final VarHandle WAKE_STATE;

    /** 0: not probed yet; 1: epoll_pwait2; 2: epoll_pwait. Probed once per process. */
    private static volatile int waitCall;

    static {
        try {
            WAKE_STATE = MethodHandles.lookup().findVarHandle(EpollPoller.class, "wakeState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a poller is opened with. */
    public record Options(boolean blockSigprof, boolean allowPwait2) {
        /** The defaults: SIGPROF not blocked, {@code epoll_pwait2} where the kernel has it. */
        public static final Options DEFAULT = new Options(false, true);
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno;
    private final MemorySegment timespec;
    private final MemorySegment ctlEvent;
    private final MemorySegment counter;
    private final MemorySegment sigmask;
    // Read (never written) by the threads that call wakeup(); an auto arena, so a wakeup() racing
    // close() never touches freed memory. A waker has no errno segment to share: see EventFdCalls.add.
    private final MemorySegment wakeOne;
    private final boolean pwait2;
    private final int epfd;
    private final int eventFd;

    private MemorySegment events;
    private int maxEvents;
    private boolean closed;
    private volatile int wakeState;

    /** Waits that EINTR ended and were retried; written by the loop thread, volatile for tests (off the hot path). */
    volatile long interruptedWaits;
    /** Wake-up events seen by polls, which is the eventfd writes that landed (loop thread only). */
    long wakeupsSeen;
    /** Deletions that found the fd closed already (EBADF, ENOENT), taken quietly. */
    long quietDeletes;

    private EpollPoller(Options options) throws IOException {
        errno = Native.newErrnoSegment(arena);
        timespec = arena.allocate(EpollCalls.TIMESPEC);
        ctlEvent = arena.allocate(EpollCalls.EVENT);
        counter = arena.allocate(JAVA_LONG);
        sigmask = options.blockSigprof() ? SignalCalls.sigset(arena, SignalCalls.SIGPROF) : MemorySegment.NULL;
        Arena wakeArena = Arena.ofAuto();
        wakeOne = wakeArena.allocate(JAVA_LONG);
        wakeOne.set(JAVA_LONG, 0, 1L);

        int ep = EpollCalls.create1(errno, EpollCalls.EPOLL_CLOEXEC);
        if (ep < 0) {
            arena.close();
            throw Errno.exception("epoll_create1(EPOLL_CLOEXEC)", -ep);
        }
        epfd = ep;
        int efd = EventFdCalls.eventfd(errno, 0, EventFdCalls.EFD_NONBLOCK | EventFdCalls.EFD_CLOEXEC);
        if (efd < 0) {
            FdCalls.close(errno, epfd);
            arena.close();
            throw Errno.exception("eventfd(0, EFD_NONBLOCK|EFD_CLOEXEC)", -efd);
        }
        eventFd = efd;
        try {
            pwait2 = options.allowPwait2() && hasPwait2();
            ctl(EPOLL_CTL_ADD, eventFd, EPOLLIN | EPOLLET, WAKE_TOKEN);
        } catch (IOException | RuntimeException e) {
            FdCalls.close(errno, eventFd);
            FdCalls.close(errno, epfd);
            arena.close();
            throw e;
        }
    }

    /** Opens a poller: an epoll instance and its wake-up eventfd. */
    public static EpollPoller open(Options options) throws IOException {
        return new EpollPoller(options);
    }

    /**
     * Whether {@code epoll_pwait2} works here: libc has the wrapper and the kernel the call
     * (5.11+). Asked once, with a zero timeout on this still empty epoll instance.
     */
    private boolean hasPwait2() {
        int known = waitCall;
        if (known == 0) {
            EpollCalls.timespec(timespec, 0);
            MemorySegment probe = arena.allocate(EpollCalls.EVENT);
            int r = EpollCalls.pwait2(errno, epfd, probe, 1, timespec, MemorySegment.NULL);
            known = r >= 0 ? 1 : 2;
            waitCall = known;
        }
        return known == 1;
    }

    /** The wait call this poller uses, for messages and tests. */
    public String waitCallName() {
        return pwait2 ? "epoll_pwait2" : "epoll_pwait";
    }

    @Override
    public void validate(PollSource source) throws IOException {
        if (source instanceof PollSource.Fd f && f.knownPollable()) {
            return; // a socket a backend just made: probing it would cost two epoll_ctl calls for nothing
        }
        if (source instanceof PollSource.Channel(SelectableChannel channel) && channel.isBlocking() && channel.isOpen()) {
            throw new IllegalArgumentException(channel + " is in blocking mode; call configureBlocking(false) first");
        }
        int fd = fdOf(source);
        if (fd == eventFd || fd == epfd) {
            throw new IllegalArgumentException("fd " + fd + " belongs to the epoll poller itself");
        }
        // uv_poll_init checks the fd the same way: an ADD that the kernel refuses names the reason
        // (EBADF: not open; EPERM: a regular file or directory, which epoll cannot watch).
        int r = EpollCalls.ctl(errno, epfd, EPOLL_CTL_ADD, fd, 0, 0L, ctlEvent);
        if (r == -Errno.EEXIST) {
            return; // watched here already, so pollable
        }
        if (r < 0) {
            throw Errno.exception("epoll_ctl(ADD, fd=" + fd + ")", -r);
        }
        r = EpollCalls.delete(errno, epfd, fd);
        if (r < 0) {
            throw Errno.exception("epoll_ctl(DEL, fd=" + fd + ")", -r);
        }
    }

    @Override
    public void update(PollSource source, long token, int armedOps, int wantedOps) throws IOException {
        int fd = fdOf(source);
        if (token == WAKE_TOKEN) {
            throw new IllegalArgumentException("token " + WAKE_TOKEN + " is reserved by the epoll poller");
        }
        if (wantedOps == 0) {
            if (armedOps != 0) {
                delete(fd);
            }
            return;
        }
        ctl(armedOps == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, toEpoll(wantedOps), token);
    }

    @Override
    public void release(PollSource source, int armedOps) throws IOException {
        if (source instanceof PollSource.Channel(SelectableChannel channel) && !channel.isOpen()) {
            return; // closing it took its fd out of the epoll set (epoll(7)); the number may be reused
        }
        int fd = fdOf(source);
        if (armedOps != 0) {
            delete(fd);
        }
    }

    private void ctl(int op, int fd, int epollEvents, long token) throws IOException {
        int r = EpollCalls.ctl(errno, epfd, op, fd, epollEvents, token, ctlEvent);
        if (r < 0) {
            throw Errno.exception("epoll_ctl(" + EpollCalls.opName(op) + ", fd=" + fd + ")", -r);
        }
    }

    private void delete(int fd) throws IOException {
        int r = EpollCalls.delete(errno, epfd, fd);
        if (r == -Errno.EBADF || r == -Errno.ENOENT) {
            // The fd was closed elsewhere, and closing it removed it from the epoll set (epoll(7)):
            // the deletion already happened.
            quietDeletes++;
        } else if (r < 0) {
            throw Errno.exception("epoll_ctl(DEL, fd=" + fd + ")", -r);
        }
    }

    @Override
    public void poll(long timeoutNanos, ReadyEvents ready) throws IOException {
        if (events == null) {
            allocateEvents(Math.clamp(ready.capacity(), MIN_EVENTS, MAX_EVENTS));
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        long left = timeoutNanos;
        int n;
        while ((n = waitOnce(left)) < 0) {
            if (n != -Errno.EINTR) {
                throw Errno.exception(waitCallName() + "(epfd=" + epfd + ", maxevents=" + maxEvents + ")", -n);
            }
            // A signal (a profiler's SIGPROF, say) ended the wait: wait again for what is left.
            interruptedWaits++;
            if (timeoutNanos > 0) {
                left = Math.max(0, deadline - System.nanoTime());
            }
        }
        MemorySegment batch = events;
        for (int i = 0; i < n; i++) {
            long token = EpollCalls.token(batch, i);
            if (token == WAKE_TOKEN) {
                consumeWakeup();
            } else {
                ready.add(token, toOps(EpollCalls.readyMask(batch, i)));
            }
        }
        if (n == maxEvents && maxEvents < MAX_EVENTS) {
            // A full batch: more may be waiting. The old buffer stays in the arena until close, a
            // bounded waste (less than the final buffer) for the few times it grows.
            allocateEvents(maxEvents * 2);
        }
    }

    private void allocateEvents(int count) {
        events = arena.allocate(EpollCalls.EVENT, count);
        maxEvents = count;
    }

    private int waitOnce(long timeoutNanos) {
        if (pwait2) {
            MemorySegment timeout = MemorySegment.NULL;
            if (timeoutNanos >= 0) {
                EpollCalls.timespec(timespec, timeoutNanos);
                timeout = timespec;
            }
            return EpollCalls.pwait2(errno, epfd, events, maxEvents, timeout, sigmask);
        }
        // epoll_pwait takes milliseconds: round up, or a sub-millisecond timeout would spin at 0.
        int millis = timeoutNanos < 0 ? -1
                : (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
        return EpollCalls.pwait(errno, epfd, events, maxEvents, millis, sigmask);
    }

    private void consumeWakeup() {
        wakeupsSeen++;
        // The write landed (its event is here): a wakeup() from now on writes again, which is a new
        // edge for the next poll. One that found the flag still set is served by this poll's return.
        WAKE_STATE.compareAndSet(this, WAKE_PENDING, WAKE_IDLE);
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
            awaitPendingWrite();
        }
        int r1 = FdCalls.close(errno, eventFd);
        int r2 = FdCalls.close(errno, epfd);
        arena.close();
        if (r1 < 0) {
            throw new UncheckedIOException(Errno.exception("close(eventfd=" + eventFd + ")", -r1));
        }
        if (r2 < 0) {
            throw new UncheckedIOException(Errno.exception("close(epfd=" + epfd + ")", -r2));
        }
    }

    /**
     * A wakeup() may be between its flag and its write: lets the write land before the eventfd
     * closes, or it could hit a reused fd number (Netty's epoll loop waits the same way). The counter
     * holds one per write and was never read, so the write has landed once it holds one more than
     * the wake-up events seen.
     */
    private void awaitPendingWrite() {
        long landed = 0;
        long giveUp = System.nanoTime() + 1_000_000_000L;
        while (landed <= wakeupsSeen && System.nanoTime() - giveUp < 0) {
            if (EventFdCalls.drain(errno, eventFd, counter) == 0) {
                landed += counter.get(JAVA_LONG, 0);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** Whether close() has freed the arena, for tests. */
    boolean nativeMemoryFreed() {
        return !arena.scope().isAlive();
    }

    /** The epoll instance's fd, for tests. */
    int epollFd() {
        return epfd;
    }

    /** The wake-up eventfd, for tests. */
    int wakeFd() {
        return eventFd;
    }

    /**
     * The fd of a raw source, or of a JDK channel ({@link ChannelFds}). A closed channel's fd number
     * may belong to another file by now, so it is never used.
     *
     * @throws IOException if the channel is closed
     */
    private static int fdOf(PollSource source) throws IOException {
        return switch (source) {
            case PollSource.Fd f -> f.fd();
            case PollSource.Channel(SelectableChannel channel) -> {
                int fd = ChannelFds.fdOf(channel);
                if (!channel.isOpen()) {
                    throw new IOException(channel + " is closed; a closed channel cannot be watched");
                }
                yield fd;
            }
        };
    }

    private static int toEpoll(int ops) {
        int events = 0;
        if ((ops & READABLE) != 0) {
            events |= EPOLLIN;
        }
        if ((ops & WRITABLE) != 0) {
            events |= EPOLLOUT;
        }
        return events;
    }

    private static int toOps(int events) {
        if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
            return READABLE | WRITABLE; // as libuv: let the handler's read or write find the error
        }
        int ops = 0;
        if ((events & (EPOLLIN | EPOLLPRI | EPOLLRDHUP)) != 0) {
            ops |= READABLE;
        }
        if ((events & EPOLLOUT) != 0) {
            ops |= WRITABLE;
        }
        return ops;
    }
}
