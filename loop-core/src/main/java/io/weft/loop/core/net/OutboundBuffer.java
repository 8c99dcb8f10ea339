package io.weft.loop.core.net;

import io.weft.loop.core.net.spi.SocketHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A connection's queued writes: bytes copied into pooled direct chunks, flushed with one gather
 * write of up to {@link NetLoopState#MAX_GATHER} chunks. Each chunk is in read mode: its bytes to
 * send lie between position and limit, and appending writes past the limit. Writes that asked for
 * a {@link WriteCompletion} are remembered by where their last byte lies in the stream, so a flush
 * can tell which are done; writes that did not ask cost nothing. Loop thread only.
 */
final class OutboundBuffer {
    private final NetLoopState net;
    /** A ring of chunks, oldest first: indexes, not an iterator, so flushing allocates nothing. */
    private ByteBuffer[] chunks = new ByteBuffer[4];
    private int head;
    private int count;
    private long queued;
    /** Bytes ever appended and ever written: stream offsets, so completions need no per-chunk state. */
    private long appended;
    private long written;
    /** A ring of completions, oldest first, each with the stream offset its write ends at; made on first use. */
    private WriteCompletion[] completions;
    private long[] completionEnds;
    private int completionHead;
    private int completionCount;

    OutboundBuffer(NetLoopState net) {
        this.net = net;
    }

    long queuedBytes() {
        return queued;
    }

    boolean isEmpty() {
        return queued == 0;
    }

    private ByteBuffer chunk(int i) {
        return chunks[(head + i) & (chunks.length - 1)];
    }

    private void addLast(ByteBuffer chunk) {
        if (count == chunks.length) {
            ByteBuffer[] bigger = new ByteBuffer[count * 2];
            for (int i = 0; i < count; i++) {
                bigger[i] = chunk(i);
            }
            chunks = bigger;
            head = 0;
        }
        chunks[(head + count++) & (chunks.length - 1)] = chunk;
    }

    private ByteBuffer pollFirst() {
        ByteBuffer first = chunks[head];
        chunks[head] = null;
        head = (head + 1) & (chunks.length - 1);
        count--;
        return first;
    }

    /** Copies the remaining bytes of {@code src} in, consuming them. */
    void append(ByteBuffer src) {
        int length = src.remaining();
        ByteBuffer tail = count == 0 ? null : chunk(count - 1);
        while (src.hasRemaining()) {
            if (tail == null || tail.limit() == tail.capacity()) {
                tail = net.takeChunk();
                addLast(tail);
            }
            int start = tail.limit();
            int n = Math.min(tail.capacity() - start, src.remaining());
            tail.limit(start + n);
            tail.put(start, src, src.position(), n);
            src.position(src.position() + n);
        }
        queued += length;
        appended += length;
    }

    /** Remembers {@code completion} for the bytes appended so far: done once they are all written. */
    void whenWritten(WriteCompletion completion) {
        if (completions == null) {
            completions = new WriteCompletion[4];
            completionEnds = new long[4];
        } else if (completionCount == completions.length) {
            WriteCompletion[] bigger = new WriteCompletion[completionCount * 2];
            long[] biggerEnds = new long[completionCount * 2];
            for (int i = 0; i < completionCount; i++) {
                int at = (completionHead + i) & (completions.length - 1);
                bigger[i] = completions[at];
                biggerEnds[i] = completionEnds[at];
            }
            completions = bigger;
            completionEnds = biggerEnds;
            completionHead = 0;
        }
        int at = (completionHead + completionCount++) & (completions.length - 1);
        completions[at] = completion;
        completionEnds[at] = appended;
    }

    /** Whether some write waits for its completion. */
    boolean awaitsCompletion() {
        return completionCount > 0;
    }

    /** The oldest completion whose bytes are all written, removed; null if there is none. */
    WriteCompletion pollWritten() {
        if (completionCount == 0 || completionEnds[completionHead] > written) {
            return null;
        }
        return pollCompletion();
    }

    /** The oldest completion still waiting, written or not, removed; null if there is none. */
    WriteCompletion pollCompletion() {
        if (completionCount == 0) {
            return null;
        }
        WriteCompletion first = completions[completionHead];
        completions[completionHead] = null;
        completionHead = (completionHead + 1) & (completions.length - 1);
        completionCount--;
        return first;
    }

    /** Writes as much as the socket takes; returns the bytes written. */
    long writeTo(SocketHandle socket) throws IOException {
        ByteBuffer[] gather = net.gather;
        int n = Math.min(count, gather.length);
        for (int i = 0; i < n; i++) {
            gather[i] = chunk(i);
        }
        long written;
        try {
            written = n == 0 ? 0 : socket.write(gather, 0, n);
        } finally {
            Arrays.fill(gather, 0, n, null);
        }
        queued -= written;
        this.written += written;
        // Written chunks go back to the loop's pool at once, so an idle connection holds no buffer.
        while (count > 0 && !chunks[head].hasRemaining()) {
            net.giveChunk(pollFirst());
        }
        return written;
    }

    /** Returns every chunk to the pool and forgets what was queued (not the completions: poll them). */
    void release() {
        while (count > 0) {
            net.giveChunk(pollFirst());
        }
        queued = 0;
    }
}
