package io.weft.loop.core.net;

import io.weft.loop.core.spi.SocketHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A connection's queued writes: bytes copied into pooled direct chunks, flushed with one gather
 * write of up to {@link NetLoopState#MAX_GATHER} chunks. Each chunk is in read mode: its bytes to
 * send lie between position and limit, and appending writes past the limit. Loop thread only.
 */
final class OutboundBuffer {
    private final NetLoopState net;
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>(4);
    private long queued;

    OutboundBuffer(NetLoopState net) {
        this.net = net;
    }

    long queuedBytes() {
        return queued;
    }

    boolean isEmpty() {
        return queued == 0;
    }

    /** Copies the remaining bytes of {@code src} in, consuming them. */
    void append(ByteBuffer src) {
        int length = src.remaining();
        ByteBuffer tail = chunks.peekLast();
        while (src.hasRemaining()) {
            if (tail == null || tail.limit() == tail.capacity()) {
                tail = net.takeChunk();
                chunks.addLast(tail);
            }
            int start = tail.limit();
            int n = Math.min(tail.capacity() - start, src.remaining());
            tail.limit(start + n);
            tail.put(start, src, src.position(), n);
            src.position(src.position() + n);
        }
        queued += length;
    }

    /** Writes as much as the socket takes; returns the bytes written. */
    long writeTo(SocketHandle socket) throws IOException {
        ByteBuffer[] gather = net.gather;
        int count = 0;
        for (ByteBuffer chunk : chunks) {
            if (count == gather.length) {
                break;
            }
            gather[count++] = chunk;
        }
        long written;
        try {
            written = count == 0 ? 0 : socket.write(gather, 0, count);
        } finally {
            Arrays.fill(gather, 0, count, null);
        }
        queued -= written;
        // Written chunks go back to the loop's pool at once, so an idle connection holds no buffer.
        while (!chunks.isEmpty() && !chunks.peekFirst().hasRemaining()) {
            net.giveChunk(chunks.pollFirst());
        }
        return written;
    }

    /** Returns every chunk to the pool and forgets what was queued. */
    void release() {
        for (ByteBuffer chunk : chunks) {
            net.giveChunk(chunk);
        }
        chunks.clear();
        queued = 0;
    }
}
