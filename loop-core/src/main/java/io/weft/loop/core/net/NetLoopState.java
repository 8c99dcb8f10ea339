package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.internal.LoopLocals;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The buffers TCP connections of one loop share: one direct read buffer, a pool of direct
 * outbound chunks and the array gather writes are assembled in. Loop thread only, so nothing here
 * is synchronised, and steady-state reads and writes allocate nothing.
 */
final class NetLoopState {
    static final int READ_BUFFER_SIZE = 64 * 1024;
    static final int CHUNK_SIZE = 16 * 1024;
    static final int MAX_POOLED_CHUNKS = 256;
    static final int MAX_GATHER = 64;

    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();

    static NetLoopState of(EventLoop loop) {
        return LoopLocals.get(loop, NetLoopState.class, ignored -> new NetLoopState());
    }

    /** An empty chunk in read mode (position = limit = 0), ready to be appended to. */
    ByteBuffer takeChunk() {
        ByteBuffer chunk = pool.pollLast();
        if (chunk == null) {
            chunk = ByteBuffer.allocateDirect(CHUNK_SIZE);
        }
        chunk.clear().limit(0);
        return chunk;
    }

    void giveChunk(ByteBuffer chunk) {
        if (pool.size() < MAX_POOLED_CHUNKS) {
            pool.addLast(chunk);
        }
    }
}
