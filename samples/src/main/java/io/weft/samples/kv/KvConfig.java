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
 */
public record KvConfig(RespLimits limits, Duration idleTimeout, Carrier carrier, Duration sweepInterval) {

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
    }

    /** Default limits, no idle timeout, the loop carrier, a sweep every second. */
    public static KvConfig defaults() {
        return new KvConfig(RespLimits.defaults(), Duration.ZERO, Carrier.LOOP, Duration.ofSeconds(1));
    }

    /** The same with other limits. */
    public KvConfig withLimits(RespLimits value) {
        return new KvConfig(value, idleTimeout, carrier, sweepInterval);
    }

    /** The same with another idle timeout. */
    public KvConfig withIdleTimeout(Duration value) {
        return new KvConfig(limits, value, carrier, sweepInterval);
    }

    /** The same with another carrier. */
    public KvConfig withCarrier(Carrier value) {
        return new KvConfig(limits, idleTimeout, value, sweepInterval);
    }
}
