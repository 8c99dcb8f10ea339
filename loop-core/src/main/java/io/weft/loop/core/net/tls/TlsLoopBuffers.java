package io.weft.loop.core.net.tls;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.internal.LoopLocals;
import java.nio.ByteBuffer;

/**
 * The scratch buffers the TLS connections of one loop share: one for plaintext an engine unwraps,
 * one for records it wraps. Each is used only while one engine call and the handler callback after
 * it run, never across a yield, so an idle connection holds no buffer of its own. Loop thread only.
 */
final class TlsLoopBuffers {
    /** Larger than any record's plaintext and any record (the JDK's sizes are about 16.7 KiB). */
    static final int SIZE = 34 * 1024;

    final ByteBuffer plaintext = ByteBuffer.allocate(SIZE);
    final ByteBuffer records = ByteBuffer.allocate(SIZE);

    static TlsLoopBuffers of(EventLoop loop) {
        return LoopLocals.get(loop, TlsLoopBuffers.class, ignored -> new TlsLoopBuffers());
    }
}
