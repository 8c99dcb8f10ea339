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
 * @param closeTimeout the longest {@link TcpConnection#close()} waits for the queued writes to reach
 *     the kernel before it gives up and resets the connection (default 30 s; must be positive)
 * @param lingerTimeout after a graceful close has sent FIN, the longest it reads and discards input
 *     before closing the socket, so unread input does not make the kernel reset responses the peer
 *     has not read yet (nginx's {@code lingering_close}; default 2 s; zero closes at once)
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
        int maxInboundBuffer,
        Duration closeTimeout,
        Duration lingerTimeout) {

    /** Validates the options; each failure says which option and what is allowed. */
    public TcpOptions {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        Objects.requireNonNull(lingerTimeout, "lingerTimeout");
        if (closeTimeout.isNegative() || closeTimeout.isZero()) {
            throw new IllegalArgumentException("closeTimeout must be > 0 (use abort() to close at once), got " + closeTimeout);
        }
        if (lingerTimeout.isNegative()) {
            throw new IllegalArgumentException("lingerTimeout must be >= 0 (0 = no lingering), got " + lingerTimeout);
        }
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
        return new TcpOptions(true, true, false, 1024, 0, 0, Duration.ZERO, 64 * 1024, 32 * 1024, 1024 * 1024,
                Duration.ofSeconds(30), Duration.ofSeconds(2));
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

    /** With this bound on how long {@link TcpConnection#close()} waits to flush (positive). */
    public TcpOptions withCloseTimeout(Duration value) {
        return with(m -> m.closeTimeout = value);
    }

    /** With this bound on the input drain after a graceful close's FIN (zero for none). */
    public TcpOptions withLingerTimeout(Duration value) {
        return with(m -> m.lingerTimeout = value);
    }

    private TcpOptions with(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return new TcpOptions(copy.noDelay, copy.reuseAddress, copy.keepAlive, copy.backlog, copy.receiveBufferSize,
                copy.sendBufferSize, copy.idleTimeout, copy.writeHighWatermark, copy.writeLowWatermark,
                copy.maxInboundBuffer, copy.closeTimeout, copy.lingerTimeout);
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
        Duration closeTimeout;
        Duration lingerTimeout;

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
            closeTimeout = o.closeTimeout;
            lingerTimeout = o.lingerTimeout;
        }
    }
}
