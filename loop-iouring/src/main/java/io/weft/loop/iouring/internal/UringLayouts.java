package io.weft.loop.iouring.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The structs the io_uring system calls exchange with the kernel, from {@code <linux/io_uring.h>}
 * (uapi), with the constants this module uses. Only the members this module reads or writes are
 * named; the unions it does not use are kept as padding of their size, so every offset is the
 * kernel's ({@code UringLayoutsTest} checks the sizes).
 */
public final class UringLayouts {
    /**
     * <pre>
     * struct io_sqring_offsets {
     *     __u32 head; __u32 tail; __u32 ring_mask; __u32 ring_entries;
     *     __u32 flags; __u32 dropped; __u32 array; __u32 resv1; __u64 user_addr;
     * };
     * </pre>
     */
    public static final StructLayout SQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags"), JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"))
            .withName("io_sqring_offsets");

    /**
     * <pre>
     * struct io_cqring_offsets {
     *     __u32 head; __u32 tail; __u32 ring_mask; __u32 ring_entries;
     *     __u32 overflow; __u32 cqes; __u32 flags; __u32 resv1; __u64 user_addr;
     * };
     * </pre>
     */
    public static final StructLayout CQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("overflow"), JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"))
            .withName("io_cqring_offsets");

    /**
     * <pre>
     * struct io_uring_params {
     *     __u32 sq_entries; __u32 cq_entries; __u32 flags; __u32 sq_thread_cpu;
     *     __u32 sq_thread_idle; __u32 features; __u32 wq_fd; __u32 resv[3];
     *     struct io_sqring_offsets sq_off;
     *     struct io_cqring_offsets cq_off;
     * };
     * </pre>
     */
    public static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"), JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQRING_OFFSETS.withName("sq_off"), CQRING_OFFSETS.withName("cq_off"))
            .withName("io_uring_params");

    /**
     * <pre>
     * struct io_uring_sqe {
     *     __u8 opcode; __u8 flags; __u16 ioprio; __s32 fd;
     *     union { __u64 off; __u64 addr2; ... };
     *     union { __u64 addr; __u64 splice_off_in; ... };
     *     __u32 len;
     *     union { ...; __u32 poll32_events; ... };   // the op's flags
     *     __u64 user_data;
     *     union { __u16 buf_index; __u16 buf_group; } __attribute__((packed));
     *     __u16 personality;
     *     union { __s32 splice_fd_in; __u32 file_index; ... };
     *     union { struct { __u64 addr3; __u64 __pad2[1]; }; ... };
     * };
     * </pre>
     */
    public static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"), JAVA_BYTE.withName("flags"), JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"), JAVA_LONG.withName("off"), JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"), JAVA_INT.withName("op_flags"), JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"), JAVA_SHORT.withName("personality"), JAVA_INT.withName("file_index"),
            MemoryLayout.paddingLayout(16))
            .withName("io_uring_sqe");

    /**
     * <pre>
     * struct io_uring_cqe { __u64 user_data; __s32 res; __u32 flags; };   // without IORING_SETUP_CQE32
     * </pre>
     */
    public static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"), JAVA_INT.withName("res"), JAVA_INT.withName("flags"))
            .withName("io_uring_cqe");

    /**
     * <pre>
     * struct io_uring_getevents_arg { __u64 sigmask; __u32 sigmask_sz; __u32 pad; __u64 ts; };
     * </pre>
     */
    public static final StructLayout GETEVENTS_ARG = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigmask"), JAVA_INT.withName("sigmask_sz"), JAVA_INT.withName("pad"),
            JAVA_LONG.withName("ts"))
            .withName("io_uring_getevents_arg");

    /** {@code struct __kernel_timespec { __kernel_time64_t tv_sec; long long tv_nsec; };} */
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));

    /**
     * One provided buffer, an entry of a buffer ring:
     * <pre>
     * struct io_uring_buf { __u64 addr; __u32 len; __u16 bid; __u16 resv; };
     * </pre>
     */
    public static final StructLayout BUF = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv"))
            .withName("io_uring_buf");

    /**
     * The head of a buffer ring, which overlays its first {@code io_uring_buf}: the tail this side
     * publishes sits where that entry's {@code resv} is.
     * <pre>
     * struct io_uring_buf_ring {
     *     union {
     *         struct { __u64 resv1; __u32 resv2; __u16 resv3; __u16 tail; };
     *         __DECLARE_FLEX_ARRAY(struct io_uring_buf, bufs);
     *     };
     * };
     * </pre>
     */
    public static final StructLayout BUF_RING_HEAD = MemoryLayout.structLayout(
            JAVA_LONG.withName("resv1"), JAVA_INT.withName("resv2"), JAVA_SHORT.withName("resv3"),
            JAVA_SHORT.withName("tail"))
            .withName("io_uring_buf_ring");

    /**
     * The argument of {@code IORING_REGISTER_PBUF_RING}:
     * <pre>
     * struct io_uring_buf_reg { __u64 ring_addr; __u32 ring_entries; __u16 bgid; __u16 flags; __u64 resv[3]; };
     * </pre>
     */
    public static final StructLayout BUF_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"), JAVA_INT.withName("ring_entries"), JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("flags"), MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv"))
            .withName("io_uring_buf_reg");

    // io_uring_params offsets
    static final long PARAMS_SQ_ENTRIES = 0;
    static final long PARAMS_CQ_ENTRIES = 4;
    static final long PARAMS_FLAGS = 8;
    static final long PARAMS_FEATURES = 20;
    static final long PARAMS_SQ_OFF = 40;
    static final long PARAMS_CQ_OFF = 80;
    // io_sqring_offsets / io_cqring_offsets members (from the start of each)
    static final long OFF_HEAD = 0;
    static final long OFF_TAIL = 4;
    static final long OFF_RING_MASK = 8;
    static final long SQ_OFF_FLAGS = 16;
    static final long SQ_OFF_ARRAY = 24;
    static final long CQ_OFF_CQES = 20;
    // io_uring_sqe members
    static final long SQE_OPCODE = 0;
    static final long SQE_FLAGS = 1;
    static final long SQE_IOPRIO = 2;
    static final long SQE_FD = 4;
    static final long SQE_ADDR = 16;
    static final long SQE_LEN = 24;
    static final long SQE_OP_FLAGS = 28;
    static final long SQE_USER_DATA = 32;
    // io_uring_cqe members
    static final long CQE_USER_DATA = 0;
    static final long CQE_RES = 8;
    static final long CQE_FLAGS = 12;
    // io_uring_buf / io_uring_buf_ring / io_uring_buf_reg members
    static final long BUF_LEN = 8;
    static final long BUF_BID = 12;
    static final long BUF_RING_TAIL = 14;
    static final long BUF_REG_ENTRIES = 8;

    /** {@code IORING_SETUP_CQSIZE}: {@code cq_entries} is given. */
    static final int SETUP_CQSIZE = 1 << 3;
    /** {@code IORING_SETUP_CLAMP}: sizes above the limits are clamped, not refused. */
    static final int SETUP_CLAMP = 1 << 4;
    /**
     * {@code IORING_SETUP_COOP_TASKRUN} (5.19): the kernel does not interrupt the loop thread to run a
     * completion's task work; it runs at the thread's next system call.
     */
    static final int SETUP_COOP_TASKRUN = 1 << 8;
    /** {@code IORING_SETUP_TASKRUN_FLAG} (5.19): with it, {@link #SQ_TASKRUN} says task work is waiting. */
    static final int SETUP_TASKRUN_FLAG = 1 << 9;

    /** {@code IORING_FEAT_SINGLE_MMAP} (5.4): both rings in one mapping. */
    public static final int FEAT_SINGLE_MMAP = 1;
    /** {@code IORING_FEAT_NODROP} (5.5): a full completion queue keeps completions, never drops them. */
    public static final int FEAT_NODROP = 1 << 1;
    /** {@code IORING_FEAT_EXT_ARG} (5.11): {@code io_uring_enter} takes a timeout. */
    public static final int FEAT_EXT_ARG = 1 << 8;
    /**
     * {@code IORING_FEAT_REG_REG_RING} (6.3). Not used itself: its presence marks a kernel with
     * everything the completion-based TCP backend needs (multishot receive came in 6.0, buffer rings
     * and {@code IORING_ASYNC_CANCEL_FD} in 5.19), since multishot receive has no feature bit of its own.
     */
    public static final int FEAT_REG_REG_RING = 1 << 13;

    static final int ENTER_GETEVENTS = 1;
    static final int ENTER_EXT_ARG = 1 << 3;

    /** {@code IORING_SQ_CQ_OVERFLOW}, in the SQ ring's flags: completions wait in the kernel's overflow list. */
    static final int SQ_CQ_OVERFLOW = 1 << 1;
    /** {@code IORING_SQ_TASKRUN}, in the SQ ring's flags: task work waits for an {@code io_uring_enter}. */
    static final int SQ_TASKRUN = 1 << 2;

    static final long OFF_SQ_RING = 0L;
    static final long OFF_SQES = 0x10000000L;

    static final byte OP_POLL_ADD = 6;
    static final byte OP_POLL_REMOVE = 7;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;

    /** {@code IOSQE_BUFFER_SELECT}, in the SQE's flags: the kernel picks a buffer from the group. */
    static final byte SQE_BUFFER_SELECT = 1 << 5;
    /** {@code IORING_ACCEPT_MULTISHOT}, in an accept's ioprio (5.19). */
    static final short ACCEPT_MULTISHOT = 1;
    /** {@code IORING_RECV_MULTISHOT}, in a receive's ioprio (6.0). */
    static final short RECV_MULTISHOT = 1 << 1;
    /** {@code IORING_ASYNC_CANCEL_ALL}: every request that matches, not only the first. */
    static final int ASYNC_CANCEL_ALL = 1;
    /** {@code IORING_ASYNC_CANCEL_FD}: match requests by fd, not by user_data (5.19). */
    static final int ASYNC_CANCEL_FD = 1 << 1;
    /** {@code IORING_ASYNC_CANCEL_ANY}: match every request of the ring. */
    static final int ASYNC_CANCEL_ANY = 1 << 2;

    /** {@code IORING_CQE_F_BUFFER}: the upper 16 bits of the CQE's flags are the buffer id used. */
    static final int CQE_F_BUFFER = 1;
    /** {@code IORING_CQE_F_MORE}: the multishot request goes on; without it, this was its last completion. */
    static final int CQE_F_MORE = 1 << 1;
    /** {@code IORING_CQE_BUFFER_SHIFT}. */
    static final int CQE_BUFFER_SHIFT = 16;

    /** {@code IORING_REGISTER_PBUF_RING} (5.19) and its inverse. */
    static final int REGISTER_PBUF_RING = 22;
    static final int UNREGISTER_PBUF_RING = 23;

    /** {@code MSG_NOSIGNAL}: a send to a gone peer fails with EPIPE, no SIGPIPE. */
    static final int MSG_NOSIGNAL = 0x4000;
    /** {@code ENOBUFS}: the buffer ring had no buffer for a receive. */
    static final int ENOBUFS = 105;
    /** {@code ECANCELED}: the request was cancelled. */
    static final int ECANCELED = 125;

    // <poll.h>
    static final int POLLIN = 0x001;
    static final int POLLPRI = 0x002;
    static final int POLLOUT = 0x004;
    static final int POLLERR = 0x008;
    static final int POLLHUP = 0x010;
    static final int POLLNVAL = 0x020;
    static final int POLLRDHUP = 0x2000;

    private UringLayouts() {
    }
}
