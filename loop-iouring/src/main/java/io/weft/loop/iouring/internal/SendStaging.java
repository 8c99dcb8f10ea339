package io.weft.loop.iouring.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The native memory sends are made from: a socket copies what it is asked to write into a block of
 * {@link #SIZE} bytes, and an {@code IORING_OP_SEND} reads it there, since the caller's buffers go
 * back to their pool as soon as the write returns. A socket takes a block on its first write and
 * gives it back once everything in it was sent (after the kernel's completion, never before), so an
 * idle connection holds none. Per loop; loop thread only.
 *
 * <p>Blocks come from automatic arenas: the pool keeps up to {@link #KEPT} free ones, and the GC
 * frees the rest. Taking and giving back allocates nothing once the pool is warm.
 */
final class SendStaging {
    /** Bytes per block: four of the loop's 16 KiB outbound chunks. */
    static final int SIZE = 64 * 1024;
    private static final int KEPT = 64;

    /** One block: its memory, a buffer view to copy into, and its address for the SQE. */
    static final class Block {
        final MemorySegment memory;
        final ByteBuffer view;
        final long address;

        private Block(MemorySegment memory) {
            this.memory = memory;
            this.view = memory.asByteBuffer();
            this.address = memory.address();
        }
    }

    private final ArrayDeque<Block> free = new ArrayDeque<>(KEPT);

    /** A free block, new if the pool is empty. */
    Block take() {
        Block block = free.pollLast();
        return block != null ? block : new Block(Arena.ofAuto().allocate(SIZE, 64));
    }

    /** Gives back a block whose send has completed; kept if the pool has room, else left to the GC. */
    void give(Block block) {
        if (free.size() < KEPT) {
            free.addLast(block);
        }
    }
}
