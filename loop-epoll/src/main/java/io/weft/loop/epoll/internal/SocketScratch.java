package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;

/**
 * The native memory one socket's calls work in: errno, an iovec array and the {@code msghdr} that
 * points to it, room for a socket address and an option value (about 0.5 KiB). Each socket owns one,
 * made with the socket, so what a connection costs natively does not depend on which thread (a loop
 * thread, a virtual thread carried by it, a pool's virtual thread) calls it.
 *
 * <p><b>The scratch rule.</b> Socket calls are made by virtual threads that a loop carries, between
 * which the loop runs other connections' code. A scratch made lazily on a thread's first call lets
 * that call park (native allocation takes locks and may wait for the GC) in the middle of a write
 * whose gather array the loop then reuses for another connection; a scratch shared between sockets
 * would be overwritten by the other connection if a call ever parked. So a socket's scratch exists
 * before its first call, a call allocates no native memory, and no scratch is shared between
 * sockets: nothing in a socket call can yield, and nothing it uses can change under it. The errno
 * segment is per socket for the same reason: one thread at a time uses a socket (its loop thread, or
 * the one virtual thread that loop carries for it), and no yield can come between a call and the
 * read of the errno it captured, so no other call can overwrite that errno in between.
 *
 * <p>Allocated from an automatic arena: freed by the GC with its socket. Loop thread only, like the
 * socket; the cold calls of the backend (listen, connect, accept) make their own.
 */
final class SocketScratch {
    /**
     * iovecs per gather write: 16 of the loop's 16 KiB chunks are 256 KiB per call, more than a
     * socket's send buffer usually takes at once; what is left goes in the next call.
     */
    static final int IOV_COUNT = 16;

    final MemorySegment errno;
    final MemorySegment iovecs;
    final MemorySegment msghdr;
    final MemorySegment sockaddr;
    final MemorySegment socklen;
    final MemorySegment intValue;

    /** All of it in one block: one allocation (and one cleaner) per socket. */
    private static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(IOV_COUNT, SocketCalls.IOVEC).withName("iovecs"),
            SocketCalls.MSGHDR.withName("msghdr"),
            MemoryLayout.sequenceLayout(SocketCalls.SOCKADDR_STORAGE_SIZE, JAVA_BYTE).withName("sockaddr"),
            JAVA_LONG.withName("socklen"),
            JAVA_LONG.withName("intValue"),
            Native.CAPTURE_LAYOUT.withName("errno"));

    SocketScratch() {
        MemorySegment block = Arena.ofAuto().allocate(LAYOUT);
        iovecs = slice(block, "iovecs");
        msghdr = slice(block, "msghdr");
        msghdr.set(JAVA_LONG, SocketCalls.MSG_IOV_OFFSET, iovecs.address());
        sockaddr = slice(block, "sockaddr");
        socklen = slice(block, "socklen");
        intValue = slice(block, "intValue");
        errno = slice(block, "errno");
    }

    private static MemorySegment slice(MemorySegment block, String member) {
        MemoryLayout.PathElement path = MemoryLayout.PathElement.groupElement(member);
        return block.asSlice(LAYOUT.byteOffset(path), LAYOUT.select(path));
    }

    /** Direct buffers whose base address is known, held weakly; see {@link #address}. */
    private final WeakReference<?>[] knownBuffers = new WeakReference<?>[ADDRESS_CACHE];
    private final WeakReference<?>[] knownScopes = new WeakReference<?>[ADDRESS_CACHE];
    private final long[] knownBases = new long[ADDRESS_CACHE];
    private int nextVictim;
    private static final int ADDRESS_CACHE = 4;

    /**
     * The address of {@code direct}'s position, for an iovec. {@code MemorySegment.ofBuffer} allocates
     * a segment and a scope per call, so the base addresses of the few buffers a socket meets (its
     * loop's read buffer, the pooled outbound chunks it is writing) are kept in a small cache,
     * searched whole and refilled round-robin. The cache holds each buffer and its segment's scope
     * weakly: it keeps no buffer alive, and once the GC takes a scope object (a plain direct
     * buffer's is made per {@code ofBuffer} call) the next call looks the address up again. An entry
     * is used only while its scope is alive, so a buffer whose arena was closed is refused, never read
     * into or sent from freed memory.
     *
     * @throws IllegalStateException if {@code direct} belongs to a closed arena
     */
    long address(ByteBuffer direct) {
        for (int i = 0; i < ADDRESS_CACHE; i++) {
            WeakReference<?> known = knownBuffers[i];
            if (known != null && known.get() == direct && knownScopes[i].get() instanceof MemorySegment.Scope scope
                    && scope.isAlive()) {
                return knownBases[i] + direct.position();
            }
        }
        MemorySegment segment = MemorySegment.ofBuffer(direct);
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the buffer's arena is closed: " + direct);
        }
        int slot = nextVictim;
        nextVictim = (slot + 1) & (ADDRESS_CACHE - 1);
        knownBuffers[slot] = new WeakReference<>(direct);
        knownScopes[slot] = new WeakReference<>(segment.scope());
        knownBases[slot] = segment.address() - direct.position();
        return segment.address();
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
