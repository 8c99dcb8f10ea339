package io.weft.bench.harness;

import java.nio.ByteBuffer;

/**
 * Counts requests in a byte stream, a request being anything that ends with {@code \r\n\r\n}.
 * The bench servers answer one fixed response per request; this is all the "parsing" they do.
 *
 * <p>The matching state survives between calls, so a terminator split across reads (at any byte)
 * is still found exactly once. One instance per connection; not thread-safe.
 */
final class RequestCounter {
    /** How many bytes of {@code \r\n\r\n} the stream currently ends with (0..3). */
    private int matched;

    /** Counts the requests that end in {@code data}'s remaining bytes and consumes them all. */
    int count(ByteBuffer data) {
        int requests = 0;
        int m = matched;
        for (int i = data.position(), limit = data.limit(); i < limit; i++) {
            m = next(m, data.get(i));
            if (m == 4) {
                requests++;
                m = 0;
            }
        }
        matched = m;
        data.position(data.limit());
        return requests;
    }

    /** Counts the requests that end in {@code bytes[offset, offset + length)}. */
    int count(byte[] bytes, int offset, int length) {
        int requests = 0;
        int m = matched;
        for (int i = offset, end = offset + length; i < end; i++) {
            m = next(m, bytes[i]);
            if (m == 4) {
                requests++;
                m = 0;
            }
        }
        matched = m;
        return requests;
    }

    /**
     * Feeds one byte; true when it completes a request. Lets Netty's {@code ByteBuf.forEachByte}
     * drive the same state machine without copying.
     */
    boolean feed(byte b) {
        int m = next(matched, b);
        if (m == 4) {
            matched = 0;
            return true;
        }
        matched = m;
        return false;
    }

    // \r\n\r\n: a '\r' in the wrong place restarts the match at 1 (it may begin a terminator),
    // anything else that does not continue the match restarts it at 0.
    private static int next(int matched, byte b) {
        if (b == '\r') {
            return (matched == 0 || matched == 2) ? matched + 1 : 1;
        }
        if (b == '\n') {
            return (matched == 1 || matched == 3) ? matched + 1 : 0;
        }
        return 0;
    }
}
