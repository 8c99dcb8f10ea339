package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Connects to a host by name: resolves it off the loop, then tries its addresses the Happy
 * Eyeballs way (RFC 8305): IPv6 and IPv4 interleaved, IPv6 first; the next address starts when the
 * previous one fails or after {@link Builder#attemptDelay} (250 ms) without an answer, while the
 * earlier ones go on; the first to connect wins and the others are cancelled. A connect timeout
 * ({@link Builder#connectTimeout}, 30 s, counted on the loop's clock from the call) bounds it all,
 * resolution included.
 *
 * <p><b>Errors.</b> The future fails with the resolver's {@link java.net.UnknownHostException} when
 * the host has no address, or with a {@link HostConnectException} naming the host, each address
 * tried and why each failed, when every address failed or the timeout passed.
 *
 * <p><b>Threads.</b> An instance is immutable and safe to share. {@link #connect} is safe from any
 * thread; resolution runs on a virtual thread; everything else, and every call of the handler,
 * happens on the loop thread. The handler sees the winning connection only, as {@link
 * TcpConnection#connect} would: {@code onOpen}, then its events, then {@code onClose}; when no
 * address wins it is never called. Cancelling the future cancels resolution's use and every
 * attempt.
 *
 * {@snippet :
 * HostConnector.defaults().connect(loop, "localhost", 6379, handler)
 *         .whenComplete((connection, failure) -> { ... });
 * }
 */
public final class HostConnector {
    private static final HostConnector DEFAULTS = builder().build();

    private final HostResolver resolver;
    private final Duration attemptDelay;
    private final Duration connectTimeout;
    private final TcpOptions options;

    private HostConnector(Builder builder) {
        this.resolver = builder.resolver;
        this.attemptDelay = builder.attemptDelay;
        this.connectTimeout = builder.connectTimeout;
        this.options = builder.options;
    }

    /**
     * The JDK resolver, a 250 ms attempt delay, a 30 s connect timeout and the default TCP options.
     *
     * @return a connector with those defaults
     */
    public static HostConnector defaults() {
        return DEFAULTS;
    }

    /** {@return a builder starting from {@link #defaults()}} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to {@code host}:{@code port} from {@code loop}; safe from any thread. The future
     * completes on the loop thread after the handler's {@code onOpen}.
     *
     * @param loop the loop the connection runs on
     * @param host the host name (or address literal) to resolve
     * @param port the port, 1 to 65535
     * @param handler the connection's handler, called on the loop thread
     * @return completed with the first connection established, or failed with a {@link HostConnectException}
     * @throws IllegalArgumentException if the host is blank or the port is not in 1..65535
     * @throws java.util.concurrent.RejectedExecutionException if the loop is closed or shutting down
     */
    public CompletableFuture<TcpConnection> connect(EventLoop loop, String host, int port, ConnectionHandler handler) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(handler, "handler");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is blank; give a host name or an address literal");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535 to connect, got " + port);
        }
        HostConnect connect = new HostConnect(this, loop, host, port, handler);
        if (loop.inLoop()) {
            connect.start();
        } else {
            loop.execute(connect::start);
        }
        return connect.result();
    }

    HostResolver resolver() {
        return resolver;
    }

    Duration attemptDelay() {
        return attemptDelay;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    TcpOptions options() {
        return options;
    }

    /** Settings of a {@link HostConnector}; not thread-safe. */
    public static final class Builder {
        private HostResolver resolver = HostResolver.SYSTEM;
        private Duration attemptDelay = Duration.ofMillis(250);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private TcpOptions options = TcpOptions.defaults();

        private Builder() {
        }

        /**
         * The resolver (default {@link HostResolver#SYSTEM}); it may block, it runs off the loop.
         *
         * @param resolver resolves a host name to its addresses
         * @return this builder
         */
        public Builder resolver(HostResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * How long an attempt may go unanswered before the next address starts alongside it
         * (RFC 8305's Connection Attempt Delay; default 250 ms, zero starts them all at once).
         *
         * @param delay the delay between the starts of two attempts
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder attemptDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("attemptDelay must be >= 0, got " + delay);
            }
            this.attemptDelay = delay;
            return this;
        }

        /**
         * How long the whole connect may take, resolution included (default 30 s, Netty's {@code
         * CONNECT_TIMEOUT_MILLIS}).
         *
         * @param timeout the bound of a whole connect
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive, got " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * The options of the connection (default {@link TcpOptions#defaults()}).
         *
         * @param options the options every connection gets
         * @return this builder
         */
        public Builder options(TcpOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** {@return the connector} */
        public HostConnector build() {
            return new HostConnector(this);
        }
    }
}
