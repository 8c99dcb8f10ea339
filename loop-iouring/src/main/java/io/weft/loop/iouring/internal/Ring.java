package io.weft.loop.iouring.internal;

import static io.weft.loop.iouring.internal.UringLayouts.CQE_RES;
import static io.weft.loop.iouring.internal.UringLayouts.CQE_USER_DATA;
import static io.weft.loop.iouring.internal.UringLayouts.CQ_OFF_CQES;
import static io.weft.loop.iouring.internal.UringLayouts.OFF_HEAD;
import static io.weft.loop.iouring.internal.UringLayouts.OFF_RING_MASK;
import static io.weft.loop.iouring.internal.UringLayouts.OFF_TAIL;
import static io.weft.loop.iouring.internal.UringLayouts.PARAMS_CQ_OFF;
import static io.weft.loop.iouring.internal.UringLayouts.PARAMS_SQ_OFF;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.weft.loop.epoll.internal.Errno;
import io.weft.loop.epoll.internal.FdCalls;
import io.weft.loop.epoll.internal.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance: its fd, the shared SQ/CQ ring mapping ({@code IORING_FEAT_SINGLE_MMAP}) and
 * the SQE array, with the ring protocol: {@link #prepare} fills the queue, {@link #enter} submits
 * what is queued and optionally waits, {@link #reap} consumes completions.
 *
 * <p>Used by one thread at a time (the loop thread). The tails this side writes are published with
 * release stores and the tails the kernel writes read with acquire loads, the ordering the kernel's
 * side of the protocol pairs with. Native memory (params, errno, the wait's argument) comes from the
 * caller's arena; the mappings are released by {@link #close}.
 */
final class Ring {
    /** The callback {@link #reap} hands each completion to. */
    interface Completions {
        /**
         * One completion: the submission's {@code user_data}, its result ({@code -errno} on failure)
         * and the CQE's flags ({@code IORING_CQE_F_MORE}, {@code IORING_CQE_F_BUFFER} and the buffer id).
         */
        void complete(long userData, int res, int flags) throws IOException;
    }

    private static final VarHandle INT = JAVA_INT.varHandle();

    private final int fd;
    private final MemorySegment errno;
    private final MemorySegment rings;
    private final MemorySegment sqes;
    private final long sqHead;
    private final long sqTail;
    private final long sqFlags;
    private final int sqMask;
    private final int sqEntries;
    private final long cqHead;
    private final long cqTail;
    private final long cqes;
    private final int cqMask;
    private final int features;
    /** This side's copy of the SQ tail: SQEs up to it are filled, published at {@link #enter}. */
    private int localSqTail;

    private Ring(int fd, MemorySegment errno, MemorySegment params, MemorySegment rings, MemorySegment sqes) {
        this.fd = fd;
        this.errno = errno;
        this.rings = rings;
        this.sqes = sqes;
        sqHead = params.get(JAVA_INT, PARAMS_SQ_OFF + OFF_HEAD);
        sqTail = params.get(JAVA_INT, PARAMS_SQ_OFF + OFF_TAIL);
        sqFlags = params.get(JAVA_INT, PARAMS_SQ_OFF + UringLayouts.SQ_OFF_FLAGS);
        sqMask = rings.get(JAVA_INT, params.get(JAVA_INT, PARAMS_SQ_OFF + OFF_RING_MASK));
        sqEntries = params.get(JAVA_INT, UringLayouts.PARAMS_SQ_ENTRIES);
        cqHead = params.get(JAVA_INT, PARAMS_CQ_OFF + OFF_HEAD);
        cqTail = params.get(JAVA_INT, PARAMS_CQ_OFF + OFF_TAIL);
        cqes = params.get(JAVA_INT, PARAMS_CQ_OFF + CQ_OFF_CQES);
        cqMask = rings.get(JAVA_INT, params.get(JAVA_INT, PARAMS_CQ_OFF + OFF_RING_MASK));
        features = params.get(JAVA_INT, UringLayouts.PARAMS_FEATURES);
        localSqTail = (int) INT.getAcquire(rings, sqTail);
        // The SQ array maps ring slots to SQE indexes: identity, written once.
        long array = params.get(JAVA_INT, PARAMS_SQ_OFF + UringLayouts.SQ_OFF_ARRAY);
        for (int i = 0; i < sqEntries; i++) {
            rings.set(JAVA_INT, array + 4L * i, i);
        }
    }

    /**
     * Sets up a ring of {@code sqEntries} submissions and {@code cqEntries} completions (clamped
     * to the kernel's limits) and maps it.
     *
     * @throws RingSetupException when the kernel refuses to create the ring, with its errno
     * @throws IOException naming the call and errno when a mapping fails, or the feature the kernel lacks
     */
    static Ring open(Arena arena, int sqEntries, int cqEntries) throws IOException {
        MemorySegment errno = Native.newErrnoSegment(arena);
        MemorySegment params = arena.allocate(UringLayouts.PARAMS);
        int flags = UringLayouts.SETUP_CQSIZE | UringLayouts.SETUP_CLAMP;
        int cooperative = UringLayouts.SETUP_COOP_TASKRUN | UringLayouts.SETUP_TASKRUN_FLAG;
        int fd = setup(errno, params, sqEntries, cqEntries, flags | cooperative);
        if (fd == -Errno.EINVAL) {
            fd = setup(errno, params, sqEntries, cqEntries, flags); // before Linux 5.19
        }
        if (fd < 0) {
            throw new RingSetupException("io_uring_setup(" + sqEntries + ", IORING_SETUP_CQSIZE|IORING_SETUP_CLAMP)", -fd);
        }
        MemorySegment rings = null;
        try {
            String missing = missingFeature(params.get(JAVA_INT, UringLayouts.PARAMS_FEATURES));
            if (missing != null) {
                throw new IOException("the kernel's io_uring lacks " + missing);
            }
            int sq = params.get(JAVA_INT, UringLayouts.PARAMS_SQ_ENTRIES);
            int cq = params.get(JAVA_INT, UringLayouts.PARAMS_CQ_ENTRIES);
            long sqSize = params.get(JAVA_INT, PARAMS_SQ_OFF + UringLayouts.SQ_OFF_ARRAY) + 4L * sq;
            long cqSize = params.get(JAVA_INT, PARAMS_CQ_OFF + CQ_OFF_CQES) + UringLayouts.CQE.byteSize() * cq;
            long size = Math.max(sqSize, cqSize);
            rings = UringCalls.mmap(errno, fd, size, UringLayouts.OFF_SQ_RING);
            if (rings == null) {
                throw Errno.exception("mmap(io_uring rings, " + size + " bytes)", Native.errno(errno));
            }
            long sqesSize = UringLayouts.SQE.byteSize() * sq;
            MemorySegment sqes = UringCalls.mmap(errno, fd, sqesSize, UringLayouts.OFF_SQES);
            if (sqes == null) {
                throw Errno.exception("mmap(io_uring sqes, " + sqesSize + " bytes)", Native.errno(errno));
            }
            return new Ring(fd, errno, params, rings, sqes);
        } catch (IOException | RuntimeException e) {
            if (rings != null) {
                UringCalls.munmap(errno, rings);
            }
            FdCalls.close(errno, fd);
            throw e;
        }
    }

    private static int setup(MemorySegment errno, MemorySegment params, int sqEntries, int cqEntries, int flags) {
        params.fill((byte) 0);
        params.set(JAVA_INT, UringLayouts.PARAMS_FLAGS, flags);
        params.set(JAVA_INT, UringLayouts.PARAMS_CQ_ENTRIES, cqEntries);
        return UringCalls.setup(errno, sqEntries, params);
    }

    /**
     * The feature among those this module needs ({@code IORING_FEAT_SINGLE_MMAP}, {@code _NODROP},
     * {@code _EXT_ARG}) that {@code features} lacks, named with the Linux version that added it;
     * null when none is missing.
     */
    static String missingFeature(int features) {
        if ((features & UringLayouts.FEAT_SINGLE_MMAP) == 0) {
            return "IORING_FEAT_SINGLE_MMAP (Linux 5.4+)";
        }
        if ((features & UringLayouts.FEAT_NODROP) == 0) {
            return "IORING_FEAT_NODROP (Linux 5.5+)";
        }
        if ((features & UringLayouts.FEAT_EXT_ARG) == 0) {
            return "IORING_FEAT_EXT_ARG (Linux 5.11+)";
        }
        return null;
    }

    /** The ring's fd. */
    int fd() {
        return fd;
    }

    /**
     * Fills the next free SQE with {@code opcode} on {@code fd}, its {@code addr}, its op flags
     * ({@code poll32_events} for a poll) and {@code userData}; false when the queue is full (submit
     * with {@link #enter} first). The kernel sees it at the next {@link #enter}.
     */
    boolean prepare(byte opcode, int fd, long addr, int opFlags, long userData) {
        return prepare(opcode, (byte) 0, (short) 0, fd, addr, 0, opFlags, userData);
    }

    /**
     * As {@link #prepare(byte, int, long, int, long)}, with the SQE's {@code flags} ({@code
     * IOSQE_*}; with {@code IOSQE_BUFFER_SELECT} the buffer group is 0), its {@code ioprio} (where
     * accept and receive take their multishot flag) and {@code len}.
     */
    boolean prepare(byte opcode, byte sqeFlags, short ioprio, int fd, long addr, int len, int opFlags, long userData) {
        int head = (int) INT.getAcquire(rings, sqHead);
        if (localSqTail - head >= sqEntries) {
            return false;
        }
        long at = UringLayouts.SQE.byteSize() * (localSqTail & sqMask);
        for (long i = 0; i < UringLayouts.SQE.byteSize(); i += Long.BYTES) {
            sqes.set(JAVA_LONG, at + i, 0L);
        }
        sqes.set(JAVA_BYTE, at + UringLayouts.SQE_OPCODE, opcode);
        sqes.set(JAVA_BYTE, at + UringLayouts.SQE_FLAGS, sqeFlags);
        sqes.set(JAVA_SHORT, at + UringLayouts.SQE_IOPRIO, ioprio);
        sqes.set(JAVA_INT, at + UringLayouts.SQE_FD, fd);
        sqes.set(JAVA_LONG, at + UringLayouts.SQE_ADDR, addr);
        sqes.set(JAVA_INT, at + UringLayouts.SQE_LEN, len);
        sqes.set(JAVA_INT, at + UringLayouts.SQE_OP_FLAGS, opFlags);
        sqes.set(JAVA_LONG, at + UringLayouts.SQE_USER_DATA, userData);
        localSqTail++;
        return true;
    }

    /** How many filled SQEs the kernel has not taken yet. */
    int pending() {
        return localSqTail - (int) INT.getAcquire(rings, sqHead);
    }

    /**
     * Publishes the filled SQEs and calls {@code io_uring_enter} to submit them and, with {@code
     * IORING_ENTER_GETEVENTS} in {@code flags}, wait for {@code minComplete} completions.
     *
     * <p>The call captures no errno (see {@link UringCalls}). When it fails, it is made again at once,
     * capturing errno, with the same submissions and flags but without waiting: the errors that are not
     * transient (EBADF, EFAULT, EINVAL...) fail the repeat too and are returned; a repeat that succeeds
     * means the wait itself ended early, by a signal (EINTR) or its timeout (ETIME), and {@code -EINTR}
     * is returned, for the caller to wait again for the time left, if any.
     *
     * @return the count the kernel took, or {@code -errno}
     */
    int enter(int minComplete, int flags, MemorySegment arg, long argSize) {
        INT.setRelease(rings, sqTail, localSqTail);
        int r = UringCalls.enterNoErrno(fd, pending(), minComplete, flags, arg, argSize);
        if (r >= 0) {
            return r;
        }
        int repeat = UringCalls.enter(errno, fd, pending(), 0, flags & ~UringLayouts.ENTER_GETEVENTS, arg, argSize);
        return repeat < 0 ? repeat : -Errno.EINTR;
    }

    /**
     * {@code io_uring_register(fd, opcode, arg, nrArgs)} on this ring.
     *
     * @return 0 (or the call's result), or {@code -errno}
     */
    int register(int opcode, MemorySegment arg, int nrArgs) {
        return UringCalls.register(errno, fd, opcode, arg, nrArgs);
    }

    /** The {@code IORING_FEAT_*} bits the kernel reported at setup. */
    int features() {
        return features;
    }

    /**
     * Whether task work waits to run in an {@code io_uring_enter} ({@code IORING_SQ_TASKRUN}): with
     * {@code IORING_SETUP_COOP_TASKRUN} the kernel does not interrupt this thread for it, so
     * completions it would post appear only after this thread's next system call.
     */
    boolean taskWorkPending() {
        return ((int) INT.getAcquire(rings, sqFlags) & UringLayouts.SQ_TASKRUN) != 0;
    }

    /** Whether completions wait in the kernel's overflow list ({@code IORING_SQ_CQ_OVERFLOW}). */
    boolean cqOverflowed() {
        return ((int) INT.getAcquire(rings, sqFlags) & UringLayouts.SQ_CQ_OVERFLOW) != 0;
    }

    /** Hands every completion in the CQ ring to {@code sink}, in order, and frees their slots. */
    int reap(Completions sink) throws IOException {
        int head = (int) INT.getAcquire(rings, cqHead);
        int tail = (int) INT.getAcquire(rings, cqTail);
        int n = tail - head;
        try {
            while (head != tail) {
                long at = cqes + UringLayouts.CQE.byteSize() * (head & cqMask);
                long userData = rings.get(JAVA_LONG, at + CQE_USER_DATA);
                int res = rings.get(JAVA_INT, at + CQE_RES);
                int flags = rings.get(JAVA_INT, at + UringLayouts.CQE_FLAGS);
                head++; // consumed before the sink runs: a sink that throws does not see it twice
                sink.complete(userData, res, flags);
            }
        } finally {
            INT.setRelease(rings, cqHead, head);
        }
        return n;
    }

    /** Unmaps the ring and closes its fd (which ends every request still in flight). */
    void close() throws IOException {
        int r1 = UringCalls.munmap(errno, sqes);
        int r2 = UringCalls.munmap(errno, rings);
        int r3 = FdCalls.close(errno, fd);
        if (r1 < 0 || r2 < 0) {
            throw Errno.exception("munmap(io_uring fd=" + fd + ")", -Math.min(r1, r2));
        }
        if (r3 < 0) {
            throw Errno.exception("close(io_uring fd=" + fd + ")", -r3);
        }
    }
}
