package io.weft.loop.core.net;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Socket and connection options; immutable, built with the {@code with...} methods from {@link
 * #defaults()}.
 *
 * @param noDelay TCP_NODELAY (default true: latency over batching, the loop batches writes itself)
 * @param reuseAddress SO_REUSEADDR on listeners (default true)
 * @param keepAlive SO_KEEPALIVE (default false)
 * @param backlog the listen backlog (default 1024)
 * @param receiveBufferSize SO_RCVBUF in bytes, 0 for the OS default
 * @param sendBufferSize SO_SNDBUF in bytes, 0 for the OS default
 * @param idleTimeout close a connection that reads and writes nothing for this long; zero for never
 * @param writeHighWatermark queued bytes above which the connection reports itself unwritable
 * @param writeLowWatermark queued bytes below which it reports itself writable again
 * @param maxInboundBuffer the most unconsumed inbound bytes a connection keeps for its handler
 */
public record TcpOptions(
        boolean noDelay,
        boolean reuseAddress,
        boolean keepAlive,
        int backlog,
        int receiveBufferSize,
        int sendBufferSize,
        Duration idleTimeout,
        int writeHighWatermark,
        int writeLowWatermark,
        int maxInboundBuffer) {

    /** Validates the options; each failure says which option and what is allowed. */
    public TcpOptions {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1, got " + backlog);
        }
        if (receiveBufferSize < 0 || sendBufferSize < 0) {
            throw new IllegalArgumentException("buffer sizes must be >= 0 (0 = OS default)");
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must be >= 0 (0 = none), got " + idleTimeout);
        }
        if (writeLowWatermark < 0 || writeHighWatermark <= writeLowWatermark) {
            throw new IllegalArgumentException("watermarks must satisfy 0 <= low < high, got low="
                    + writeLowWatermark + " high=" + writeHighWatermark);
        }
        if (maxInboundBuffer < 1024) {
            throw new IllegalArgumentException("maxInboundBuffer must be >= 1024, got " + maxInboundBuffer);
        }
    }

    /** The defaults described on each component. */
    public static TcpOptions defaults() {
        return new TcpOptions(true, true, false, 1024, 0, 0, Duration.ZERO, 64 * 1024, 32 * 1024, 1024 * 1024);
    }

    /** With TCP_NODELAY set as given. */
    public TcpOptions withNoDelay(boolean on) {
        return with(m -> m.noDelay = on);
    }

    /** With SO_REUSEADDR set as given. */
    public TcpOptions withReuseAddress(boolean on) {
        return with(m -> m.reuseAddress = on);
    }

    /** With SO_KEEPALIVE set as given. */
    public TcpOptions withKeepAlive(boolean on) {
        return with(m -> m.keepAlive = on);
    }

    /** With this listen backlog. */
    public TcpOptions withBacklog(int value) {
        return with(m -> m.backlog = value);
    }

    /** With these SO_RCVBUF and SO_SNDBUF sizes (0 = OS default). */
    public TcpOptions withBufferSizes(int receive, int send) {
        return with(m -> {
            m.receiveBufferSize = receive;
            m.sendBufferSize = send;
        });
    }

    /** With this idle timeout (zero for none). */
    public TcpOptions withIdleTimeout(Duration value) {
        return with(m -> m.idleTimeout = value);
    }

    /** With these write watermarks, in bytes. */
    public TcpOptions withWriteWatermarks(int low, int high) {
        return with(m -> {
            m.writeLowWatermark = low;
            m.writeHighWatermark = high;
        });
    }

    /** With this limit on unconsumed inbound bytes. */
    public TcpOptions withMaxInboundBuffer(int bytes) {
        return with(m -> m.maxInboundBuffer = bytes);
    }

    private TcpOptions with(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return new TcpOptions(copy.noDelay, copy.reuseAddress, copy.keepAlive, copy.backlog, copy.receiveBufferSize,
                copy.sendBufferSize, copy.idleTimeout, copy.writeHighWatermark, copy.writeLowWatermark,
                copy.maxInboundBuffer);
    }

    /** The components as mutable fields, so each {@code with...} method changes only its own. */
    private static final class Copy {
        boolean noDelay;
        boolean reuseAddress;
        boolean keepAlive;
        int backlog;
        int receiveBufferSize;
        int sendBufferSize;
        Duration idleTimeout;
        int writeHighWatermark;
        int writeLowWatermark;
        int maxInboundBuffer;

        Copy(TcpOptions o) {
            noDelay = o.noDelay;
            reuseAddress = o.reuseAddress;
            keepAlive = o.keepAlive;
            backlog = o.backlog;
            receiveBufferSize = o.receiveBufferSize;
            sendBufferSize = o.sendBufferSize;
            idleTimeout = o.idleTimeout;
            writeHighWatermark = o.writeHighWatermark;
            writeLowWatermark = o.writeLowWatermark;
            maxInboundBuffer = o.maxInboundBuffer;
        }
    }
}
