package io.weft.loop.core.net;

import io.weft.loop.core.net.spi.SocketOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Socket and connection options; immutable and thread-safe, made from {@link #defaults()} with the
 * {@code with...} methods, each of which returns a copy with one option changed:
 *
 * {@snippet :
 * TcpOptions options = TcpOptions.defaults().withIdleTimeout(Duration.ofSeconds(30)).withBacklog(4096);
 * }
 *
 * <p><b>Evolution.</b> This is a class, not a record, on purpose: there is no public constructor
 * and no deconstruction pattern, so a new option is a new {@code with...} method and accessor with a
 * default, and no caller has to change.
 *
 * <p>The options and their defaults: {@link #noDelay()} true, {@link #reuseAddress()} true, {@link
 * #reusePort()} false, {@link #keepAlive()} false, {@link #backlog()} 1024, buffer sizes 0 (OS
 * default), {@link #idleTimeout()} zero (none), write watermarks 32 KiB / 64 KiB, {@link
 * #maxInboundBuffer()} 1 MiB, {@link #closeTimeout()} 30 s, {@link #lingerTimeout()} 2 s.
 */
public final class TcpOptions {
    private static final TcpOptions DEFAULTS = new TcpOptions(new Copy());

    private final boolean noDelay;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final boolean keepAlive;
    private final int backlog;
    private final int receiveBufferSize;
    private final int sendBufferSize;
    private final Duration idleTimeout;
    private final int writeHighWatermark;
    private final int writeLowWatermark;
    private final int maxInboundBuffer;
    private final Duration closeTimeout;
    private final Duration lingerTimeout;
    private final SocketOptions socketOptions;

    private TcpOptions(Copy c) {
        Objects.requireNonNull(c.idleTimeout, "idleTimeout");
        Objects.requireNonNull(c.closeTimeout, "closeTimeout");
        Objects.requireNonNull(c.lingerTimeout, "lingerTimeout");
        if (c.closeTimeout.isNegative() || c.closeTimeout.isZero()) {
            throw new IllegalArgumentException("closeTimeout must be > 0 (use abort() to close at once), got " + c.closeTimeout);
        }
        if (c.lingerTimeout.isNegative()) {
            throw new IllegalArgumentException("lingerTimeout must be >= 0 (0 = no lingering), got " + c.lingerTimeout);
        }
        if (c.backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1, got " + c.backlog);
        }
        if (c.receiveBufferSize < 0 || c.sendBufferSize < 0) {
            throw new IllegalArgumentException("buffer sizes must be >= 0 (0 = OS default)");
        }
        if (c.idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must be >= 0 (0 = none), got " + c.idleTimeout);
        }
        if (c.writeLowWatermark < 0 || c.writeHighWatermark <= c.writeLowWatermark) {
            throw new IllegalArgumentException("watermarks must satisfy 0 <= low < high, got low="
                    + c.writeLowWatermark + " high=" + c.writeHighWatermark);
        }
        if (c.maxInboundBuffer < 1024) {
            throw new IllegalArgumentException("maxInboundBuffer must be >= 1024, got " + c.maxInboundBuffer);
        }
        noDelay = c.noDelay;
        reuseAddress = c.reuseAddress;
        reusePort = c.reusePort;
        keepAlive = c.keepAlive;
        backlog = c.backlog;
        receiveBufferSize = c.receiveBufferSize;
        sendBufferSize = c.sendBufferSize;
        idleTimeout = c.idleTimeout;
        writeHighWatermark = c.writeHighWatermark;
        writeLowWatermark = c.writeLowWatermark;
        maxInboundBuffer = c.maxInboundBuffer;
        closeTimeout = c.closeTimeout;
        lingerTimeout = c.lingerTimeout;
        socketOptions = new SocketOptions(noDelay, keepAlive, reuseAddress, reusePort, backlog, receiveBufferSize,
                sendBufferSize);
    }

    /** {@return the defaults listed above} */
    public static TcpOptions defaults() {
        return DEFAULTS;
    }

    /**
     * TCP_NODELAY (default true: latency over batching, the loop batches writes itself).
     *
     * @return whether TCP_NODELAY is set
     */
    public boolean noDelay() {
        return noDelay;
    }

    /**
     * SO_REUSEADDR on listeners (default true), so a restarted server can bind at once.
     *
     * @return whether SO_REUSEADDR is set on listeners
     */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /**
     * Port sharing, SO_REUSEPORT on listeners (default false). Off, binding a port another socket
     * listens on fails with a {@link java.net.BindException} (EADDRINUSE). On, every listener that
     * also has it on may bind the same port and the kernel spreads connections among them, also
     * among processes of the same user: turn it on only on purpose. {@code TcpServer.listen(group,
     * ...)} opens one listener per loop only when this is on.
     *
     * @return whether listeners share their port (SO_REUSEPORT)
     */
    public boolean reusePort() {
        return reusePort;
    }

    /**
     * SO_KEEPALIVE (default false).
     *
     * @return whether SO_KEEPALIVE is set
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * The listen backlog (default 1024).
     *
     * @return the backlog a listener asks the kernel for
     */
    public int backlog() {
        return backlog;
    }

    /**
     * SO_RCVBUF in bytes, 0 for the OS default.
     *
     * @return the receive buffer size in bytes, 0 for the OS default
     */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /**
     * SO_SNDBUF in bytes, 0 for the OS default.
     *
     * @return the send buffer size in bytes, 0 for the OS default
     */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    /**
     * A connection that reads and writes nothing for this long is closed; zero for never.
     *
     * @return how long a connection may stay silent before it is closed; zero for never
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** {@return queued bytes above which a connection reports itself unwritable} */
    public int writeHighWatermark() {
        return writeHighWatermark;
    }

    /** {@return queued bytes below which it reports itself writable again} */
    public int writeLowWatermark() {
        return writeLowWatermark;
    }

    /** {@return the most unconsumed inbound bytes a connection keeps for its handler} */
    public int maxInboundBuffer() {
        return maxInboundBuffer;
    }

    /**
     * {@return the longest {@link TcpConnection#close()} waits for the queued writes to reach the kernel
     * before it gives up and resets the connection (default 30 s; always positive)}
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /**
     * After a graceful close has sent FIN, the longest it reads and discards input before closing
     * the socket, so unread input does not make the kernel reset responses the peer has not read
     * yet (nginx's {@code lingering_close}; default 2 s; zero closes at once).
     *
     * @return the bound of the input drain after FIN; zero for none
     */
    public Duration lingerTimeout() {
        return lingerTimeout;
    }

    /**
     * With TCP_NODELAY set as given.
     *
     * @param on whether to set TCP_NODELAY
     * @return a copy of these options with that change
     */
    public TcpOptions withNoDelay(boolean on) {
        return with(m -> m.noDelay = on);
    }

    /**
     * With SO_REUSEADDR set as given.
     *
     * @param on whether to set SO_REUSEADDR on listeners
     * @return a copy of these options with that change
     */
    public TcpOptions withReuseAddress(boolean on) {
        return with(m -> m.reuseAddress = on);
    }

    /**
     * With port sharing (SO_REUSEPORT) set as given; see {@link #reusePort()}.
     *
     * @param on whether listeners share their port
     * @return a copy of these options with that change
     */
    public TcpOptions withReusePort(boolean on) {
        return with(m -> m.reusePort = on);
    }

    /**
     * With SO_KEEPALIVE set as given.
     *
     * @param on whether to set SO_KEEPALIVE
     * @return a copy of these options with that change
     */
    public TcpOptions withKeepAlive(boolean on) {
        return with(m -> m.keepAlive = on);
    }

    /**
     * With this listen backlog.
     *
     * @param value the backlog, at least 1
     * @return a copy of these options with that change
     */
    public TcpOptions withBacklog(int value) {
        return with(m -> m.backlog = value);
    }

    /**
     * With these SO_RCVBUF and SO_SNDBUF sizes (0 = OS default).
     *
     * @param receive SO_RCVBUF in bytes, 0 or more
     * @param send SO_SNDBUF in bytes, 0 or more
     * @return a copy of these options with that change
     */
    public TcpOptions withBufferSizes(int receive, int send) {
        return with(m -> {
            m.receiveBufferSize = receive;
            m.sendBufferSize = send;
        });
    }

    /**
     * With this idle timeout (zero for none).
     *
     * @param value the idle timeout, zero or more
     * @return a copy of these options with that change
     */
    public TcpOptions withIdleTimeout(Duration value) {
        return with(m -> m.idleTimeout = value);
    }

    /**
     * With these write watermarks, in bytes.
     *
     * @param low the level below which a connection is writable again
     * @param high the level above which it is unwritable; above {@code low}
     * @return a copy of these options with that change
     */
    public TcpOptions withWriteWatermarks(int low, int high) {
        return with(m -> {
            m.writeLowWatermark = low;
            m.writeHighWatermark = high;
        });
    }

    /**
     * With this limit on unconsumed inbound bytes.
     *
     * @param bytes the most unconsumed bytes kept, positive
     * @return a copy of these options with that change
     */
    public TcpOptions withMaxInboundBuffer(int bytes) {
        return with(m -> m.maxInboundBuffer = bytes);
    }

    /**
     * With this bound on flushing at close (positive); see {@link #closeTimeout()}.
     *
     * @param value the close timeout, positive
     * @return a copy of these options with that change
     */
    public TcpOptions withCloseTimeout(Duration value) {
        return with(m -> m.closeTimeout = value);
    }

    /**
     * With this bound on the input drain after a graceful close's FIN (zero for none).
     *
     * @param value the linger timeout, zero or more
     * @return a copy of these options with that change
     */
    public TcpOptions withLingerTimeout(Duration value) {
        return with(m -> m.lingerTimeout = value);
    }

    /** The socket-level part, as the TCP backend takes it. */
    SocketOptions socketOptions() {
        return socketOptions;
    }

    private TcpOptions with(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return new TcpOptions(copy);
    }

    /** Equal when every option is equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TcpOptions other && socketOptions.equals(other.socketOptions)
                && idleTimeout.equals(other.idleTimeout) && writeHighWatermark == other.writeHighWatermark
                && writeLowWatermark == other.writeLowWatermark && maxInboundBuffer == other.maxInboundBuffer
                && closeTimeout.equals(other.closeTimeout) && lingerTimeout.equals(other.lingerTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(socketOptions, idleTimeout, writeHighWatermark, writeLowWatermark, maxInboundBuffer,
                closeTimeout, lingerTimeout);
    }

    @Override
    public String toString() {
        return "TcpOptions[noDelay=" + noDelay + ", reuseAddress=" + reuseAddress + ", reusePort=" + reusePort
                + ", keepAlive=" + keepAlive + ", backlog=" + backlog + ", receiveBufferSize=" + receiveBufferSize
                + ", sendBufferSize=" + sendBufferSize + ", idleTimeout=" + idleTimeout + ", writeLowWatermark="
                + writeLowWatermark + ", writeHighWatermark=" + writeHighWatermark + ", maxInboundBuffer="
                + maxInboundBuffer + ", closeTimeout=" + closeTimeout + ", lingerTimeout=" + lingerTimeout + "]";
    }

    /** The options as mutable fields, holding the defaults when new, so each {@code with...} changes only its own. */
    private static final class Copy {
        boolean noDelay = true;
        boolean reuseAddress = true;
        boolean reusePort;
        boolean keepAlive;
        int backlog = 1024;
        int receiveBufferSize;
        int sendBufferSize;
        Duration idleTimeout = Duration.ZERO;
        int writeHighWatermark = 64 * 1024;
        int writeLowWatermark = 32 * 1024;
        int maxInboundBuffer = 1024 * 1024;
        Duration closeTimeout = Duration.ofSeconds(30);
        Duration lingerTimeout = Duration.ofSeconds(2);

        Copy() {
        }

        Copy(TcpOptions o) {
            noDelay = o.noDelay;
            reuseAddress = o.reuseAddress;
            reusePort = o.reusePort;
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
