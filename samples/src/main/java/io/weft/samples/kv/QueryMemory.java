package io.weft.samples.kv;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The memory that requests being read may hold, bounded per request (Redis's {@code
 * client-query-buffer-limit}) and in total over every connection. A reader reserves each bulk
 * string's claimed length (plus a per-argument overhead) before reading it and releases the lot
 * once the request is done, so a request that would pass a bound is refused before its bytes
 * arrive, and unfinished requests on many connections cannot together take more than the total.
 *
 * <p>Thread-safe: every connection of a server shares one.
 */
public final class QueryMemory {
    /** What one argument costs beyond its bytes: the array header and the list slot. */
    static final long ARGUMENT_OVERHEAD = 24;

    private final long maxRequestBytes;
    private final long maxTotalBytes;
    private final AtomicLong used = new AtomicLong();
    private final LongAdder refused = new LongAdder();

    /** Bounds of {@code maxRequestBytes} per request and {@code maxTotalBytes} over all requests being read. */
    public QueryMemory(long maxRequestBytes, long maxTotalBytes) {
        if (maxRequestBytes < 1 || maxTotalBytes < 1) {
            throw new IllegalArgumentException("query memory bounds must be >= 1, got " + maxRequestBytes + " per request and "
                    + maxTotalBytes + " in total");
        }
        this.maxRequestBytes = maxRequestBytes;
        this.maxTotalBytes = maxTotalBytes;
    }

    /**
     * Reserves {@code bytes} more for a request that already holds {@code heldByRequest}.
     *
     * @throws RespProtocolException (and counts a refusal) if the request or the total would pass its bound
     */
    void reserve(long bytes, long heldByRequest) throws RespProtocolException {
        if (heldByRequest + bytes > maxRequestBytes) {
            refused.increment();
            throw new RespProtocolException("request bigger than the query buffer limit of " + maxRequestBytes + " bytes");
        }
        if (used.addAndGet(bytes) > maxTotalBytes) {
            used.addAndGet(-bytes);
            refused.increment();
            throw new RespProtocolException("the server's query memory (" + maxTotalBytes + " bytes) is taken by other requests");
        }
    }

    /** Gives back what {@link #reserve} took. */
    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** The bytes reserved now by requests being read, over every connection; never above {@link #maxTotalBytes()}. */
    public long used() {
        return used.get();
    }

    /** How many requests were refused for passing a bound. */
    public long refused() {
        return refused.sum();
    }

    /** The bound per request. */
    public long maxRequestBytes() {
        return maxRequestBytes;
    }

    /** The bound over all requests being read. */
    public long maxTotalBytes() {
        return maxTotalBytes;
    }
}
