package io.weft.samples.kv;

/**
 * How much one request may claim before the server refuses it.
 *
 * @param maxBulkBytes the longest bulk string (a key or a value); at most {@link #BULK_CEILING}
 * @param maxArrayElements the most arguments in one multibulk request
 * @param maxLineBytes the longest inline request or {@code *}/{@code $} header line
 */
public record RespLimits(int maxBulkBytes, int maxArrayElements, int maxLineBytes) {
    /** RESP2's own ceiling for a bulk string: 512 MiB (the Redis protocol spec, "Bulk strings"). */
    public static final int BULK_CEILING = 512 * 1024 * 1024;

    /** Checks the ranges. */
    public RespLimits {
        if (maxBulkBytes < 0 || maxBulkBytes > BULK_CEILING) {
            throw new IllegalArgumentException("maxBulkBytes must be 0.." + BULK_CEILING + ", got " + maxBulkBytes);
        }
        if (maxArrayElements < 1) {
            throw new IllegalArgumentException("maxArrayElements must be >= 1, got " + maxArrayElements);
        }
        if (maxLineBytes < 16) {
            throw new IllegalArgumentException("maxLineBytes must be >= 16, got " + maxLineBytes);
        }
    }

    /** 64 MiB bulk strings, 1M (1024 * 1024) arguments, 64 KiB lines. */
    public static RespLimits defaults() {
        return new RespLimits(64 * 1024 * 1024, 1024 * 1024, 64 * 1024);
    }

    /** The same with another bulk string limit. */
    public RespLimits withMaxBulkBytes(int bytes) {
        return new RespLimits(bytes, maxArrayElements, maxLineBytes);
    }
}
