package io.weft.loop.iouring.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.weft.loop.epoll.internal.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}, group 0) of one io_uring: {@code count}
 * buffers of {@code size} bytes the kernel picks from for multishot receives, each completion naming
 * the buffer it filled. A buffer is out from that completion until {@link #recycle} gives it back.
 *
 * <p>The ring and the buffers live in the poller's arena, freed after the ring is closed and its
 * requests reaped. Loop thread only. Adding a buffer writes its {@code io_uring_buf} entry, then
 * publishes the ring's tail with a release store, the order the kernel's acquire load pairs with.
 */
final class BufferRing {
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();
    private static final long PAGE = 4096;

    private final Ring ring;
    private final MemorySegment entries;
    private final MemorySegment memory;
    private final ByteBuffer view;
    private final int count;
    private final int size;
    private final int mask;
    private short tail;
    private int out;

    private BufferRing(Ring ring, MemorySegment entries, MemorySegment memory, int count, int size) {
        this.ring = ring;
        this.entries = entries;
        this.memory = memory;
        this.view = memory.asByteBuffer();
        this.count = count;
        this.size = size;
        this.mask = count - 1;
    }

    /**
     * Allocates {@code count} buffers of {@code size} bytes in {@code arena}, registers them with
     * {@code ring} as buffer group 0 and hands every buffer to the kernel.
     *
     * @param count a power of two, 1 to 32768
     * @param size bytes per buffer, 1 to 65536
     * @throws IOException naming {@code io_uring_register} and errno when the kernel refuses
     *     (EINVAL before Linux 5.19)
     */
    static BufferRing register(Ring ring, Arena arena, int count, int size) throws IOException {
        if (Integer.bitCount(count) != 1 || count > 32768 || size < 1 || size > 65536) {
            throw new IllegalArgumentException("count must be a power of two up to 32768 and size 1 to 65536, got "
                    + count + " and " + size);
        }
        MemorySegment entries = arena.allocate(UringLayouts.BUF.byteSize() * count, PAGE);
        MemorySegment memory = arena.allocate((long) count * size, PAGE);
        MemorySegment reg = arena.allocate(UringLayouts.BUF_REG);
        reg.set(JAVA_LONG, 0, entries.address());
        reg.set(JAVA_INT, UringLayouts.BUF_REG_ENTRIES, count);
        int r = ring.register(UringLayouts.REGISTER_PBUF_RING, reg, 1);
        if (r < 0) {
            throw Errno.exception("io_uring_register(IORING_REGISTER_PBUF_RING, " + count + " entries)", -r);
        }
        BufferRing buffers = new BufferRing(ring, entries, memory, count, size);
        for (int bid = 0; bid < count; bid++) {
            buffers.add(bid);
        }
        buffers.publish();
        return buffers;
    }

    /** The buffers not handed out by a completion: the kernel has them, or will at the next publish. */
    int free() {
        return count - out;
    }

    /** A completion handed out buffer {@code bid}. */
    void taken() {
        out++;
    }

    /** Copies {@code length} bytes of buffer {@code bid} from {@code offset} to {@code dst}'s position, advancing it. */
    void copy(int bid, int offset, ByteBuffer dst, int length) {
        int position = dst.position();
        dst.put(position, view, bid * size + offset, length);
        dst.position(position + length);
    }

    /** Gives buffer {@code bid} back to the kernel. */
    void recycle(int bid) {
        out--;
        add(bid);
        publish();
    }

    private void add(int bid) {
        long at = UringLayouts.BUF.byteSize() * (tail & mask);
        entries.set(JAVA_LONG, at, memory.address() + (long) bid * size);
        entries.set(JAVA_INT, at + UringLayouts.BUF_LEN, size);
        entries.set(JAVA_SHORT, at + UringLayouts.BUF_BID, (short) bid);
        tail++;
    }

    private void publish() {
        SHORT.setRelease(entries, UringLayouts.BUF_RING_TAIL, tail);
    }

    /** Unregisters the group; the memory stays until the arena closes. */
    void unregister(Arena arena) {
        MemorySegment reg = arena.allocate(UringLayouts.BUF_REG);
        ring.register(UringLayouts.UNREGISTER_PBUF_RING, reg, 1); // bgid 0; the ring's close frees it anyway
    }
}
