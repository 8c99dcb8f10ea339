package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.micrometer.common.docs.KeyName;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Interest;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.net.tls.TlsFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopMetricsTest {
    private static final double NANOS = 1e-9;
    private final ScriptedLoop scripted = ScriptedLoop.create();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private EventLoop loop = scripted.build("main");

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    private double count(LoopMeters meter) {
        return registry.get(meter.getName()).tag("loop", loop.name()).functionCounter().count();
    }

    private double gauge(LoopMeters meter) {
        return registry.get(meter.getName()).tag("loop", loop.name()).gauge().value();
    }

    private Timer timer(LoopMeters meter) {
        return registry.get(meter.getName()).tag("loop", loop.name()).timer();
    }

    private static LoopMetrics.Builder statsOnly(EventLoop loop) {
        return LoopMetrics.builder(loop).lagResolution(null).watchdog(null);
    }

    @Test
    void countersAndGaugesReadWhatTheLoopDid() throws IOException {
        scripted.poller.idleStep = Duration.ofMillis(5);
        statsOnly(loop).build().bindTo(registry);
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            loop.execute(() -> { // iteration 1, callbacks phase: 1 ms busy
                scripted.clock.advance(Duration.ofMillis(1));
                loop.schedule(Duration.ofHours(1), () -> { }); // stays live
                loop.schedule(Duration.ZERO, () -> scripted.clock.advance(Duration.ofMillis(2))); // iteration 2
                loop.watch(source, Interest.READABLE, (watcher, ready) -> drain(source)); // one event
                loop.execute(() -> scripted.clock.advance(Duration.ofMillis(3))); // iteration 2
                loop.execute(() -> {
                    throw new IllegalStateException("scripted failure");
                });
                writeByte(sink);
            });
            loop.run(RunMode.NOWAIT);
            loop.run(RunMode.NOWAIT);
            loop.execute(() -> { });
            loop.execute(() -> { });

            assertThat(count(LoopMeters.ITERATIONS)).isEqualTo(2);
            assertThat(count(LoopMeters.CALLBACKS)).isEqualTo(3);
            assertThat(count(LoopMeters.TIMERS_FIRED)).isEqualTo(1);
            assertThat(count(LoopMeters.TIMER_RUNS_SKIPPED)).isZero();
            assertThat(count(LoopMeters.EXCEPTIONS)).isEqualTo(1);
            assertThat(count(LoopMeters.IO_EVENTS)).isEqualTo(1);
            assertThat(count(LoopMeters.BUSY)).isCloseTo(0.006, org.assertj.core.data.Offset.offset(NANOS));
            assertThat(count(LoopMeters.IDLE)).isCloseTo(0.010, org.assertj.core.data.Offset.offset(NANOS));
            assertThat(gauge(LoopMeters.CALLBACKS_PENDING)).isEqualTo(2);
            assertThat(gauge(LoopMeters.WATCHERS_LIVE)).isEqualTo(1);
            assertThat(gauge(LoopMeters.TIMERS_LIVE)).isEqualTo(1);
        }
    }

    @Test
    void skippedTimerRunsAreCounted() {
        statsOnly(loop).build().bindTo(registry);
        loop.execute(() -> loop.scheduleRepeating(Duration.ofMillis(10), Duration.ofMillis(10), () -> { }));
        loop.run(RunMode.NOWAIT);
        scripted.clock.advance(Duration.ofMillis(35)); // deadlines 10, 20, 30 passed: one run, two skipped

        loop.run(RunMode.NOWAIT);

        assertThat(count(LoopMeters.TIMERS_FIRED)).isEqualTo(1);
        assertThat(count(LoopMeters.TIMER_RUNS_SKIPPED)).isEqualTo(2);
    }

    @Test
    void utilizationIsTheBusyShareOfTheLastWindow() {
        scripted.poller.idleStep = Duration.ofMillis(5);
        statsOnly(loop).utilizationWindow(Duration.ofMillis(10)).build().bindTo(registry);
        loop.schedule(Duration.ofHours(1), () -> { }); // keeps NOWAIT runs iterating
        Runnable busy1ms = () -> scripted.clock.advance(Duration.ofMillis(1));

        assertThat(gauge(LoopMeters.UTILIZATION)).as("nothing measured yet").isNaN();
        loop.execute(() -> scripted.clock.advance(Duration.ofMillis(11)));
        loop.run(RunMode.NOWAIT); // busy 11, idle 5
        assertThat(gauge(LoopMeters.UTILIZATION)).isCloseTo(11.0 / 16, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(gauge(LoopMeters.UTILIZATION)).as("a second read in the same window").isCloseTo(11.0 / 16, org.assertj.core.data.Offset.offset(1e-9));

        loop.execute(busy1ms);
        loop.run(RunMode.NOWAIT); // 6 ms: less than a window, the last value stands
        assertThat(gauge(LoopMeters.UTILIZATION)).isCloseTo(11.0 / 16, org.assertj.core.data.Offset.offset(1e-9));
        loop.execute(busy1ms);
        loop.run(RunMode.NOWAIT); // 12 ms since the last reading, 2 of them busy
        assertThat(gauge(LoopMeters.UTILIZATION)).isCloseTo(2.0 / 12, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void utilizationBeforeTheFirstWindowIsTheShareSinceBindingNotTheLoopsLifetime() {
        // A loop that started, worked 50 ms and now waits in its first poll: all its time so far is busy.
        loop.execute(() -> scripted.clock.advance(Duration.ofMillis(50)));
        loop.run(RunMode.NOWAIT);
        assertThat(loop.stats().busyNanos()).isPositive();
        assertThat(loop.stats().pollNanos()).isZero();
        statsOnly(loop).build().bindTo(registry); // the default window: 1 s

        assertThat(gauge(LoopMeters.UTILIZATION)).as("no loop time since binding: no reading, not 1.0").isNaN();
        scripted.poller.idleStep = Duration.ofMillis(9);
        loop.schedule(Duration.ofHours(1), () -> { }); // keeps NOWAIT runs iterating
        loop.execute(() -> scripted.clock.advance(Duration.ofMillis(1)));
        loop.run(RunMode.NOWAIT); // busy 1, idle 9: a tenth of the first window
        assertThat(gauge(LoopMeters.UTILIZATION)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void lagIsHowLateTheProbeFired() {
        LoopMetrics.builder(loop).watchdog(null).lagResolution(Duration.ofMillis(20)).build().bindTo(registry);
        loop.schedule(Duration.ofHours(1), () -> { }); // the probe is unreferenced: this keeps NOWAIT iterating
        loop.run(RunMode.NOWAIT); // arms the probe: due at +20 ms

        scripted.clock.advance(Duration.ofMillis(25));
        loop.run(RunMode.NOWAIT); // 5 ms late
        scripted.clock.advance(Duration.ofMillis(20));
        loop.run(RunMode.NOWAIT); // on time
        scripted.clock.advance(Duration.ofMillis(50));
        loop.run(RunMode.NOWAIT); // 30 ms late

        Timer lag = timer(LoopMeters.LAG);
        assertThat(lag.count()).isEqualTo(3);
        assertThat(lag.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(35);
        assertThat(lag.max(TimeUnit.MILLISECONDS)).isEqualTo(30);
        assertThat(Arrays.stream(lag.takeSnapshot().percentileValues()).map(ValueAtPercentile::percentile))
                .containsExactly(0.5, 0.9, 0.99, 0.999);
        assertThat(count(LoopMeters.TIMERS_FIRED)).as("the probe is a loop timer like any other").isEqualTo(3);
    }

    @Test
    void callbackWaitIsSampledByTheWatchdog() {
        LoopWatchdog watchdog = LoopWatchdog.manual();
        LoopMetrics.builder(loop).lagResolution(null).watchdog(watchdog)
                .callbackWaitInterval(Duration.ofMillis(100)).build().bindTo(registry);

        watchdog.checkNow();
        assertThat(loop.stats().pendingCallbacks()).as("no probe while no thread runs the loop").isZero();
        loop.execute(() -> {
            watchdog.checkNow(); // as if the watchdog ticked now: queues a probe
            scripted.clock.advance(Duration.ofMillis(7));
            watchdog.checkNow(); // one probe at a time, and the interval has not passed
        });
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT); // the probe runs 7 ms after it was queued
        scripted.clock.advance(Duration.ofMillis(100));
        loop.execute(watchdog::checkNow);
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT); // at once

        Timer wait = timer(LoopMeters.CALLBACK_WAIT);
        assertThat(wait.count()).isEqualTo(2);
        assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(7);
        assertThat(wait.max(TimeUnit.MILLISECONDS)).isEqualTo(7);
    }

    @Test
    void everyDocumentedMeterIsRegisteredWithItsTypeUnitAndDescription() {
        LoopMetrics.builder(loop).watchdog(LoopWatchdog.manual()).build().bindTo(registry);

        for (LoopMeters documented : LoopMeters.values()) {
            Collection<Meter> found = registry.find(documented.getName()).tag("loop", "main").meters();
            assertThat(found).as(documented.getName()).hasSize(documented == LoopMeters.TLS_FAILURES ? TlsFailure.values().length : 1);
            for (Meter meter : found) {
                assertThat(meter.getId().getType()).as(documented.getName()).isEqualTo(documented.getType());
                assertThat(meter.getId().getDescription()).isEqualTo(documented.getDescription());
                if (documented.getType() != Meter.Type.TIMER) { // a timer's unit is the registry's choice
                    assertThat(meter.getId().getBaseUnit()).as(documented.getName()).isEqualTo(documented.getBaseUnit());
                }
                assertThat(meter.getId().getTags()).extracting(t -> t.getKey()).containsExactlyInAnyOrder(
                        Arrays.stream(documented.getKeyNames()).map(KeyName::asString).toArray(String[]::new));
            }
        }
        assertThat(registry.find(LoopMeters.TLS_FAILURES.getName()).meters())
                .extracting(m -> m.getId().getTag(LoopMeters.TlsTag.CAUSE.asString()))
                .containsExactlyInAnyOrder(Arrays.stream(TlsFailure.values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toArray(String[]::new));
        // Besides the documented meters, Micrometer adds one '<timer>.percentile' gauge per published percentile.
        assertThat(registry.getMeters()).extracting(m -> m.getId().getName()).filteredOn(n -> !n.endsWith(".percentile"))
                .containsOnlyOnceElementsOf(Arrays.stream(LoopMeters.values()).filter(m -> m != LoopMeters.TLS_FAILURES)
                        .map(LoopMeters::getName).toList())
                .containsOnly(Arrays.stream(LoopMeters.values()).map(LoopMeters::getName).toArray(String[]::new));
    }

    @Test
    void meterNamesAreDottedLowerCaseWithNoUnit() {
        for (LoopMeters meter : LoopMeters.values()) {
            assertThat(meter.getName()).matches("weft\\.loop(\\.[a-z]+)+");
            assertThat(meter.getName().split("\\.")).doesNotContain("seconds", "nanos", "millis", "total", "ratio", "count");
            assertThat(meter.getDescription()).isNotBlank();
        }
    }

    @Test
    void commonTagsAreAddedToEveryMeter() {
        statsOnly(loop).tags(Tags.of("app", "orders")).build().bindTo(registry);

        assertThat(registry.getMeters()).isNotEmpty().allSatisfy(meter ->
                assertThat(meter.getId().getTag("app")).isEqualTo("orders"));
    }

    @Test
    void aGroupGetsOneLoopTagPerLoopAndSkipsADuplicateName() {
        EventLoop a = scripted.build("a");
        EventLoop b = scripted.build("b");
        EventLoop otherA = scripted.build("a");
        try {
            LoopMetrics.builder(List.of(a, b, otherA)).lagResolution(null).watchdog(null).build().bindTo(registry);

            assertThat(registry.find(LoopMeters.ITERATIONS.getName()).functionCounters())
                    .extracting(c -> c.getId().getTag("loop")).containsExactlyInAnyOrder("a", "b");
            a.execute(() -> { });
            a.run(RunMode.NOWAIT);
            assertThat(registry.get(LoopMeters.ITERATIONS.getName()).tag("loop", "a").functionCounter().count())
                    .as("the first loop named 'a' is the one read").isEqualTo(1);
        } finally {
            a.close();
            b.close();
            otherA.close();
        }
    }

    @Test
    void aClosedLoopGetsItsCountersButNoProbeOrAlarmMeters() {
        LoopWatchdog watchdog = LoopWatchdog.manual();
        loop.execute(() -> { });
        loop.run(RunMode.NOWAIT);
        loop.close();

        assertThatCode(() -> LoopMetrics.builder(loop).watchdog(watchdog).build().bindTo(registry)).doesNotThrowAnyException();

        assertThat(count(LoopMeters.ITERATIONS)).isEqualTo(1);
        for (LoopMeters unreadable : List.of(LoopMeters.LAG, LoopMeters.CALLBACK_WAIT, LoopMeters.BLOCKED, LoopMeters.BLOCKED_DURATION)) {
            assertThat(registry.find(unreadable.getName()).meter()).as(unreadable.getName()).isNull();
        }
        assertThat(watchdog.watchedLoops()).isZero();
    }

    @Test
    void aMeterThatCannotBeRegisteredIsLeftOutAndTheRestAreBound() {
        // Someone else owns this id, with another type: Micrometer refuses ours.
        Gauge.builder(LoopMeters.ITERATIONS.getName(), () -> 42).tag("loop", "main").register(registry);

        assertThatCode(() -> statsOnly(loop).build().bindTo(registry)).doesNotThrowAnyException();

        assertThat(registry.get(LoopMeters.ITERATIONS.getName()).gauge().value()).isEqualTo(42);
        assertThat(registry.find(LoopMeters.CALLBACKS.getName()).functionCounter()).isNotNull();
        assertThat(registry.find(LoopMeters.TIMERS_LIVE.getName()).gauge()).isNotNull();
    }

    @Test
    void closeStopsTheProbesAndRemovesTheMeters() {
        LoopWatchdog watchdog = LoopWatchdog.manual();
        LoopMetrics metrics = LoopMetrics.builder(loop).watchdog(watchdog).build();
        metrics.bindTo(registry);
        loop.run(RunMode.NOWAIT); // arms the lag probe
        assertThat(loop.stats().liveTimers()).isEqualTo(1);

        metrics.close();
        metrics.close();

        assertThat(loop.stats().liveTimers()).isZero();
        assertThat(watchdog.watchedLoops()).isZero();
        assertThat(registry.getMeters()).isEmpty();
        metrics.bindTo(registry);
        assertThat(registry.getMeters()).as("a closed binder binds nothing").isEmpty();
    }

    @Test
    void bindingToASecondRegistryFeedsBoth() {
        LoopWatchdog watchdog = LoopWatchdog.manual();
        MeterRegistry second = new SimpleMeterRegistry();
        LoopMetrics metrics = LoopMetrics.builder(loop).watchdog(watchdog).lagResolution(Duration.ofMillis(20)).build();
        metrics.bindTo(registry);
        metrics.bindTo(second);
        loop.schedule(Duration.ofHours(1), () -> { });
        loop.run(RunMode.NOWAIT);
        scripted.clock.advance(Duration.ofMillis(21));
        loop.run(RunMode.NOWAIT);

        assertThat(timer(LoopMeters.LAG).count()).isEqualTo(1);
        assertThat(second.get(LoopMeters.LAG.getName()).timer().count()).isEqualTo(1);
        assertThat(watchdog.watchedLoops()).as("one watch however many registries").isEqualTo(1);
        assertThat(loop.stats().liveTimers()).as("one probe and the keep-alive timer").isEqualTo(2);
    }

    private static void drain(Pipe.SourceChannel source) {
        try {
            source.read(ByteBuffer.allocate(64));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeByte(Pipe.SinkChannel sink) {
        try {
            sink.write(ByteBuffer.wrap(new byte[] {1}));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
