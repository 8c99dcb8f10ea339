package io.weft.loop.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopStats;
import io.weft.loop.core.net.TcpStats;
import io.weft.loop.core.net.tls.TlsFailure;
import io.weft.loop.core.net.tls.TlsStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;

/**
 * A Micrometer {@link MeterBinder} for one {@link EventLoop} or several (a group): event counts,
 * busy and idle time, utilization, lag, callback wait, blocking-callback alarms, TCP connections
 * and TLS handshakes, every meter named in {@link LoopMeters} and tagged {@code loop=<name>}.
 *
 * <p><b>Cost.</b> Counters and gauges read the loop's own {@link LoopStats} when the registry asks;
 * nothing is recorded on the loop's hot path. The lag probe is one unreferenced loop timer (every
 * {@link Builder#lagResolution}, default 20 ms) that records into a timer; the callback
 * wait is sampled by the {@link LoopWatchdog}'s thread, which queues one probe callback at a time
 * (every {@link Builder#callbackWaitInterval}, default 100 ms). The watchdog also turns on {@link
 * LoopStats#trackTasks()}: one clock reading per task. The TLS handshake timer is fed by a {@link
 * TlsStats#addHandshakeListener handshake listener}: one record per completed handshake, on the
 * loop thread. In a Prometheus scrape a loop has about 55 series by default, and about 280 with
 * {@link Builder#percentileHistograms} (the buckets of three timers).
 *
 * <p><b>Never throws.</b> {@link #bindTo} logs and skips what it cannot register, and registers no
 * meter it cannot read: a loop that is closed or shutting down gets its counters and gauges (their
 * final values) but no lag, wait or blocked meters; a second loop with a name already bound is
 * skipped, since its meters would carry the same tags.
 *
 * {@snippet :
 * LoopMetrics metrics = LoopMetrics.builder(loop).tags(Tags.of("app", "orders")).build();
 * metrics.bindTo(registry);
 * // ... when the loop is done:
 * metrics.close(); // stops the probes and removes the meters
 * }
 *
 * <p>Bind each loop once (per registry): two binders on one loop each run a probe and raise alarms.
 */
public final class LoopMetrics implements MeterBinder, AutoCloseable {
    /** Default resolution of the lag probe. */
    public static final Duration DEFAULT_LAG_RESOLUTION = Duration.ofMillis(20);
    /** Default time between two callback-wait probes of one loop. */
    public static final Duration DEFAULT_CALLBACK_WAIT_INTERVAL = Duration.ofMillis(100);
    /** Default blocked-loop threshold. */
    public static final Duration DEFAULT_BLOCKED_THRESHOLD = Duration.ofMillis(100);
    /** Default utilization window. */
    public static final Duration DEFAULT_UTILIZATION_WINDOW = Duration.ofSeconds(1);

    private static final System.Logger LOG = System.getLogger(LoopMetrics.class.getName());
    private static final double[] PERCENTILES = {0.5, 0.9, 0.99, 0.999};

    private final List<EventLoop> loops;
    private final Tags tags;
    private final Duration lagResolution;
    private final Duration callbackWaitInterval;
    private final Duration utilizationWindow;
    private final LoopWatchdog watchdog;
    private final Duration blockedThreshold;
    private final Map<EventLoop, Duration> thresholds;
    private final Duration logInterval;
    private final boolean percentileHistograms;

    private final Object lock = new Object();
    private final Map<EventLoop, Bound> bound = new IdentityHashMap<>(); // guarded by lock
    private final List<Registered> meters = new ArrayList<>(); // guarded by lock
    private boolean closed; // guarded by lock

    private LoopMetrics(Builder builder) {
        this.loops = List.copyOf(builder.loops);
        this.tags = builder.tags;
        this.lagResolution = builder.lagResolution;
        this.callbackWaitInterval = builder.callbackWaitInterval;
        this.utilizationWindow = builder.utilizationWindow;
        this.watchdog = builder.watchdog;
        this.blockedThreshold = builder.blockedThreshold;
        this.thresholds = new IdentityHashMap<>(builder.thresholds);
        this.logInterval = builder.logInterval;
        this.percentileHistograms = builder.percentileHistograms;
    }

    /**
     * {@return a binder for one loop with the defaults}
     *
     * @param loop the loop to measure
     */
    public static LoopMetrics of(EventLoop loop) {
        return builder(loop).build();
    }

    /**
     * {@return a binder for several loops (a group: anything iterable) with the defaults}
     *
     * @param loops the loops to measure
     */
    public static LoopMetrics of(Iterable<EventLoop> loops) {
        return builder(loops).build();
    }

    /**
     * {@return a builder for one loop}
     *
     * @param loop the loop to measure
     */
    public static Builder builder(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        return new Builder(List.of(loop));
    }

    /**
     * {@return a builder for several loops; they are read once, when the builder is made}
     *
     * @param loops the loops to measure
     */
    public static Builder builder(Iterable<EventLoop> loops) {
        Objects.requireNonNull(loops, "loops");
        List<EventLoop> list = new ArrayList<>();
        for (EventLoop loop : loops) {
            list.add(Objects.requireNonNull(loop, "a loop in loops"));
        }
        return new Builder(list);
    }

    /**
     * Registers the meters of every loop with {@code registry} and, on the first call, starts the
     * lag probes and the watchdog's watch. Never throws: a meter that fails to register is logged
     * and left out. After {@link #close()} it does nothing.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (lock) {
            if (closed) {
                LOG.log(System.Logger.Level.WARNING, "LoopMetrics is closed; bindTo registers nothing");
                return;
            }
            Set<String> names = new HashSet<>();
            for (EventLoop loop : loops) {
                if (!names.add(loop.name())) {
                    LOG.log(System.Logger.Level.WARNING, "two loops are named '" + loop.name()
                            + "'; the second is not bound, its meters would carry the same tags");
                    continue;
                }
                try {
                    bindLoop(registry, loop);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "binding the meters of loop '" + loop.name() + "' failed", e);
                }
            }
        }
    }

    private void bindLoop(MeterRegistry registry, EventLoop loop) {
        LoopStats stats = loop.stats();
        Tags loopTags = tags.and(LoopMeters.LoopTag.LOOP.asString(), loop.name());
        counter(registry, LoopMeters.ITERATIONS, loopTags, stats, LoopStats::iterations);
        counter(registry, LoopMeters.IO_EVENTS, loopTags, stats, LoopStats::ioEvents);
        counter(registry, LoopMeters.CALLBACKS, loopTags, stats, LoopStats::callbacksRun);
        counter(registry, LoopMeters.TIMERS_FIRED, loopTags, stats, LoopStats::timersFired);
        counter(registry, LoopMeters.TIMER_RUNS_SKIPPED, loopTags, stats, LoopStats::timerRunsSkipped);
        counter(registry, LoopMeters.EXCEPTIONS, loopTags, stats, LoopStats::exceptions);
        counter(registry, LoopMeters.BUSY, loopTags, stats, s -> seconds(s.busyNanos()));
        counter(registry, LoopMeters.IDLE, loopTags, stats, s -> seconds(s.pollNanos()));
        UtilizationWindow window = new UtilizationWindow(stats, utilizationWindow.toNanos());
        gauge(registry, LoopMeters.UTILIZATION, loopTags, stats, window::read);
        gauge(registry, LoopMeters.CALLBACKS_PENDING, loopTags, stats, LoopStats::pendingCallbacks);
        gauge(registry, LoopMeters.WATCHERS_LIVE, loopTags, stats, LoopStats::liveWatchers);
        gauge(registry, LoopMeters.TIMERS_LIVE, loopTags, stats, LoopStats::liveTimers);
        TcpStats tcp = TcpStats.of(loop);
        gauge(registry, LoopMeters.CONNECTIONS_OPEN, loopTags, tcp, TcpStats::openConnections);
        counter(registry, LoopMeters.CONNECTIONS_ACCEPTED, loopTags, tcp, TcpStats::acceptedConnections);
        counter(registry, LoopMeters.ACCEPT_FAILURES, loopTags, tcp, TcpStats::acceptFailures);
        counter(registry, LoopMeters.CONNECTIONS_SHED, loopTags, tcp, TcpStats::shedConnections);
        counter(registry, LoopMeters.CONNECTIONS_RESET, loopTags, tcp, TcpStats::peerResets);
        counter(registry, LoopMeters.CONNECTIONS_IDLE_TIMEOUTS, loopTags, tcp, TcpStats::idleTimeouts);
        counter(registry, LoopMeters.READ, loopTags, tcp, TcpStats::bytesRead);
        counter(registry, LoopMeters.WRITTEN, loopTags, tcp, TcpStats::bytesWritten);
        TlsStats tls = TlsStats.of(loop);
        counter(registry, LoopMeters.TLS_HANDSHAKES, loopTags, tls, TlsStats::handshakes);
        for (TlsFailure cause : TlsFailure.values()) {
            counter(registry, LoopMeters.TLS_FAILURES,
                    loopTags.and(LoopMeters.TlsTag.CAUSE.asString(), cause.name().toLowerCase(Locale.ROOT)),
                    tls, s -> s.failures(cause));
        }

        if (loop.isShuttingDown()) {
            // Nothing would ever feed the lag, wait or blocked meters: do not register them.
            return;
        }
        Bound state = bound.computeIfAbsent(loop, l -> new Bound());
        add(state.handshakes, timer(registry, LoopMeters.TLS_HANDSHAKE_DURATION, loopTags));
        if (state.tls == null) {
            state.tls = tls;
            tls.addHandshakeListener(state);
        }
        if (lagResolution != null) {
            add(state.lag, timer(registry, LoopMeters.LAG, loopTags));
            if (state.lagProbe == null) {
                LagProbe probe = new LagProbe(loop, lagResolution, nanos -> record(state.lag, nanos));
                try {
                    probe.start();
                    state.lagProbe = probe;
                } catch (RuntimeException e) { // the loop closed since we looked
                    removeLast(registry, state.lag);
                }
            }
        }
        if (watchdog != null) {
            if (callbackWaitInterval != null) {
                add(state.wait, timer(registry, LoopMeters.CALLBACK_WAIT, loopTags));
            }
            add(state.blocked, register(registry, Counter.builder(LoopMeters.BLOCKED.getName())
                    .description(LoopMeters.BLOCKED.getDescription()).tags(loopTags)));
            add(state.blockedDuration, timer(registry, LoopMeters.BLOCKED_DURATION, loopTags));
            if (state.watch == null) {
                Duration threshold = thresholds.getOrDefault(loop, blockedThreshold);
                state.watch = watchdog.watch(loop, threshold.toNanos(),
                        callbackWaitInterval == null ? 0 : callbackWaitInterval.toNanos(), logInterval.toNanos(), state);
            }
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private <T> void counter(MeterRegistry registry, LoopMeters meter, Tags loopTags, T stats, ToDoubleFunction<T> read) {
        register(registry, FunctionCounter.builder(meter.getName(), stats, read)
                .description(meter.getDescription()).baseUnit(meter.getBaseUnit()).tags(loopTags));
    }

    private <T> void gauge(MeterRegistry registry, LoopMeters meter, Tags loopTags, T stats, ToDoubleFunction<T> read) {
        register(registry, Gauge.builder(meter.getName(), stats, read)
                .description(meter.getDescription()).baseUnit(meter.getBaseUnit()).tags(loopTags));
    }

    private Timer timer(MeterRegistry registry, LoopMeters meter, Tags loopTags) {
        Timer.Builder timer = Timer.builder(meter.getName()).description(meter.getDescription()).tags(loopTags);
        if (meter.publishesPercentiles()) {
            timer.publishPercentiles(PERCENTILES);
            if (percentileHistograms) {
                timer.publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10));
            }
        }
        return register(registry, timer);
    }

    private <M extends Meter> M register(MeterRegistry registry, Object builder) {
        M meter;
        try {
            meter = registerWith(registry, builder);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "registering a loop meter failed; it is left out", e);
            return null;
        }
        meters.add(new Registered(registry, meter));
        return meter;
    }

    @SuppressWarnings("unchecked")
    private static <M extends Meter> M registerWith(MeterRegistry registry, Object builder) {
        return (M) switch (builder) {
            case FunctionCounter.Builder<?> b -> b.register(registry);
            case Gauge.Builder<?> b -> b.register(registry);
            case Counter.Builder b -> b.register(registry);
            case Timer.Builder b -> b.register(registry);
            default -> throw new IllegalArgumentException("not a meter builder: " + builder);
        };
    }

    private static <M> void add(List<M> list, M meter) {
        // Meters are equal by id, and the same id in another registry is another meter: compare identities.
        if (meter != null && list.stream().noneMatch(m -> m == meter)) {
            list.add(meter);
        }
    }

    private void removeLast(MeterRegistry registry, List<Timer> timers) {
        if (!timers.isEmpty()) {
            Timer timer = timers.removeLast();
            registry.remove(timer);
            meters.removeIf(r -> r.meter == timer);
        }
    }

    private static void record(List<Timer> timers, long nanos) {
        for (Timer timer : timers) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Stops the lag probes and the watchdog's watch of these loops and removes the meters from
     * the registries they were bound to. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (Bound state : bound.values()) {
                if (state.tls != null) {
                    state.tls.removeHandshakeListener(state);
                }
                if (state.lagProbe != null) {
                    state.lagProbe.close();
                }
                if (state.watch != null) {
                    state.watch.close();
                }
            }
            for (Registered r : meters) {
                r.registry.remove(r.meter);
            }
            meters.clear();
        }
    }

    private record Registered(MeterRegistry registry, Meter meter) {
    }

    /** What a bound loop feeds: one meter per registry for each kind. */
    private static final class Bound implements LoopWatchdog.Sink, LongConsumer {
        final List<Timer> lag = new CopyOnWriteArrayList<>();
        final List<Timer> handshakes = new CopyOnWriteArrayList<>();
        TlsStats tls;
        final List<Timer> wait = new CopyOnWriteArrayList<>();
        final List<Counter> blocked = new CopyOnWriteArrayList<>();
        final List<Timer> blockedDuration = new CopyOnWriteArrayList<>();
        LagProbe lagProbe;
        LoopWatchdog.Watch watch;

        @Override
        public void blockedEpisodeStarted() {
            for (Counter counter : blocked) {
                counter.increment();
            }
        }

        @Override
        public void blockedEpisodeEnded(long blockedNanos) {
            record(blockedDuration, blockedNanos);
        }

        @Override
        public void callbackWaited(long waitNanos) {
            record(wait, waitNanos);
        }

        /** A TLS handshake completed on the loop thread. */
        @Override
        public void accept(long handshakeNanos) {
            record(handshakes, handshakeNanos);
        }
    }

    /** Settings of a {@link LoopMetrics}; every one is optional. Not thread-safe. */
    public static final class Builder {
        private final List<EventLoop> loops;
        private Tags tags = Tags.empty();
        private Duration lagResolution = DEFAULT_LAG_RESOLUTION;
        private Duration callbackWaitInterval = DEFAULT_CALLBACK_WAIT_INTERVAL;
        private Duration utilizationWindow = DEFAULT_UTILIZATION_WINDOW;
        private LoopWatchdog watchdog = LoopWatchdog.shared();
        private Duration blockedThreshold = DEFAULT_BLOCKED_THRESHOLD;
        private final Map<EventLoop, Duration> thresholds = new HashMap<>();
        private Duration logInterval = LoopWatchdog.DEFAULT_LOG_INTERVAL;
        private boolean percentileHistograms;

        private Builder(List<EventLoop> loops) {
            this.loops = loops;
        }

        /**
         * Tags added to every meter, besides {@code loop}.
         *
         * @param tags the extra tags
         * @return this builder
         */
        public Builder tags(Iterable<Tag> tags) {
            this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
            return this;
        }

        /**
         * How often the lag probe fires (default 20 ms); {@code null} registers no lag meter and runs no probe.
         *
         * @param resolution the probe's period, or null for no lag meter
         * @return this builder
         */
        public Builder lagResolution(Duration resolution) {
            this.lagResolution = resolution == null ? null : positive(resolution, "lagResolution");
            return this;
        }

        /**
         * How often the watchdog samples the callback wait of each loop (default 100 ms); {@code null} for never.
         *
         * @param interval the sampling period, or null for no callback-wait meter
         * @return this builder
         */
        public Builder callbackWaitInterval(Duration interval) {
            this.callbackWaitInterval = interval == null ? null : positive(interval, "callbackWaitInterval");
            return this;
        }

        /**
         * The least loop time a utilization reading covers (default 1 s).
         *
         * @param window the least window, positive
         * @return this builder
         */
        public Builder utilizationWindow(Duration window) {
            this.utilizationWindow = positive(window, "utilizationWindow");
            return this;
        }

        /**
         * The watchdog that raises blocked-loop alarms and samples callback wait (default {@link
         * LoopWatchdog#shared()}); {@code null} for none: no blocked or wait meters, no task tracking.
         *
         * @param watchdog the watchdog, or null for none
         * @return this builder
         */
        public Builder watchdog(LoopWatchdog watchdog) {
            this.watchdog = watchdog;
            return this;
        }

        /**
         * How long one task may hold a loop before it counts as blocked (default 100 ms).
         *
         * @param threshold the threshold of every loop, positive
         * @return this builder
         */
        public Builder blockedThreshold(Duration threshold) {
            this.blockedThreshold = positive(threshold, "blockedThreshold");
            return this;
        }

        /**
         * The blocked threshold of one of the loops, over {@link #blockedThreshold(Duration)}.
         *
         * @param loop one of the binder's loops
         * @param threshold that loop's threshold, positive
         * @return this builder
         */
        public Builder blockedThreshold(EventLoop loop, Duration threshold) {
            Objects.requireNonNull(loop, "loop");
            if (!loops.contains(loop)) {
                throw new IllegalArgumentException("loop '" + loop.name() + "' is not one of the loops this binder binds");
            }
            thresholds.put(loop, positive(threshold, "blockedThreshold"));
            return this;
        }

        /**
         * The least time between two blocked-loop log lines about one loop (default 10 s).
         *
         * @param interval the least interval between two lines, zero or more
         * @return this builder
         */
        public Builder blockedLogInterval(Duration interval) {
            Objects.requireNonNull(interval, "blockedLogInterval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("blockedLogInterval must be >= 0, got " + interval);
            }
            this.logInterval = interval;
            return this;
        }

        /**
         * Whether the lag, callback-wait and TLS handshake timers also publish a percentile histogram (default
         * false). Its buckets (100 us to 10 s, about 70 series per timer and loop) let Prometheus
         * compute percentiles across loops and over any range with {@code histogram_quantile}; a
         * Prometheus registry then writes the buckets instead of the client-side percentiles. Off,
         * each of those timers is a summary of seven series: the percentiles 0.5, 0.9, 0.99 and
         * 0.999 of the recent past (Micrometer's decaying window), count, total and max.
         *
         * @param enabled whether to publish the histograms
         * @return this builder
         */
        public Builder percentileHistograms(boolean enabled) {
            this.percentileHistograms = enabled;
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        /** {@return the binder; call {@link LoopMetrics#bindTo} to register its meters} */
        public LoopMetrics build() {
            return new LoopMetrics(this);
        }
    }
}
