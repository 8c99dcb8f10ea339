package io.weft.samples.kv;

import io.weft.loop.vthreads.Carrier;
import java.time.Duration;
import java.util.Objects;

/**
 * How the kv server serves.
 *
 * @param limits what one request may claim
 * @param idleTimeout close a connection that sends nothing this long; zero for never (Redis's default)
 * @param carrier what carries the connection threads; {@link Carrier#LOOP} unless asked otherwise
 * @param sweepInterval how often expired keys are removed for good (reads ignore them at once)
 * @param maxRequestBytes the most one request may hold while it is read (Redis's {@code
 *     client-query-buffer-limit}); past it the request is refused and its connection closed
 * @param maxQueryMemory the most all requests being read may hold together; a request that would
 *     pass it is refused and its connection closed, the others go on
 */
public record KvConfig(RespLimits limits, Duration idleTimeout, Carrier carrier, Duration sweepInterval,
        long maxRequestBytes, long maxQueryMemory) {
    /** The default of {@link #maxRequestBytes()}: 128 MiB, two bulk strings of the default limit. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 128L << 20;

    /** Checks the values. */
    public KvConfig {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(carrier, "carrier");
        Objects.requireNonNull(sweepInterval, "sweepInterval");
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must be >= 0, got " + idleTimeout);
        }
        if (sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("sweepInterval must be > 0, got " + sweepInterval);
        }
        if (maxRequestBytes < 1 || maxQueryMemory < 1) {
            throw new IllegalArgumentException("maxRequestBytes and maxQueryMemory must be >= 1, got " + maxRequestBytes
                    + " and " + maxQueryMemory);
        }
    }

    /**
     * Default limits, no idle timeout, the loop carrier, a sweep every second, 128 MiB per request
     * and a quarter of the JVM's maximum heap for all requests being read.
     */
    public static KvConfig defaults() {
        return new KvConfig(RespLimits.defaults(), Duration.ZERO, Carrier.LOOP, Duration.ofSeconds(1),
                DEFAULT_MAX_REQUEST_BYTES, Runtime.getRuntime().maxMemory() / 4);
    }

    /** The same with other query memory bounds. */
    public KvConfig withQueryMemory(long perRequest, long total) {
        return new KvConfig(limits, idleTimeout, carrier, sweepInterval, perRequest, total);
    }

    /** The same with other limits. */
    public KvConfig withLimits(RespLimits value) {
        return new KvConfig(value, idleTimeout, carrier, sweepInterval, maxRequestBytes, maxQueryMemory);
    }

    /** The same with another idle timeout. */
    public KvConfig withIdleTimeout(Duration value) {
        return new KvConfig(limits, value, carrier, sweepInterval, maxRequestBytes, maxQueryMemory);
    }

    /** The same with another carrier. */
    public KvConfig withCarrier(Carrier value) {
        return new KvConfig(limits, idleTimeout, value, sweepInterval, maxRequestBytes, maxQueryMemory);
    }
}
