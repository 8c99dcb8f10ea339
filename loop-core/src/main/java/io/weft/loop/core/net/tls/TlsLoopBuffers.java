package io.weft.loop.core.net.tls;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.internal.LoopLocals;
import java.nio.ByteBuffer;

/**
 * What the TLS connections of one loop share: its {@link TlsStats}, and scratch buffers: one for
 * plaintext an engine unwraps, one for the records it wraps (several at a time: a handshake flight,
 * or two full records, leave in one TCP write), and one that gathers the plaintext a handler writes
 * during one {@code onRead} call, so that its writes leave as one record instead of one record each.
 * Each buffer is used only while one engine call or one handler callback runs, never across a
 * yield, so an idle connection holds no buffer of its own, and one reference reaches all of it.
 * Loop thread only.
 */
final class TlsLoopBuffers {
    /** Larger than any record's plaintext and any record (the JDK's sizes are about 16.7 KiB). */
    static final int SIZE = 34 * 1024;

    final ByteBuffer plaintext = ByteBuffer.allocate(SIZE);
    final ByteBuffer records = ByteBuffer.allocate(SIZE);
    /** The most plaintext one TLS record holds (RFC 8446 section 5.1; the same in TLS 1.2). */
    final ByteBuffer writes = ByteBuffer.allocate(16 * 1024);
    /** Whether {@link #writes} gathers a handler's writes now. */
    boolean gathering;
    /** The loop's TLS counters. */
    final TlsStats stats;

    private TlsLoopBuffers(TlsStats stats) {
        this.stats = stats;
    }

    static TlsLoopBuffers of(EventLoop loop) {
        TlsStats stats = TlsStats.of(loop); // not inside the factory: the map must not change while it computes
        return LoopLocals.get(loop, TlsLoopBuffers.class, ignored -> new TlsLoopBuffers(stats));
    }
}
