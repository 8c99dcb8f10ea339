package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import io.weft.loop.vthreads.Carrier;
import io.weft.loop.vthreads.VirtualThreads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopWatchdogTest {
    private static final Duration THRESHOLD = Duration.ofMillis(100);

    private final ScriptedLoop scripted = ScriptedLoop.create();
    private final EventLoop loop = scripted.build("blocky");
    private final LoopWatchdog watchdog = LoopWatchdog.manual();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Logger julLogger = Logger.getLogger(LoopWatchdog.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void bind() {
        julLogger.addHandler(capture);
        LoopMetrics.builder(loop).watchdog(watchdog).lagResolution(null).callbackWaitInterval(null)
                .blockedThreshold(THRESHOLD).blockedLogInterval(Duration.ofSeconds(1)).build().bindTo(registry);
    }

    @AfterEach
    void tearDown() {
        julLogger.removeHandler(capture);
        loop.close();
    }

    private double episodes() {
        return registry.get(LoopMeters.BLOCKED.getName()).tag("loop", "blocky").counter().count();
    }

    private Timer durations() {
        return registry.get(LoopMeters.BLOCKED_DURATION.getName()).tag("loop", "blocky").timer();
    }

    private List<String> warnings() {
        return logged.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage).toList();
    }

    private void advance(long millis) {
        scripted.clock.advance(Duration.ofMillis(millis));
    }

    /** The frame the alarm must show: the loop thread is parked in here while the watchdog looks. */
    private static void blockHere(CountDownLatch release) {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The frame the alarm must show for a carried virtual thread: CPU-bound, it holds the loop without parking. */
    private static void spinHere(AtomicBoolean release) {
        while (!release.get()) {
            Thread.onSpinWait();
        }
    }

    private record Labelled(String label, Runnable body) implements Runnable {
        @Override
        public void run() {
            body.run();
        }

        @Override
        public String toString() {
            return label;
        }
    }

    @Test
    void aBlockedCallbackIsCountedOnceTimedAndLoggedWithTheStackSampledWhileItBlocked(@TempDir Path dir) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(new Labelled("the slow callback", () -> blockHere(release)));
        Thread loopThread = Thread.ofPlatform().name("blocky-loop").start(() -> loop.run(RunMode.NOWAIT));
        try (Recording recording = new Recording()) {
            recording.enable(BlockedLoopEvent.NAME);
            recording.start();
            ScriptedLoop.await(() -> loop.stats().taskStartNanos() != 0, "the callback to start");

            advance(60);
            watchdog.checkNow();
            assertThat(episodes()).as("under the threshold").isZero();
            advance(50);
            watchdog.checkNow(); // 110 ms: an episode, first sample
            advance(100);
            watchdog.checkNow(); // 210 ms: second sample
            advance(40);
            watchdog.checkNow(); // 250 ms: next sample is due at 400 ms
            assertThat(episodes()).isEqualTo(1);
            assertThat(warnings()).as("logged when the episode ends").isEmpty();

            release.countDown();
            loopThread.join();
            advance(5);
            watchdog.checkNow(); // over: 255 ms
            watchdog.checkNow();
            recording.stop();

            assertThat(episodes()).isEqualTo(1);
            assertThat(durations().count()).isEqualTo(1);
            assertThat(durations().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(255);
            assertThat(warnings()).singleElement().satisfies(message -> {
                assertThat(message).startsWith("loop 'blocky' was blocked for 255 ms (threshold 100 ms) by the slow callback;")
                        .contains("thread 'blocky-loop'", "after 110 ms:", "after 210 ms:", "LoopWatchdogTest.blockHere")
                        .doesNotContain("after 250 ms");
            });

            Path file = dir.resolve("blocked.jfr");
            recording.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals(BlockedLoopEvent.NAME)).toList();
            assertThat(events).singleElement().satisfies(event -> {
                assertThat(event.getString("loop")).isEqualTo("blocky");
                assertThat(event.getString("task")).isEqualTo("the slow callback");
                assertThat(event.getDuration("blockedDuration")).isEqualTo(Duration.ofMillis(255));
                assertThat(event.getDuration("threshold")).isEqualTo(THRESHOLD);
                assertThat(event.getInt("stackSamples")).isEqualTo(2);
                assertThat(event.getThread("loopThread").getJavaName()).isEqualTo("blocky-loop");
                assertThat(event.getString("stack")).contains("LoopWatchdogTest.blockHere");
            });
            assertThat(Files.size(file)).isPositive();
        }
    }

    @Test
    void aCarriedVirtualThreadThatHoldsTheLoopIsNamedAndItsOwnStackIsSampled() throws Exception {
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        assertThat(threads.carrier()).as("the test JVM opens java.lang").isEqualTo(Carrier.LOOP);
        AtomicBoolean release = new AtomicBoolean();
        Thread spinner = threads.start(() -> spinHere(release));
        Thread loopThread = Thread.ofPlatform().name("blocky-loop").start(() -> loop.run(RunMode.NOWAIT));
        ScriptedLoop.await(() -> loop.carriedThread() == spinner, "the loop thread to carry the spinner");

        advance(110);
        watchdog.checkNow(); // an episode, first sample: of the spinner, not of the loop thread running its continuation
        release.set(true);
        loopThread.join();
        spinner.join();
        advance(5);
        watchdog.checkNow();

        assertThat(loop.carriedThread()).as("nothing carried once the run is over").isNull();
        assertThat(episodes()).isEqualTo(1);
        assertThat(warnings()).singleElement().satisfies(message -> assertThat(message)
                .startsWith("loop 'blocky' was blocked for 115 ms (threshold 100 ms) by ")
                .contains(" running virtual thread '" + spinner.getName() + "';")
                .contains("thread 'blocky-loop'", "after 110 ms, in virtual thread '" + spinner.getName() + "' carried by the loop thread:",
                        "LoopWatchdogTest.spinHere")
                .doesNotContain("no stack sampled"));
    }

    @Test
    void workUnderTheThresholdRaisesNothingEvenWhenTasksFollowEachOther() {
        // The watchdog looks at each task while it runs: three 60 ms tasks in a row are not one 180 ms block.
        for (int i = 0; i < 3; i++) {
            loop.execute(() -> {
                advance(60);
                watchdog.checkNow();
            });
        }
        loop.schedule(Duration.ZERO, () -> {
            advance(99);
            watchdog.checkNow();
        });
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);
        advance(500);
        watchdog.checkNow();

        assertThat(episodes()).isZero();
        assertThat(durations().count()).isZero();
        assertThat(warnings()).isEmpty();
    }

    @Test
    void logLinesAreRateLimitedAndTheOnesLeftOutAreCountedInTheNext() {
        Runnable blocks150ms = () -> {
            watchdog.checkNow(); // ends the previous episode, if any
            advance(150);
            watchdog.checkNow();
        };
        loop.execute(new Labelled("first", blocks150ms));
        loop.execute(new Labelled("second", blocks150ms));
        loop.execute(new Labelled("third", () -> {
            watchdog.checkNow();
            advance(2_000); // past the 1 s log interval
            watchdog.checkNow();
        }));
        loop.run(RunMode.NOWAIT);
        watchdog.checkNow();

        assertThat(episodes()).isEqualTo(3);
        assertThat(durations().count()).isEqualTo(3);
        assertThat(durations().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(150 + 150 + 2_000);
        assertThat(warnings()).hasSize(2);
        assertThat(warnings().get(0)).contains("blocked for 150 ms", "by first;");
        assertThat(warnings().get(1)).contains("blocked for 2000 ms", "by third", "(1 earlier blocked episode not logged");
    }

    @Test
    void aLoopStillBlockedAfterTheLastSampleIsLoggedThenAndOnlyThen() {
        loop.execute(new Labelled("stuck", () -> {
            long blocked = 0;
            for (int sample = 0; sample < LoopWatchdog.MAX_SAMPLES; sample++) {
                long next = THRESHOLD.toMillis() << sample;
                advance(next - blocked);
                blocked = next;
                watchdog.checkNow();
            }
            assertThat(warnings()).singleElement().satisfies(message ->
                    assertThat(message).startsWith("loop 'blocky' is still blocked after 3200 ms (threshold 100 ms) by stuck;")
                            .contains("after 100 ms:", "after 3200 ms: same stack as before"));
            advance(1_000);
            watchdog.checkNow();
        }));
        loop.run(RunMode.NOWAIT);
        watchdog.checkNow();

        assertThat(episodes()).isEqualTo(1);
        assertThat(durations().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(4_200);
        assertThat(warnings()).as("one line per episode").hasSize(1);
    }

    @Test
    void aTimerTaskThatBlocksIsCaughtToo() {
        loop.schedule(Duration.ofMillis(10), () -> {
            advance(300);
            watchdog.checkNow();
        });
        loop.run(RunMode.NOWAIT); // a timer scheduled from outside the loop joins the heap here
        advance(10);
        loop.run(RunMode.NOWAIT);
        watchdog.checkNow();

        assertThat(episodes()).isEqualTo(1);
        assertThat(durations().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(300);
        assertThat(warnings()).singleElement().asString().contains("LoopWatchdogTest.lambda$aTimerTaskThatBlocksIsCaughtToo");
    }

    @Test
    void theTaskIsItsLabelWhenItHasOneElseItsClass() {
        Runnable lambda = () -> { };
        assertThat(LoopWatchdog.describe(new Labelled("a label", lambda))).isEqualTo("a label");
        assertThat(LoopWatchdog.describe(lambda)).startsWith(LoopWatchdogTest.class.getName() + "$$Lambda");
        Object anonymous = new Object() { };
        assertThat(LoopWatchdog.describe(anonymous)).isEqualTo(anonymous.getClass().getName());
        assertThat(LoopWatchdog.describe(null)).isEqualTo("an unknown task");
    }

    @Test
    void aClosedLoopIsNoLongerWatched() {
        assertThat(watchdog.watchedLoops()).isEqualTo(1);
        loop.close();
        watchdog.checkNow();
        assertThat(watchdog.watchedLoops()).isZero();
    }

    @Test
    void aThreadedWatchdogRunsOneDaemonThreadWhileItHasLoopsToWatch() {
        LoopWatchdog threaded = LoopWatchdog.create("weft-test-watchdog", Duration.ofMillis(1));
        EventLoop other = scripted.build("other");
        LoopMetrics metrics = LoopMetrics.builder(List.of(loop, other)).watchdog(threaded).lagResolution(null)
                .callbackWaitInterval(null).build();
        try {
            metrics.bindTo(new SimpleMeterRegistry());
            assertThat(threaded.watchedLoops()).isEqualTo(2);
            assertThat(watchdogThreads()).singleElement().satisfies(t -> assertThat(t.isDaemon()).isTrue());

            metrics.close();
            assertThat(threaded.watchedLoops()).isZero();
            ScriptedLoop.await(() -> watchdogThreads().isEmpty(), "the watchdog thread to end");
        } finally {
            metrics.close();
            other.close();
        }
    }

    private static List<Thread> watchdogThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("weft-test-watchdog") && t.isAlive()).toList();
    }
}
