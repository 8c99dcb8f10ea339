package io.weft.loop.metrics;

import io.micrometer.common.docs.KeyName;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.docs.MeterDocumentation;

/**
 * Every meter {@link LoopMetrics} registers: name, type, base unit, description and tag keys. The
 * one place these are spelled; the binder, its tests and the README table all read them from here.
 *
 * <p>Each meter carries the tag {@link LoopTag#LOOP} (the loop's {@link
 * io.weft.loop.core.EventLoop#name() name}) plus the binder's common tags. Counters that come from
 * {@link io.weft.loop.core.LoopStats}, {@link io.weft.loop.core.net.TcpStats} and {@link
 * io.weft.loop.core.net.tls.TlsStats} are {@code FunctionCounter}s and gauges read on demand; the
 * timers are fed by the lag probe (a loop timer), by the {@link LoopWatchdog} and, for the TLS
 * handshake time, by a {@link io.weft.loop.core.net.tls.TlsStats#addHandshakeListener handshake
 * listener} on the loop thread. {@link #TLS_FAILURES} also carries {@link TlsTag#CAUSE}. A Prometheus
 * registry writes a timer as a summary: {@code _count}, {@code _sum} and a {@code _max} gauge, plus
 * one series per percentile for the timers that {@link #publishesPercentiles() publish them}, or
 * instead their histogram buckets when those are turned on.
 */
public enum LoopMeters implements MeterDocumentation {

    /** Loop iterations completed. */
    ITERATIONS("weft.loop.iterations", Meter.Type.COUNTER, null, "Loop iterations completed"),

    /** Readiness events delivered to watcher handlers. */
    IO_EVENTS("weft.loop.io.events", Meter.Type.COUNTER, null, "I/O readiness events delivered to handlers"),

    /** Callbacks run. */
    CALLBACKS("weft.loop.callbacks", Meter.Type.COUNTER, null, "Callbacks run (queued with execute, and close callbacks)"),

    /** Timer tasks run. */
    TIMERS_FIRED("weft.loop.timers.fired", Meter.Type.COUNTER, null, "Timer tasks run; a repeating timer counts once per run"),

    /** Runs of repeating timers skipped because the loop was more than a period late. */
    TIMER_RUNS_SKIPPED("weft.loop.timers.skipped", Meter.Type.COUNTER, null,
            "Runs of repeating timers skipped because the loop was more than a period late"),

    /** Exceptions thrown by callbacks, timers and handlers. */
    EXCEPTIONS("weft.loop.exceptions", Meter.Type.COUNTER, null, "Exceptions thrown by callbacks, timers and handlers"),

    /** Time the loop spent running, outside the poller. */
    BUSY("weft.loop.busy", Meter.Type.COUNTER, "seconds", "Time the loop spent running tasks and handlers, outside the poller"),

    /** Time the loop spent waiting in the poller (libuv's idle time). */
    IDLE("weft.loop.idle", Meter.Type.COUNTER, "seconds", "Time the loop spent waiting in the poller"),

    /** busy / (busy + idle) over the last utilization window (Node's event loop utilization). */
    UTILIZATION("weft.loop.utilization", Meter.Type.GAUGE, null,
            "Share of time the loop was busy, busy / (busy + idle), over the last window (0 to 1)"),

    /** Callbacks queued and not yet run. */
    CALLBACKS_PENDING("weft.loop.callbacks.pending", Meter.Type.GAUGE, null, "Callbacks queued and not yet run"),

    /** Open watchers. */
    WATCHERS_LIVE("weft.loop.watchers.live", Meter.Type.GAUGE, null, "Open I/O watchers"),

    /** Timers scheduled and not yet finished or cancelled. */
    TIMERS_LIVE("weft.loop.timers.live", Meter.Type.GAUGE, null,
            "Timers scheduled and not yet finished or cancelled (the lag probe is one)"),

    /** How late the lag probe timer fired (Node's monitorEventLoopDelay). */
    LAG("weft.loop.lag", Meter.Type.TIMER, "seconds", "How late a periodic probe timer fired after its deadline", true),

    /** How long a sampled callback waited between execute and its start. */
    CALLBACK_WAIT("weft.loop.callbacks.wait", Meter.Type.TIMER, "seconds",
            "How long a sampled callback waited from execute to its start", true),

    /** Episodes of one task holding the loop longer than the threshold, counted when seen. */
    BLOCKED("weft.loop.blocked", Meter.Type.COUNTER, null,
            "Episodes of one callback, timer or handler holding the loop longer than the blocked threshold"),

    /** How long each blocked episode lasted, recorded when it ends. */
    BLOCKED_DURATION("weft.loop.blocked.duration", Meter.Type.TIMER, "seconds",
            "How long each blocked episode held the loop, recorded when it ends"),

    /** TCP connections open on the loop. */
    CONNECTIONS_OPEN("weft.loop.connections.open", Meter.Type.GAUGE, null, "TCP connections open on the loop"),

    /** TCP connections accepted by servers listening on the loop. */
    CONNECTIONS_ACCEPTED("weft.loop.connections.accepted", Meter.Type.COUNTER, null,
            "TCP connections accepted by servers listening on the loop"),

    /** Accepts that failed (out of file descriptors, or another error). */
    ACCEPT_FAILURES("weft.loop.accept.failures", Meter.Type.COUNTER, null,
            "Accepts that failed: out of file descriptors, or another error"),

    /** Connections accepted and closed at once because file descriptors ran out. */
    CONNECTIONS_SHED("weft.loop.connections.shed", Meter.Type.COUNTER, null,
            "Connections accepted and closed at once because file descriptors ran out"),

    /** Connections the peer reset (ECONNRESET, EPIPE). */
    CONNECTIONS_RESET("weft.loop.connections.reset", Meter.Type.COUNTER, null,
            "Connections the peer reset (ECONNRESET, EPIPE), closed quietly"),

    /** Connections closed by their idle timeout. */
    CONNECTIONS_IDLE_TIMEOUTS("weft.loop.connections.idle.timeouts", Meter.Type.COUNTER, null,
            "Connections closed because nothing was read or written for their idle timeout"),

    /** Bytes read from the loop's TCP connections. */
    READ("weft.loop.read", Meter.Type.COUNTER, "bytes", "Bytes read from the loop's TCP connections"),

    /** Bytes written to the loop's TCP connections (taken by the OS). */
    WRITTEN("weft.loop.written", Meter.Type.COUNTER, "bytes", "Bytes written to the loop's TCP connections, as the OS took them"),

    /** TLS handshakes completed on the loop, as server and as client. */
    TLS_HANDSHAKES("weft.loop.tls.handshakes", Meter.Type.COUNTER, null,
            "TLS handshakes completed on the loop, as server and as client"),

    /**
     * TLS connections that failed, one series per {@link io.weft.loop.core.net.tls.TlsFailure} in the
     * tag {@link TlsTag#CAUSE} (its name in lower case, such as {@code not_tls} or {@code
     * handshake_timeout}). Most causes end a handshake; {@code truncation} and {@code renegotiation}
     * (and {@code bad_record}, when a record breaks later) end an open connection.
     */
    TLS_FAILURES("weft.loop.tls.failures", Meter.Type.COUNTER, null,
            "TLS connections closed by a TLS failure, by cause (tag cause): handshake failures, and truncation, renegotiation or a bad record after it",
            false, LoopTag.LOOP, TlsTag.CAUSE),

    /** How long each TLS handshake took, from the TCP connection to the handshake's end. */
    TLS_HANDSHAKE_DURATION("weft.loop.tls.handshake.duration", Meter.Type.TIMER, "seconds",
            "How long each completed TLS handshake took, from the TCP connection being up to the handshake's end (delegated tasks included)", true);

    private final String name;
    private final Meter.Type type;
    private final String baseUnit;
    private final String description;
    private final boolean percentiles;
    private final KeyName[] keyNames;

    LoopMeters(String name, Meter.Type type, String baseUnit, String description) {
        this(name, type, baseUnit, description, false);
    }

    LoopMeters(String name, Meter.Type type, String baseUnit, String description, boolean percentiles) {
        this(name, type, baseUnit, description, percentiles, LoopTag.values());
    }

    LoopMeters(String name, Meter.Type type, String baseUnit, String description, boolean percentiles,
            KeyName... keyNames) {
        this.name = name;
        this.type = type;
        this.baseUnit = baseUnit;
        this.description = description;
        this.percentiles = percentiles;
        this.keyNames = keyNames;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Meter.Type getType() {
        return type;
    }

    @Override
    public String getBaseUnit() {
        return baseUnit;
    }

    @Override
    public KeyName[] getKeyNames() {
        return keyNames.clone();
    }

    /** {@return what the meter measures, as registered with Micrometer} */
    public String getDescription() {
        return description;
    }

    /**
     * Whether this timer publishes client-side percentiles (0.5, 0.9, 0.99, 0.999), and, when the
     * binder is built with {@link LoopMetrics.Builder#percentileHistograms}, a percentile histogram.
     * The other timer ({@link #BLOCKED_DURATION}) publishes count, total and max only.
     *
     * @return true for {@link #LAG}, {@link #CALLBACK_WAIT} and {@link #TLS_HANDSHAKE_DURATION}
     */
    public boolean publishesPercentiles() {
        return percentiles;
    }

    /** The tag keys every Weft loop meter carries. */
    public enum LoopTag implements KeyName {
        /** The loop's name. */
        LOOP("loop");

        private final String key;

        LoopTag(String key) {
            this.key = key;
        }

        @Override
        public String asString() {
            return key;
        }
    }

    /** The tag key of {@link #TLS_FAILURES}, besides {@link LoopTag#LOOP}. */
    public enum TlsTag implements KeyName {
        /** Why the connection failed: a {@link io.weft.loop.core.net.tls.TlsFailure} name in lower case. */
        CAUSE("cause");

        private final String key;

        TlsTag(String key) {
            this.key = key;
        }

        @Override
        public String asString() {
            return key;
        }
    }
}
