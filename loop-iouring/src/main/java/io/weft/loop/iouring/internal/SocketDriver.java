package io.weft.loop.iouring.internal;

import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.Arrays;

/**
 * The completion side of one poller's TCP: the sockets bound to its ring, their requests (multishot
 * accept, multishot receive into the {@link BufferRing}, sends from {@link SendStaging}, cancels),
 * and the readiness it reports for them.
 *
 * <p><b>user_data.</b> {@code Long.MIN_VALUE | kind << 32 | slot}: the sign bit, which the poller's
 * own poll requests never have, a kind ({@link #RECV}, {@link #SEND}, {@link #ACCEPT}, {@link
 * #POLL}, {@link #CANCEL}) and the socket's slot in {@link #slots}. A slot is reused only once its socket is closed
 * and its last request has completed, so a completion always finds the socket that made the request,
 * even after its fd number went to another socket.
 *
 * <p><b>Readiness.</b> A socket whose state may let it report something (a completion arrived, its
 * interest changed) is put on {@link #listed}; at the end of each poll every listed socket reports
 * what it can ({@link Completable#readyOps()} masked with what the loop wants) and stays listed while
 * it reports, so it is level-triggered; a poll does not wait while a listed socket can report.
 *
 * <p><b>Re-arming.</b> A multishot request that ends (no {@code IORING_CQE_F_MORE}) is queued again at
 * the start of the next poll, never while completions are reaped (the poller's rule). One that ended
 * with {@code -ENOBUFS} waits until a buffer is back, and its data waits in the kernel's socket buffer.
 *
 * <p>Loop thread only; allocates nothing per event once its arrays have grown.
 */
final class SocketDriver {
    static final int RECV = 1;
    static final int SEND = 2;
    static final int ACCEPT = 3;
    static final int CANCEL = 4;
    static final int POLL = 5;

    /** Receive buffers per loop and their size: 2 MiB, sized for many connections with a little each. */
    static final int DEFAULT_BUFFERS = 256;
    static final int DEFAULT_BUFFER_SIZE = 8 * 1024;
    /**
     * 10 s: a socket closed with staged bytes keeps its fd until they are sent, and a peer that stops
     * reading would otherwise hold it (and its staging block) for as long as the loop runs.
     */
    static final long CLOSE_FLUSH_NANOS = 10_000_000_000L;

    private final IoUringPoller poller;
    final BufferRing buffers;
    final SendStaging staging = new SendStaging();
    private Completable[] slots = new Completable[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int slotCount;
    private Completable[] listed = new Completable[64];
    private int listedCount;
    private Completable[] rearm = new Completable[64];
    private int rearmCount;
    private Completable[] starved = new Completable[16];
    private int starvedCount;
    /** Closed sockets whose staged bytes are still going out, and when each gives up (nanoTime). */
    private IoUringSocket[] closing = new IoUringSocket[16];
    private long[] closingDeadlines = new long[16];
    private int closingCount;
    /** How long a closed socket may take to send what it had staged before it is reset. */
    long closeFlushNanos = CLOSE_FLUSH_NANOS;
    /** Requests in flight whose completion may still touch memory (receives, sends, accepts). */
    private int inFlight;
    private boolean closed;

    // Counters, read by tests on the loop thread.
    long noBufferCount;
    long receiveCompletions;
    long sendCompletions;
    long acceptCompletions;
    /** Sends that took less than they were given (rare: the kernel finishes a stream socket's partial send itself). */
    long shortSends;
    /** Sends submitted again from a completion, for what was left or written meanwhile. */
    long sendsAgain;
    /** Multishot receives in flight (cancelled ones until their last completion). */
    int receiving;

    SocketDriver(IoUringPoller poller, Ring ring, Arena arena, int bufferCount, int bufferSize) throws IOException {
        this.poller = poller;
        this.buffers = BufferRing.register(ring, arena, bufferCount, bufferSize);
    }

    /** Binds {@code c} to this driver: it gets a slot, and its requests go to this ring from now on. */
    void bind(Completable c) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (slotCount == slots.length) {
                slots = Arrays.copyOf(slots, slotCount * 2);
            }
            slot = slotCount++;
        }
        slots[slot] = c;
        c.slot = slot;
        c.driver = this;
    }

    /** The loop changed what it wants from {@code c} (or armed it first): start or stop its requests. */
    void update(Completable c, long token, int wantedOps) throws IOException {
        int before = c.wanted;
        c.token = token;
        c.wanted = wantedOps;
        if (closed) {
            throw new IOException("the io_uring loop of " + c + " is closed");
        }
        c.interestChanged(before);
        list(c);
    }

    /** The loop forgets {@code c}: its watcher is closing, and the socket will be next. */
    void release(Completable c) throws IOException {
        c.wanted = 0;
        if (!closed) {
            c.released();
        }
    }

    /** {@code c} finished connecting: from the poll request it was watched with to completions. */
    void connected(Completable c) throws IOException {
        poller.forget(c.fd);
        c.interestChanged(0);
        list(c);
    }

    /** Puts {@code c} on the list of sockets that report at the end of each poll while they can. */
    void list(Completable c) {
        if (c.listed || c.closed) {
            return;
        }
        if (listedCount == listed.length) {
            listed = Arrays.copyOf(listed, listedCount * 2);
        }
        listed[listedCount++] = c;
        c.listed = true;
    }

    /** Queues {@code c}'s multishot request again at the start of the next poll. */
    void rearmLater(Completable c) {
        if (c.rearmListed) {
            return;
        }
        if (rearmCount == rearm.length) {
            rearm = Arrays.copyOf(rearm, rearmCount * 2);
        }
        rearm[rearmCount++] = c;
        c.rearmListed = true;
    }

    /** {@code c}'s receive ended with -ENOBUFS: counted, and queued again once a buffer is back. */
    void starved(Completable c) {
        noBufferCount++;
        if (c.starved) {
            return;
        }
        if (starvedCount == starved.length) {
            starved = Arrays.copyOf(starved, starvedCount * 2);
        }
        starved[starvedCount++] = c;
        c.starved = true;
    }

    /** {@code socket} was closed with bytes staged: it is reset if they are not sent in time. */
    void closing(IoUringSocket socket) {
        if (closingCount == closing.length) {
            closing = Arrays.copyOf(closing, closingCount * 2);
            closingDeadlines = Arrays.copyOf(closingDeadlines, closingCount * 2);
        }
        closing[closingCount] = socket;
        closingDeadlines[closingCount++] = System.nanoTime() + closeFlushNanos;
    }

    /** {@code socket} sent what it had staged, or was reset: no deadline any more. */
    void closed(IoUringSocket socket) {
        for (int i = 0; i < closingCount; i++) {
            if (closing[i] == socket) {
                closingCount--;
                closing[i] = closing[closingCount];
                closingDeadlines[i] = closingDeadlines[closingCount];
                closing[closingCount] = null;
                return;
            }
        }
    }

    /** How long a poll may wait before a closing socket's deadline: {@code timeoutNanos}, or less. */
    long boundWait(long timeoutNanos) {
        if (closingCount == 0) {
            return timeoutNanos;
        }
        long now = System.nanoTime();
        long soonest = Long.MAX_VALUE;
        for (int i = 0; i < closingCount; i++) {
            soonest = Math.min(soonest, Math.max(0, closingDeadlines[i] - now));
        }
        return timeoutNanos < 0 ? soonest : Math.min(timeoutNanos, soonest);
    }

    /** Resets the closed sockets whose staged bytes did not go out in time (a peer that stopped reading). */
    private void resetOverdue() throws IOException {
        long now = System.nanoTime();
        for (int i = closingCount - 1; i >= 0; i--) {
            if (closingDeadlines[i] - now <= 0) {
                closing[i].abort(); // takes it off the list: the last one moves to i, already seen
            }
        }
    }

    /**
     * Before a poll: queues the requests that ended in the last one, and those that waited for a buffer
     * if one is back. Returns whether a listed socket can report now (then the poll must not wait).
     */
    boolean beforePoll() throws IOException {
        if (closingCount > 0) {
            resetOverdue();
        }
        if (starvedCount > 0 && buffers.free() > 0) {
            for (int i = 0; i < starvedCount; i++) {
                Completable c = starved[i];
                starved[i] = null;
                c.starved = false;
                rearmLater(c);
            }
            starvedCount = 0;
        }
        for (int i = 0; i < rearmCount; i++) {
            Completable c = rearm[i];
            rearm[i] = null;
            c.rearmListed = false;
            if (!c.closed) {
                c.rearm();
            }
        }
        rearmCount = 0;
        for (int i = 0; i < listedCount; i++) {
            Completable c = listed[i];
            if ((c.readyOps() & c.wanted) != 0) {
                return true;
            }
        }
        return false;
    }

    /** After a poll: every listed socket that can report does, and stays listed; the others leave the list. */
    void report(ReadyEvents ready) {
        int kept = 0;
        for (int i = 0; i < listedCount; i++) {
            Completable c = listed[i];
            int ops = c.closed ? 0 : c.readyOps() & c.wanted;
            if (ops != 0) {
                ready.add(c.token, ops);
                listed[kept++] = c;
            } else {
                c.listed = false;
            }
        }
        Arrays.fill(listed, kept, listedCount, null);
        listedCount = kept;
    }

    /** Routes a completion whose user_data has the sign bit to its socket. */
    void complete(long userData, int res, int flags) throws IOException {
        int kind = (int) (userData >>> 32) & 0x7fff_ffff;
        if (kind == CANCEL) {
            return; // how many a cancel found does not matter: each cancelled request completes itself
        }
        if ((flags & UringLayouts.CQE_F_MORE) == 0) {
            inFlight--;
        }
        int slot = (int) userData;
        Completable c = slot >= 0 && slot < slotCount ? slots[slot] : null;
        if (c == null) {
            return;
        }
        c.complete(kind, res, flags);
        if (c.closed) {
            freeIfDone(c);
        }
    }

    /** Frees {@code c}'s slot once it is closed and its last request has completed. */
    void freeIfDone(Completable c) {
        if (c.slot < 0 || !c.closed || !c.idle()) {
            return;
        }
        slots[c.slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = c.slot;
        c.slot = -1;
    }

    /** Queues a multishot receive on {@code c} into the buffer ring. */
    void queueReceive(Completable c) throws IOException {
        receiving++;
        queue(UringLayouts.OP_RECV, UringLayouts.SQE_BUFFER_SELECT, UringLayouts.RECV_MULTISHOT, c.fd, 0, 0, 0,
                userData(RECV, c));
    }

    /** Queues a send of {@code length} bytes at {@code address} on {@code c}. */
    void queueSend(Completable c, long address, int length) throws IOException {
        queue(UringLayouts.OP_SEND, (byte) 0, (short) 0, c.fd, address, length, UringLayouts.MSG_NOSIGNAL,
                userData(SEND, c));
    }

    /** Queues a multishot accept on the listener {@code c}: non-blocking, close-on-exec sockets. */
    void queueAccept(Completable c, int acceptFlags) throws IOException {
        queue(UringLayouts.OP_ACCEPT, (byte) 0, UringLayouts.ACCEPT_MULTISHOT, c.fd, 0, 0, acceptFlags,
                userData(ACCEPT, c));
    }

    /** Queues a one-shot poll for input on {@code c} (a listener: a connection waits). */
    void queuePollIn(Completable c) throws IOException {
        queue(UringLayouts.OP_POLL_ADD, (byte) 0, (short) 0, c.fd, 0, 0, UringLayouts.POLLIN, userData(POLL, c));
    }

    /** Cancels {@code c}'s request of {@code kind} (its completion says -ECANCELED, or came first). */
    void cancel(Completable c, int kind) throws IOException {
        poller.queue(UringLayouts.OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, userData(kind, c), 0, 0,
                userData(CANCEL, c));
    }

    /** Cancels every request on {@code c}'s fd. */
    void cancelAll(Completable c) throws IOException {
        poller.queue(UringLayouts.OP_ASYNC_CANCEL, (byte) 0, (short) 0, c.fd, 0, 0,
                UringLayouts.ASYNC_CANCEL_FD | UringLayouts.ASYNC_CANCEL_ALL, userData(CANCEL, c));
    }

    /** Loop close: cancels every request of the ring, to be reaped until {@link #drained()}. */
    void cancelEverything() throws IOException {
        closed = true;
        poller.queue(UringLayouts.OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0, 0, UringLayouts.ASYNC_CANCEL_ANY,
                (long) CANCEL << 32 | Long.MIN_VALUE);
    }

    /** Whether no request that may touch memory is in flight any more. */
    boolean drained() {
        return inFlight <= 0;
    }

    /** Whether the loop closed: its ring and buffers are going away. */
    boolean isClosed() {
        return closed;
    }

    private void queue(byte opcode, byte sqeFlags, short ioprio, int fd, long addr, int len, int opFlags,
            long userData) throws IOException {
        poller.queue(opcode, sqeFlags, ioprio, fd, addr, len, opFlags, userData);
        inFlight++;
    }

    private static long userData(int kind, Completable c) {
        return Long.MIN_VALUE | (long) kind << 32 | c.slot;
    }

    /** {@code Poller.READABLE}, for the sockets' readiness. */
    static final int READABLE = Poller.READABLE;
    /** {@code Poller.WRITABLE}. */
    static final int WRITABLE = Poller.WRITABLE;
}
