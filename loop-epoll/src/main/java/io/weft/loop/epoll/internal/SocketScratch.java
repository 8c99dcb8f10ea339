package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The native memory one thread's socket calls work in: errno, an iovec array and the {@code msghdr}
 * that points to it, a bounce buffer for heap {@link ByteBuffer}s, room for a socket address and an
 * option value. Sockets of one backend are used from several loop threads, so each thread gets its
 * own ({@link #current()}); allocated once per thread, freed by the GC with it (an automatic arena).
 */
final class SocketScratch {
    /** iovecs per gather write: the loop hands at most 64 chunks (NetLoopState.MAX_GATHER) at once. */
    static final int IOV_COUNT = 64;
    /** Bounce buffer size: a heap buffer is read or written at most this much per call. */
    static final int BOUNCE_SIZE = 64 * 1024;

    private static final ThreadLocal<SocketScratch> CURRENT = ThreadLocal.withInitial(SocketScratch::new);

    final MemorySegment errno;
    final MemorySegment iovecs;
    final MemorySegment msghdr;
    final MemorySegment bounce;
    final ByteBuffer bounceBuffer;
    final long bounceAddress;
    final MemorySegment sockaddr;
    final MemorySegment socklen;
    final MemorySegment intValue;

    private SocketScratch() {
        Arena arena = Arena.ofAuto();
        errno = Native.newErrnoSegment(arena);
        iovecs = arena.allocate(SocketCalls.IOVEC, IOV_COUNT);
        msghdr = arena.allocate(SocketCalls.MSGHDR);
        msghdr.set(JAVA_LONG, SocketCalls.MSG_IOV_OFFSET, iovecs.address());
        bounce = arena.allocate(BOUNCE_SIZE, 64);
        bounceBuffer = bounce.asByteBuffer();
        bounceAddress = bounce.address();
        sockaddr = arena.allocate(SocketCalls.SOCKADDR_STORAGE_SIZE, 8);
        socklen = arena.allocate(8, 8);
        intValue = arena.allocate(8, 8);
    }

    /** Direct buffers whose base address is known, by identity hash; see {@link #address}. */
    private final ByteBuffer[] knownBuffers = new ByteBuffer[ADDRESS_CACHE];
    private final long[] knownBases = new long[ADDRESS_CACHE];
    private static final int ADDRESS_CACHE = 512;

    /**
     * The address of {@code direct}'s position. {@code MemorySegment.ofBuffer} allocates a session
     * object per call that escape analysis does not always remove on the loop's path (seen with
     * JFR: 32 bytes per echo round trip), so the base address of each buffer is kept in a small
     * direct-mapped cache: the loop's buffers (its read buffer, its pool of outbound chunks) are
     * few and long-lived. A miss costs one {@code ofBuffer}; the cache holds the buffers it knows.
     */
    long address(ByteBuffer direct) {
        int slot = System.identityHashCode(direct) & (ADDRESS_CACHE - 1);
        if (knownBuffers[slot] != direct) {
            knownBases[slot] = MemorySegment.ofBuffer(direct).address() - direct.position();
            knownBuffers[slot] = direct;
        }
        return knownBases[slot] + direct.position();
    }

    /** This thread's scratch. */
    static SocketScratch current() {
        return CURRENT.get();
    }

    /** Points iovec {@code i} at {@code length} bytes from {@code address}. */
    void iovec(int i, long address, long length) {
        long base = i * SocketCalls.IOVEC.byteSize();
        iovecs.set(JAVA_LONG, base, address);
        iovecs.set(JAVA_LONG, base + SocketCalls.IOV_LEN_OFFSET, length);
    }

    /** Makes the {@code msghdr} send the first {@code count} iovecs. */
    void iovecCount(int count) {
        msghdr.set(JAVA_LONG, SocketCalls.MSG_IOVLEN_OFFSET, count);
    }
}
