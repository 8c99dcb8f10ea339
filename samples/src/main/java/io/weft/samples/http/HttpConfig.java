package io.weft.samples.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timeouts of the sample HTTP server; immutable.
 *
 * @param idleTimeout close a connection that reads and writes nothing for this long (zero: never);
 *     also the most time a request head may take to arrive, so a client that drips a head one
 *     byte at a time cannot hold a connection forever
 * @param maxRequestLine the longest request line, in bytes, without its line ending (414 or 400 past it)
 * @param maxHeaderBytes the largest header block, in bytes, after the request line (431 past it)
 * @param maxHeaderCount the most header fields in one request (431 past it)
 * @param maxBodyBytes the largest {@code Content-Length} accepted (413 past it); bodies are read and discarded
 * @param lingerTimeout after a response that ends the connection, how long to keep reading and
 *     discarding what the client still sends before closing, so that closing with unread input
 *     does not reset the connection before the client has read the response
 * @param minBodyRate the slowest a request body may arrive, in bytes per second, once {@code
 *     bodyRateGrace} has passed since its head; a slower body is answered 408 and the connection
 *     closed (0: no minimum). A body that stops entirely is ended by the idle timeout.
 * @param bodyRateGrace how long a body may take before {@code minBodyRate} applies
 */
public record HttpConfig(
        Duration idleTimeout,
        int maxRequestLine,
        int maxHeaderBytes,
        int maxHeaderCount,
        long maxBodyBytes,
        Duration lingerTimeout,
        long minBodyRate,
        Duration bodyRateGrace) {

    /** Validates each limit; a failure names the limit. */
    public HttpConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(lingerTimeout, "lingerTimeout");
        Objects.requireNonNull(bodyRateGrace, "bodyRateGrace");
        if (minBodyRate < 0 || bodyRateGrace.isNegative()) {
            throw new IllegalArgumentException("minBodyRate and bodyRateGrace must be >= 0, got " + minBodyRate + " and "
                    + bodyRateGrace);
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must be >= 0 (0 = none), got " + idleTimeout);
        }
        if (lingerTimeout.isNegative() || lingerTimeout.isZero()) {
            throw new IllegalArgumentException("lingerTimeout must be > 0, got " + lingerTimeout);
        }
        if (maxRequestLine < 16 || maxHeaderBytes < 16 || maxHeaderCount < 1 || maxBodyBytes < 0) {
            throw new IllegalArgumentException("limits too small: maxRequestLine=" + maxRequestLine
                    + " maxHeaderBytes=" + maxHeaderBytes + " maxHeaderCount=" + maxHeaderCount
                    + " maxBodyBytes=" + maxBodyBytes);
        }
    }

    /**
     * 30 s idle timeout, 8 KiB request line, 16 KiB and 100 header fields, 64 MiB body, 2 s linger,
     * bodies at 240 bytes/s at least after a 5 s grace (the minimum ASP.NET Kestrel applies).
     */
    public static HttpConfig defaults() {
        return new HttpConfig(Duration.ofSeconds(30), 8 * 1024, 16 * 1024, 100, 64L << 20, Duration.ofSeconds(2),
                240, Duration.ofSeconds(5));
    }

    /**
     * When a body that began at {@code startNanos} and has brought {@code bytes} so far becomes too
     * slow: {@link #minBodyRate()} applies once {@link #bodyRateGrace()} has passed, so the deadline
     * is the later of the grace's end and the time those bytes would take at the minimum rate. Only
     * meaningful when {@code minBodyRate() > 0}.
     */
    long bodyDeadlineNanos(long startNanos, long bytes) {
        return startNanos + Math.max(bodyRateGrace.toNanos(), (long) (bytes * 1e9 / minBodyRate));
    }

    /** With this minimum body rate (0: none) applying after {@code grace}. */
    public HttpConfig withMinBodyRate(long bytesPerSecond, Duration grace) {
        return new HttpConfig(idleTimeout, maxRequestLine, maxHeaderBytes, maxHeaderCount, maxBodyBytes, lingerTimeout,
                bytesPerSecond, grace);
    }

    /** With this idle timeout (zero for none). */
    public HttpConfig withIdleTimeout(Duration value) {
        return new HttpConfig(value, maxRequestLine, maxHeaderBytes, maxHeaderCount, maxBodyBytes, lingerTimeout,
                minBodyRate, bodyRateGrace);
    }

    /** With these head limits. */
    public HttpConfig withHeadLimits(int requestLine, int headerBytes, int headerCount) {
        return new HttpConfig(idleTimeout, requestLine, headerBytes, headerCount, maxBodyBytes, lingerTimeout,
                minBodyRate, bodyRateGrace);
    }

    /** With this body limit. */
    public HttpConfig withMaxBodyBytes(long value) {
        return new HttpConfig(idleTimeout, maxRequestLine, maxHeaderBytes, maxHeaderCount, value, lingerTimeout,
                minBodyRate, bodyRateGrace);
    }
}
