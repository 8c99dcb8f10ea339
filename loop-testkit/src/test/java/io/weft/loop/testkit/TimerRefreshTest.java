package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.Timer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Timer#refresh()} on a {@link ManualClock}: where the deadline goes, what a fired or
 * cancelled timer does, which thread may call it, and that it allocates nothing. Poller-independent
 * (the timer heap is the loop's own), so it runs on the NIO poller only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimerRefreshTest {
    private final ManualClock clock = new ManualClock();
    private final List<Throwable> thrown = new ArrayList<>();
    private final EventLoop loop = EventLoop.builder().name("refresh").clock(clock).poller("nio")
            .exceptionHandler((l, task, error) -> thrown.add(error)).build();

    @AfterEach
    void nothingLeaks() {
        loop.close();
        assertThat(thrown).isEmpty();
        assertThat(loop.stats().liveTimers()).as("timers left scheduled").isZero();
    }

    /** Runs {@code step} on the loop thread, in a callback, then one NOWAIT iteration. */
    private void onLoop(Runnable step) {
        loop.execute(step);
        loop.run(RunMode.NOWAIT);
    }

    private void advanceMillis(long millis) {
        clock.advance(Duration.ofMillis(millis));
        loop.run(RunMode.NOWAIT);
    }

    @Test
    void aRefreshedTimerFiresItsDelayAfterTheLastRefresh() {
        AtomicLong firedAt = new AtomicLong(-1);
        long start = clock.nanoTime();
        Timer timer = loop.schedule(Duration.ofMillis(10), () -> firedAt.set(loop.now() - start));
        loop.run(RunMode.NOWAIT);
        for (int i = 0; i < 5; i++) { // refreshed every 6 ms: the 10 ms never pass
            clock.advance(Duration.ofMillis(6));
            onLoop(() -> assertThat(timer.refresh()).isTrue());
        }
        assertThat(firedAt).hasValue(-1);
        advanceMillis(9);
        assertThat(firedAt).as("9 ms after the last refresh").hasValue(-1);
        advanceMillis(1);
        assertThat(firedAt).hasValue(Duration.ofMillis(40).toNanos());
        assertThat(timer.isDone()).isTrue();
        assertThat(loop.stats().liveTimers()).isZero();
        assertThat(loop.stats().timerHeapSize()).as("one heap entry, re-keyed, never a second").isZero();
    }

    @Test
    void aRefreshedTimerFiresAfterTimersWithTheSameDeadlineScheduledBeforeTheRefresh() {
        List<String> fired = new ArrayList<>();
        AtomicReference<Timer> refreshed = new AtomicReference<>();
        onLoop(() -> refreshed.set(loop.schedule(Duration.ofMillis(10), () -> fired.add("refreshed"))));
        clock.advance(Duration.ofMillis(5));
        onLoop(() -> {
            loop.schedule(Duration.ofMillis(10), () -> fired.add("before"));
            refreshed.get().refresh();
            loop.schedule(Duration.ofMillis(10), () -> fired.add("after"));
        });
        advanceMillis(10);
        assertThat(fired).containsExactly("before", "refreshed", "after");
    }

    @Test
    void aRepeatingTimerRunsAPeriodAfterARefreshThenEveryPeriod() {
        List<Long> firedAt = new ArrayList<>();
        long start = clock.nanoTime();
        Timer timer = loop.scheduleRepeating(Duration.ofMillis(10), Duration.ofMillis(10),
                () -> firedAt.add(TimeUnit.NANOSECONDS.toMillis(loop.now() - start)));
        loop.run(RunMode.NOWAIT);
        clock.advance(Duration.ofMillis(7));
        onLoop(timer::refresh);
        for (int i = 0; i < 30; i++) {
            advanceMillis(1);
        }
        assertThat(firedAt).containsExactly(17L, 27L, 37L);
        timer.cancel();
    }

    @Test
    void aRepeatingTimerThatRefreshesItselfInItsTaskRunsAPeriodAfterThat() {
        List<Long> firedAt = new ArrayList<>();
        long start = clock.nanoTime();
        AtomicReference<Timer> self = new AtomicReference<>();
        self.set(loop.scheduleRepeating(Duration.ofMillis(10), Duration.ofMillis(10), () -> {
            firedAt.add(TimeUnit.NANOSECONDS.toMillis(loop.now() - start));
            self.get().refresh();
        }));
        loop.run(RunMode.NOWAIT);
        clock.advance(Duration.ofMillis(13)); // 3 ms late: the refresh counts from now, not the grid
        loop.run(RunMode.NOWAIT);
        for (int i = 0; i < 10; i++) {
            advanceMillis(1);
        }
        assertThat(firedAt).containsExactly(13L, 23L);
        assertThat(loop.stats().timerRunsSkipped()).isZero();
        self.get().cancel();
    }

    @Test
    void aFiredOneShotOrACancelledTimerIsNotRevivedByARefresh() {
        AtomicInteger runs = new AtomicInteger();
        Timer fired = loop.schedule(Duration.ofMillis(1), runs::incrementAndGet);
        Timer cancelled = loop.schedule(Duration.ofMillis(1), runs::incrementAndGet);
        cancelled.cancel();
        advanceMillis(1);
        assertThat(runs).hasValue(1);
        onLoop(() -> {
            assertThat(fired.refresh()).isFalse();
            assertThat(cancelled.refresh()).isFalse();
        });
        advanceMillis(5);
        assertThat(runs).hasValue(1);
        assertThat(fired.isDone()).isTrue();
        assertThat(cancelled.isCancelled()).isTrue();
        assertThat(loop.run(RunMode.DEFAULT)).as("nothing keeps the loop alive").isFalse();
    }

    @Test
    void theIdleOwnerMayRefreshBeforeTheLoopRuns() {
        AtomicInteger runs = new AtomicInteger();
        Timer timer = loop.schedule(Duration.ofMillis(10), runs::incrementAndGet);
        clock.advance(Duration.ofMillis(8));
        assertThat(timer.refresh()).isTrue(); // from the fresh clock: the loop's cached time is stale
        advanceMillis(9);
        assertThat(runs).hasValue(0);
        advanceMillis(1);
        assertThat(runs).hasValue(1);
    }

    @Test
    void aRefreshFromAnotherThreadFailsFastSayingWhatToDo() {
        Timer timer = loop.schedule(Duration.ofMillis(10), () -> { });
        CompletableFuture<Boolean> elsewhere = CompletableFuture.supplyAsync(timer::refresh, Thread::startVirtualThread);
        assertThatThrownBy(elsewhere::join).hasCauseInstanceOf(IllegalStateException.class)
                .rootCause().hasMessageContaining("Timer.refresh()").hasMessageContaining("loop.execute(...)");
        timer.cancel();
    }

    /** Many timers refreshed at random: each fires exactly its delay after its own last refresh. */
    @Test
    void randomRefreshesKeepEveryTimerOnItsOwnDeadline() {
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            int count = 300;
            long start = loop.now();
            long[] delays = new long[count];
            long[] expected = new long[count];
            long[] firedAt = new long[count];
            Timer[] timers = new Timer[count];
            onLoop(() -> {
                for (int i = 0; i < count; i++) {
                    int id = i;
                    delays[i] = 1 + random.nextInt(40);
                    expected[i] = delays[i];
                    timers[i] = loop.schedule(Duration.ofMillis(delays[i]),
                            () -> firedAt[id] = TimeUnit.NANOSECONDS.toMillis(loop.now() - start));
                }
            });
            for (long ms = 1; ms <= 250; ms++) { // refreshes for 200 ms, then 50 ms for the last to fire
                clock.advance(Duration.ofMillis(1));
                long nowMs = ms;
                onLoop(() -> {
                    for (int i = 0; i < count && nowMs <= 200; i++) {
                        if (random.nextInt(8) == 0 && timers[i].refresh()) {
                            expected[i] = nowMs + delays[i];
                        }
                    }
                });
            }
            assertThat(firedAt).as("seed " + seed).containsExactly(expected);
        }
    }

    @Test
    void aRefreshPerRequestAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Timer timer = loop.schedule(Duration.ofMinutes(1), () -> { });
        AtomicLong perRefresh = new AtomicLong(Long.MAX_VALUE);
        int refreshes = 100_000;
        // The least of several rounds: the JIT compiles the path later on a busy machine.
        for (int round = 0; round < 20 && perRefresh.get() > 0; round++) {
            clock.advance(Duration.ofMillis(1));
            onLoop(() -> {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < refreshes; i++) {
                    timer.refresh();
                }
                perRefresh.accumulateAndGet((threads.getCurrentThreadAllocatedBytes() - before) / refreshes, Math::min);
            });
        }
        assertThat(perRefresh).as("bytes allocated per refresh").hasValue(0);
        timer.cancel();
    }
}
