package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Interest;
import io.weft.loop.core.LoopClock;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.Timer;
import io.weft.loop.core.Watcher;
import io.weft.loop.core.WatcherHandler;
import io.weft.loop.core.spi.PollerProvider;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop's contract, written once and run against every poller: a backend's test extends this
 * class and says how to make its poller and a pipe it can watch.
 *
 * <p>Timer tests drive a {@link ManualClock} and run the loop with {@link RunMode#NOWAIT}; nothing
 * here sleeps or asserts elapsed wall time. Every test ends by closing the loop and checking that
 * no watcher, timer or callback is left.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class EventLoopContract {
    /** For a subclass, which names the poller the suite runs on. */
    protected EventLoopContract() {
    }


    /** {@return the poller under test} */
    protected abstract PollerProvider provider();

    /**
     * A pipe the poller under test can watch.
     *
     * @return a new pipe, which the caller closes
     * @throws IOException if the pipe cannot be opened
     */
    protected abstract TestPipe newPipe() throws IOException;

    /** The clock of {@link #newLoop()}'s loops; only the test moves it. */
    protected final ManualClock clock = new ManualClock();
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<TestPipe> pipes = new ArrayList<>();
    /** What the loops' exception handler received, in order (written on the loop thread). */
    protected final List<Throwable> thrown = new ArrayList<>();

    /** {@return a loop on {@link #provider()} and {@link #clock}, closed and checked for leaks after the test} */
    protected EventLoop newLoop() {
        return newLoop(provider(), clock);
    }

    /**
     * {@return a loop on {@code poller} and {@code loopClock}, closed and checked for leaks after the test}
     *
     * @param poller the poller to run on
     * @param loopClock the clock of the loop
     */
    protected EventLoop newLoop(PollerProvider poller, LoopClock loopClock) {
        EventLoop loop = EventLoop.builder().name("test").clock(loopClock).poller(poller)
                .exceptionHandler((l, task, error) -> thrown.add(error)).build();
        loops.add(loop);
        return loop;
    }

    /**
     * {@return a pipe from {@link #newPipe()}, closed after the test}
     *
     * @throws IOException if the pipe cannot be opened
     */
    protected TestPipe pipe() throws IOException {
        TestPipe pipe = newPipe();
        pipes.add(pipe);
        return pipe;
    }

    @AfterEach
    void nothingLeaks() throws IOException {
        for (EventLoop loop : loops) {
            loop.close();
            assertThat(loop.isClosed()).isTrue();
            assertThat(loop.stats().liveWatchers()).as("watchers left open").isZero();
            assertThat(loop.stats().liveTimers()).as("timers left scheduled").isZero();
            assertThat(loop.stats().pendingCallbacks()).as("callbacks left queued").isZero();
            assertThat(loop.terminationFuture()).isCompleted();
        }
        for (TestPipe pipe : pipes) {
            pipe.close();
        }
    }

    // ------------------------------------------------------------------ phases

    @Test
    void phasesRunInLibuvOrder() throws IOException {
        EventLoop loop = newLoop();
        TestPipe ready = pipe();
        TestPipe closed = pipe();
        List<String> order = new ArrayList<>();
        loop.execute(() -> {
            Watcher victim = loop.watch(closed.readEnd(), Interest.READABLE, (w, r) -> { });
            loop.watch(ready.readEnd(), Interest.READABLE, (w, r) -> {
                order.add("io");
                w.close();
                victim.close(() -> order.add("close"));
            });
            loop.schedule(Duration.ZERO, () -> order.add("timer"));
            loop.execute(() -> order.add("callback"));
        });
        loop.run(RunMode.NOWAIT); // the setup callback runs; the watchers are armed
        ready.writeByte();
        loop.run(RunMode.NOWAIT);
        assertThat(order).containsExactly("timer", "callback", "io", "close");
    }

    @Test
    void callbacksQueuedWhileCallbacksRunWaitForTheNextIteration() {
        EventLoop loop = newLoop();
        List<String> ran = new ArrayList<>();
        loop.execute(() -> {
            ran.add("first");
            loop.execute(() -> ran.add("second"));
        });
        loop.run(RunMode.NOWAIT);
        assertThat(ran).containsExactly("first");
        loop.run(RunMode.NOWAIT);
        assertThat(ran).containsExactly("first", "second");
    }

    @Test
    void aSelfRequeueingCallbackDoesNotStarveIo() throws IOException {
        EventLoop loop = newLoop();
        TestPipe pipe = pipe();
        AtomicInteger events = new AtomicInteger();
        AtomicBoolean requeue = new AtomicBoolean(true);
        loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> events.incrementAndGet());
        Runnable spinner = new Runnable() {
            @Override
            public void run() {
                if (requeue.get()) {
                    loop.execute(this);
                }
            }
        };
        loop.execute(spinner);
        pipe.writeByte();
        loop.run(RunMode.ONCE);
        loop.run(RunMode.ONCE);
        assertThat(events).hasPositiveValue();
        requeue.set(false);
        loop.run(RunMode.NOWAIT);
    }

    // ------------------------------------------------------------------ timers

    @Test
    void timersWithTheSameDeadlineFireInSchedulingOrder() {
        EventLoop loop = newLoop();
        List<Integer> fired = new ArrayList<>();
        loop.execute(() -> {
            for (int i = 0; i < 50; i++) {
                int id = i;
                loop.schedule(Duration.ofMillis(10), () -> fired.add(id));
            }
            loop.schedule(Duration.ofMillis(5), () -> fired.add(-1));
        });
        loop.run(RunMode.NOWAIT);
        clock.advance(Duration.ofMillis(10));
        loop.run(RunMode.NOWAIT);
        assertThat(fired).hasSize(51).first().isEqualTo(-1);
        assertThat(fired.subList(1, 51)).isSorted();
    }

    @Test
    void aTimerDoesNotFireBeforeItsDeadline() {
        EventLoop loop = newLoop();
        AtomicInteger fired = new AtomicInteger();
        Timer timer = loop.schedule(Duration.ofMillis(10), fired::incrementAndGet);
        loop.run(RunMode.NOWAIT);
        clock.advance(Duration.ofMillis(9));
        loop.run(RunMode.NOWAIT);
        assertThat(fired).hasValue(0);
        clock.advance(Duration.ofMillis(1));
        loop.run(RunMode.NOWAIT);
        assertThat(fired).hasValue(1);
        assertThat(timer.isDone()).isTrue();
        assertThat(loop.stats().timersFired()).isEqualTo(1);
    }

    @Test
    void aRepeatingTimerRearmsFromItsDeadlineSoItDoesNotDrift() {
        EventLoop loop = newLoop();
        List<Long> firedAt = new ArrayList<>();
        long start = clock.nanoTime();
        loop.scheduleRepeating(Duration.ofMillis(10), Duration.ofMillis(10), () -> firedAt.add(loop.now() - start));
        loop.run(RunMode.NOWAIT);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMillis(13)); // always 3 ms late...
            loop.run(RunMode.NOWAIT);
            clock.advance(Duration.ofMillis(7)); // ...and the deadline stays on the 10 ms grid
            loop.run(RunMode.NOWAIT);
        }
        assertThat(firedAt).hasSize(10);
        assertThat(firedAt.get(9)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(loop.stats().timerRunsSkipped()).isZero();
    }

    @Test
    void aRepeatingTimerSkipsMissedRunsInsteadOfFiringABurst() {
        EventLoop loop = newLoop();
        AtomicInteger runs = new AtomicInteger();
        loop.scheduleRepeating(Duration.ofMillis(10), Duration.ofMillis(10), runs::incrementAndGet);
        loop.run(RunMode.NOWAIT);
        clock.advance(Duration.ofMillis(55)); // deadlines 10, 20, 30, 40, 50 have all passed
        loop.run(RunMode.NOWAIT);
        assertThat(runs).hasValue(1);
        assertThat(loop.stats().timerRunsSkipped()).isEqualTo(4);
        clock.advance(Duration.ofMillis(4)); // 59: next deadline is 60
        loop.run(RunMode.NOWAIT);
        assertThat(runs).hasValue(1);
        clock.advance(Duration.ofMillis(1));
        loop.run(RunMode.NOWAIT);
        assertThat(runs).hasValue(2);
    }

    @Test
    void aTimerCancelledByAnEarlierTimerInTheSamePhaseDoesNotFire() {
        EventLoop loop = newLoop();
        AtomicInteger victimRuns = new AtomicInteger();
        AtomicReference<Timer> victim = new AtomicReference<>();
        loop.execute(() -> {
            loop.schedule(Duration.ofMillis(1), () -> victim.get().cancel());
            victim.set(loop.schedule(Duration.ofMillis(1), victimRuns::incrementAndGet));
        });
        loop.run(RunMode.NOWAIT);
        clock.advance(Duration.ofMillis(1));
        loop.run(RunMode.NOWAIT);
        assertThat(victimRuns).hasValue(0);
        assertThat(victim.get().isCancelled()).isTrue();
        assertThat(loop.stats().liveTimers()).isZero();
    }

    @Test
    void aRepeatingTimerCanCancelItselfFromItsTask() {
        EventLoop loop = newLoop();
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Timer> self = new AtomicReference<>();
        self.set(loop.scheduleRepeating(Duration.ofMillis(1), Duration.ofMillis(1), () -> {
            if (runs.incrementAndGet() == 3) {
                self.get().cancel();
            }
        }));
        loop.run(RunMode.NOWAIT);
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofMillis(1));
            loop.run(RunMode.NOWAIT);
        }
        assertThat(runs).hasValue(3);
        assertThat(loop.run(RunMode.DEFAULT)).as("nothing keeps the loop alive").isFalse();
    }

    @Test
    void aTimerCancelledFromAnotherThreadDoesNotFireAndStopsKeepingTheLoopAlive() throws Exception {
        EventLoop loop = newLoop();
        AtomicInteger fired = new AtomicInteger();
        Timer timer = loop.schedule(Duration.ofMillis(10), fired::incrementAndGet);
        loop.run(RunMode.NOWAIT);
        Thread canceller = Thread.ofPlatform().start(() -> assertThat(timer.cancel()).isTrue());
        canceller.join();
        assertThat(timer.cancel()).as("second cancel").isFalse();
        clock.advance(Duration.ofMillis(10));
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        assertThat(fired).hasValue(0);
        assertThat(timer.isCancelled()).isTrue();
    }

    @Test
    void cancelledTimersArePurgedWhenTheyAreMoreThanHalfTheHeap() {
        EventLoop loop = newLoop();
        List<Timer> timers = new ArrayList<>();
        loop.execute(() -> {
            for (int i = 0; i < 1000; i++) {
                timers.add(loop.schedule(Duration.ofSeconds(1 + i), () -> { }));
            }
        });
        loop.run(RunMode.NOWAIT);
        assertThat(loop.stats().timerHeapSize()).isEqualTo(1000);
        // Spare the earliest timer, so no cancelled one reaches the top of the heap and is popped there.
        loop.execute(() -> timers.subList(1, 500).forEach(Timer::cancel));
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);
        assertThat(loop.stats().timerHeapSize()).as("lazy: not more than half cancelled").isEqualTo(1000);
        loop.execute(() -> timers.get(500).cancel());
        loop.execute(() -> timers.get(501).cancel());
        loop.run(RunMode.NOWAIT);
        assertThat(loop.stats().timerHeapSize()).isLessThanOrEqualTo(499);
        assertThat(loop.stats().liveTimers()).isEqualTo(499);
    }

    @Test
    void theEarliestTimerBoundsThePollTimeout() {
        RecordingPollerProvider recording = new RecordingPollerProvider(provider(), true);
        EventLoop loop = newLoop(recording, clock);
        loop.execute(() -> loop.schedule(Duration.ofMillis(250), () -> { }));
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.ONCE);
        assertThat(recording.timeouts).last().isEqualTo(Duration.ofMillis(250).toNanos());
        clock.advance(Duration.ofMillis(100));
        loop.run(RunMode.ONCE);
        assertThat(recording.timeouts).last().isEqualTo(Duration.ofMillis(150).toNanos());
    }

    @Test
    void thePollWaitsWithoutBoundWhenOnlyWatchersAreAlive() throws IOException {
        RecordingPollerProvider recording = new RecordingPollerProvider(provider(), true);
        EventLoop loop = newLoop(recording, clock);
        loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        loop.run(RunMode.ONCE);
        assertThat(recording.timeouts).last().isEqualTo(-1L);
    }

    @Test
    void thePollDoesNotWaitWhileCallbacksArePendingOrInNowaitMode() throws IOException {
        RecordingPollerProvider recording = new RecordingPollerProvider(provider(), true);
        EventLoop loop = newLoop(recording, clock);
        loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        loop.execute(() -> loop.execute(() -> { }));
        loop.run(RunMode.ONCE);
        assertThat(recording.timeouts).last().isEqualTo(0L);
        loop.run(RunMode.NOWAIT);
        assertThat(recording.timeouts).last().isEqualTo(0L);
    }

    // ------------------------------------------------------------------ liveness and run modes

    @Test
    void runReturnsAtOnceWhenNothingIsAlive() {
        EventLoop loop = newLoop();
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        assertThat(loop.run(RunMode.ONCE)).isFalse();
        assertThat(loop.run(RunMode.NOWAIT)).isFalse();
    }

    @Test
    void anUnreferencedTimerDoesNotKeepTheLoopAlive() {
        EventLoop loop = newLoop();
        AtomicInteger fired = new AtomicInteger();
        loop.execute(() -> loop.schedule(Duration.ofMillis(5), fired::incrementAndGet).unref());
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        assertThat(fired).hasValue(0);
        assertThat(loop.stats().liveTimers()).isEqualTo(1);
    }

    @Test
    void anActiveWatcherKeepsTheLoopAliveUntilUnreferencedOrStopped() throws IOException {
        EventLoop loop = newLoop();
        Watcher watcher = loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        assertThat(loop.run(RunMode.NOWAIT)).isTrue();
        watcher.unref();
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        watcher.ref();
        assertThat(loop.run(RunMode.NOWAIT)).isTrue();
        watcher.stop();
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        watcher.start(Interest.READABLE);
        assertThat(loop.run(RunMode.NOWAIT)).isTrue();
    }

    @Test
    void aClosingWatcherKeepsTheLoopAliveUntilItsCloseCallbackRan() throws IOException {
        EventLoop loop = newLoop();
        AtomicBoolean closed = new AtomicBoolean();
        Watcher watcher = loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        watcher.close(() -> closed.set(true));
        assertThat(closed).isFalse();
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        assertThat(closed).isTrue();
    }

    @Test
    void stopFromACallbackEndsDefaultRunWhileHandlesAreAlive() throws IOException {
        EventLoop loop = newLoop();
        loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        loop.execute(loop::stop);
        assertThat(loop.run(RunMode.DEFAULT)).isTrue();
        assertThat(loop.run(RunMode.NOWAIT)).as("stop lasts for one run only").isTrue();
    }

    @Test
    void stopFromAnotherThreadWakesABlockedPoll() throws Exception {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        CountDownLatch started = new CountDownLatch(1);
        loop.execute(started::countDown);
        Thread stopper = Thread.ofPlatform().start(() -> {
            try {
                started.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.stop();
        });
        assertThat(loop.run(RunMode.DEFAULT)).isTrue();
        stopper.join();
    }

    @Test
    void onceBlocksUntilAnEventArrivesThenReturns() throws Exception {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        TestPipe pipe = pipe();
        AtomicInteger events = new AtomicInteger();
        loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> {
            events.incrementAndGet();
            w.stop();
        });
        loop.run(RunMode.NOWAIT); // arm
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                pipe.writeByte();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        while (events.get() == 0) {
            loop.run(RunMode.ONCE);
        }
        writer.join();
        assertThat(events).hasValue(1);
    }

    // ------------------------------------------------------------------ watchers and dispatch

    @Test
    void aReadableSourceIsDispatchedWithReadable() throws IOException {
        EventLoop loop = newLoop();
        TestPipe pipe = pipe();
        List<Interest> seen = new ArrayList<>();
        loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> {
            seen.add(r);
            try {
                pipe.drain();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        loop.run(RunMode.NOWAIT);
        assertThat(seen).isEmpty();
        pipe.writeByte();
        loop.run(RunMode.NOWAIT);
        assertThat(seen).containsExactly(Interest.READABLE);
        loop.run(RunMode.NOWAIT);
        assertThat(seen).as("drained: level-triggered readiness is gone").hasSize(1);
        assertThat(loop.stats().ioEvents()).isEqualTo(1);
    }

    @Test
    void aWatcherClosedDuringDispatchGetsNoPendingEvent() throws IOException {
        assertThat(handlerCallsWhenTheFirstHandlerSilencesBoth(Watcher::close)).hasValue(1);
    }

    @Test
    void aWatcherStoppedDuringDispatchGetsNoPendingEvent() throws IOException {
        assertThat(handlerCallsWhenTheFirstHandlerSilencesBoth(Watcher::stop)).hasValue(1);
    }

    /** Two watchers ready in one batch; whichever handler runs first applies {@code silence} to both. */
    private AtomicInteger handlerCallsWhenTheFirstHandlerSilencesBoth(java.util.function.Consumer<Watcher> silence)
            throws IOException {
        EventLoop loop = newLoop();
        TestPipe a = pipe();
        TestPipe b = pipe();
        AtomicInteger calls = new AtomicInteger();
        Watcher[] both = new Watcher[2];
        WatcherHandler silenceBoth = (w, r) -> {
            calls.incrementAndGet();
            silence.accept(both[0]);
            silence.accept(both[1]);
        };
        both[0] = loop.watch(a.readEnd(), Interest.READABLE, silenceBoth);
        both[1] = loop.watch(b.readEnd(), Interest.READABLE, silenceBoth);
        loop.run(RunMode.NOWAIT);
        a.writeByte();
        b.writeByte();
        loop.run(RunMode.NOWAIT);
        return calls;
    }

    @Test
    void aNewWatcherInAReusedSlotGetsNoEventMeantForTheOldOne() throws IOException {
        EventLoop loop = newLoop();
        TestPipe first = pipe();
        TestPipe second = pipe();
        List<String> calls = new ArrayList<>();
        Watcher[] old = new Watcher[1];
        WatcherHandler replacer = (w, r) -> {
            calls.add("replacer");
            old[0].close();
            // Same source, same slot, next generation: the event already in this batch is stale.
            loop.watch(second.readEnd(), Interest.READABLE, (w2, r2) -> calls.add("new"));
            w.stop();
        };
        loop.watch(first.readEnd(), Interest.READABLE, replacer);
        old[0] = loop.watch(second.readEnd(), Interest.READABLE, (w, r) -> calls.add("old"));
        loop.run(RunMode.NOWAIT);
        first.writeByte();
        second.writeByte();
        loop.run(RunMode.NOWAIT);
        assertThat(calls).doesNotContain("new");
        assertThat(calls).containsAnyOf("replacer");
        loop.run(RunMode.NOWAIT);
        assertThat(calls).as("level-triggered: the new watcher sees the data next time").contains("new");
    }

    @Test
    void interestChangesAreBatchedAndAppliedOnlyWhenTheyChange() throws IOException {
        RecordingPollerProvider recording = new RecordingPollerProvider(provider(), true);
        EventLoop loop = newLoop(recording, clock);
        Watcher watcher = loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        watcher.stop();
        watcher.start(Interest.READABLE);
        loop.run(RunMode.NOWAIT);
        assertThat(recording.updates).containsExactly("0->1");
        watcher.stop();
        watcher.start(Interest.READABLE);
        loop.run(RunMode.NOWAIT);
        assertThat(recording.updates).as("stop+start in one iteration changes nothing").containsExactly("0->1");
        watcher.stop();
        loop.execute(() -> { }); // a stopped watcher alone does not keep the loop alive
        loop.run(RunMode.NOWAIT);
        assertThat(recording.updates).containsExactly("0->1", "1->0");
    }

    @Test
    void aWritableSourceIsDispatchedWithWritable() throws IOException {
        EventLoop loop = newLoop();
        List<Interest> seen = new ArrayList<>();
        loop.watch(pipe().writeEnd(), Interest.WRITABLE, (w, r) -> {
            seen.add(r);
            w.stop();
        });
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);
        assertThat(seen).containsExactly(Interest.WRITABLE);
    }

    @Test
    void steadyStateIterationsAllocateNothing() throws IOException {
        EventLoop loop = newLoop();
        TestPipe pipe = pipe();
        AtomicInteger events = new AtomicInteger();
        loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> events.incrementAndGet());
        Runnable requeue = new Runnable() {
            @Override
            public void run() {
                loop.execute(this);
            }
        };
        loop.execute(requeue);
        pipe.writeByte(); // never drained: level-triggered, so every iteration dispatches one event
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        // The least of several rounds: until the JIT has compiled the loop (later on a busy machine),
        // the interpreter allocates what compiled code keeps in registers.
        int iterations = 20_000;
        long perIteration = Long.MAX_VALUE;
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int round = 0; perIteration > 0 && (round < 10 || System.nanoTime() < giveUp); round++) {
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < iterations; i++) {
                loop.run(RunMode.NOWAIT);
            }
            perIteration = Math.min(perIteration, (threads.getThreadAllocatedBytes(tid) - before) / iterations);
        }
        assertThat(events.get()).as("one event per iteration").isGreaterThanOrEqualTo(iterations);
        assertThat(perIteration).as("bytes allocated per iteration (timers, callbacks, poll, dispatch)").isLessThan(8);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void exceptionsFromCallbacksTimersAndHandlersGoToTheHandlerAndTheLoopGoesOn() throws IOException {
        EventLoop loop = newLoop();
        TestPipe pipe = pipe();
        AtomicBoolean after = new AtomicBoolean();
        loop.execute(() -> {
            throw new IllegalStateException("from a callback");
        });
        loop.execute(() -> loop.schedule(Duration.ZERO, () -> {
            throw new IllegalStateException("from a timer");
        }));
        loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> {
            w.stop();
            throw new IllegalStateException("from a handler");
        });
        pipe.writeByte();
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);
        loop.execute(() -> after.set(true));
        loop.run(RunMode.NOWAIT);
        assertThat(thrown).extracting(Throwable::getMessage)
                .containsExactlyInAnyOrder("from a callback", "from a timer", "from a handler");
        assertThat(loop.stats().exceptions()).isEqualTo(3);
        assertThat(after).isTrue();
    }

    @Test
    void everyThrowableGoesToTheHandlerAndTheLoopGoesOn() throws IOException {
        EventLoop loop = newLoop();
        TestPipe pipe = pipe();
        AtomicBoolean after = new AtomicBoolean();
        loop.execute(() -> {
            throw new AssertionError("from a callback");
        });
        loop.schedule(Duration.ZERO, () -> {
            throw new OutOfMemoryError("from a timer");
        });
        loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> {
            w.stop();
            throwUnchecked(new IOException("from a handler"));
        });
        pipe.writeByte();
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);
        loop.execute(() -> after.set(true));
        loop.run(RunMode.NOWAIT);
        assertThat(thrown).extracting(Throwable::getMessage)
                .containsExactlyInAnyOrder("from a callback", "from a timer", "from a handler");
        assertThat(loop.stats().exceptions()).isEqualTo(3);
        assertThat(after).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void throwUnchecked(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void aHandlerThatRethrowsEndsRunWithItAfterTheIterationAndCloseCleansUp() throws IOException {
        EventLoop loop = EventLoop.builder().name("rethrowing").clock(clock).poller(provider())
                .exceptionHandler((l, task, error) -> throwUnchecked(error)).build();
        loops.add(loop);
        loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        loop.scheduleRepeating(Duration.ZERO, Duration.ofMillis(1), () -> {
            throw new AssertionError("boom");
        });
        AtomicBoolean restOfIteration = new AtomicBoolean();
        loop.execute(() -> restOfIteration.set(true));
        assertThatThrownBy(() -> loop.run(RunMode.DEFAULT)).isInstanceOf(AssertionError.class).hasMessage("boom");
        assertThat(restOfIteration).as("the iteration ran to its end").isTrue();
        assertThat(loop.stats().liveTimers()).as("the repeating timer is still scheduled").isEqualTo(1);
        loop.close(); // and nothingLeaks checks that close cleaned everything up
    }

    @Test
    void misuseFailsFastWithAMessageAndCorruptsNothing() throws Exception {
        EventLoop loop = newLoop();
        TestPipe pipe = pipe();
        assertThatThrownBy(() -> loop.execute(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("task");
        assertThatThrownBy(() -> loop.schedule(Duration.ofMillis(-1), () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay must be >= 0");
        assertThatThrownBy(() -> loop.scheduleRepeating(Duration.ZERO, Duration.ZERO, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period must be positive");
        assertThatThrownBy(() -> loop.schedule(null, () -> { })).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> loop.watch(pipe.readEnd(), Interest.NONE, (w, r) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("READABLE, WRITABLE or BOTH");
        Watcher watcher = loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> { });
        assertThatThrownBy(() -> loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already watched");
        AtomicReference<Throwable> offLoop = new AtomicReference<>();
        Thread other = Thread.ofPlatform().name("intruder").start(() -> {
            try {
                watcher.stop();
            } catch (Throwable t) {
                offLoop.set(t);
            }
        });
        other.join();
        assertThat(offLoop.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be called on the thread of loop 'test'").hasMessageContaining("intruder");
        assertThatThrownBy(() -> watcher.start(Interest.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stop()");
        // None of that broke the loop: valid calls still work.
        AtomicInteger fired = new AtomicInteger();
        loop.schedule(Duration.ZERO, fired::incrementAndGet);
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);
        assertThat(fired).hasValue(1);
        watcher.close();
        assertThatThrownBy(() -> watcher.start(Interest.READABLE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("watcher is closed");
        loop.run(RunMode.NOWAIT);
    }

    @Test
    void aClosedLoopRefusesWorkWithAClearMessage() throws IOException {
        EventLoop loop = newLoop();
        TestPipe pipe = pipe();
        loop.close();
        assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> loop.run(RunMode.DEFAULT)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
        assertThatThrownBy(() -> loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        loop.close(); // idempotent
    }

    @Test
    void runningOnASecondThreadFailsFast() throws Exception {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        AtomicReference<Throwable> second = new AtomicReference<>();
        CountDownLatch tried = new CountDownLatch(1);
        loop.execute(() -> {
            Thread.ofPlatform().start(() -> {
                try {
                    loop.run(RunMode.NOWAIT);
                } catch (Throwable t) {
                    second.set(t);
                }
                tried.countDown();
            });
        });
        loop.execute(() -> {
            try {
                tried.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.stop();
        });
        loop.run(RunMode.DEFAULT);
        assertThat(second.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
    }

    // ------------------------------------------------------------------ threads

    @Test
    void eightThreadsSubmittingAHundredThousandTasksEachRunEveryTaskExactlyOnce() throws Exception {
        RecordingPollerProvider recording = new RecordingPollerProvider(provider(), false);
        EventLoop loop = newLoop(recording, LoopClock.system());
        int threads = 8;
        int perThread = 100_000;
        int[] runs = new int[threads * perThread];
        loop.schedule(Duration.ofHours(1), () -> { }); // keeps the loop alive between bursts
        Thread coordinator = Thread.ofPlatform().start(() -> {
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                producers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int slot = base + i;
                        loop.execute(() -> runs[slot]++);
                    }
                }));
            }
            for (Thread producer : producers) {
                try {
                    producer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            loop.execute(loop::stop);
        });
        loop.run(RunMode.DEFAULT);
        coordinator.join();
        for (int i = 0; i < runs.length; i++) {
            if (runs[i] != 1) {
                throw new AssertionError("task " + i + " ran " + runs[i] + " times");
            }
        }
        assertThat(loop.stats().callbacksRun()).isGreaterThanOrEqualTo(threads * perThread);
        // A poll announced as blocking may be cut to 0 when a task raced in; a wake-up can still
        // target it, so the bound is one per poll. Without coalescing it would be one per task.
        assertThat(recording.wakeups.get()).as("at most one wake-up per poll")
                .isLessThanOrEqualTo(recording.timeouts.size());
    }

    @Test
    void timersScheduledFromAnotherThreadFireOnTheLoopThread() throws Exception {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        AtomicReference<Thread> firedOn = new AtomicReference<>();
        Thread scheduler = Thread.ofPlatform().start(() -> loop.schedule(Duration.ofMillis(1), () -> firedOn.set(Thread.currentThread())));
        scheduler.join();
        loop.run(RunMode.DEFAULT);
        assertThat(firedOn.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void aWatcherClosedFromAnotherThreadClosesOnTheLoop() throws Exception {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        AtomicReference<Thread> closedOn = new AtomicReference<>();
        Watcher watcher = loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        loop.execute(() -> Thread.ofPlatform().start(() -> watcher.close(() -> closedOn.set(Thread.currentThread()))));
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        assertThat(closedOn.get()).isSameAs(Thread.currentThread());
        assertThat(watcher.isClosed()).isTrue();
    }

    // ------------------------------------------------------------------ timers, run modes and the clock

    @Test
    void aTimerScheduledBeforeRunIsInTheHeapForTheFirstTimerPass() {
        EventLoop loop = newLoop();
        AtomicInteger fired = new AtomicInteger();
        loop.schedule(Duration.ZERO, fired::incrementAndGet);
        loop.run(RunMode.NOWAIT);
        assertThat(fired).hasValue(1);
    }

    @Test
    void thePollTimeoutComesFromAFreshClockReadingAfterALongCallback() {
        RecordingPollerProvider sleeping = new RecordingPollerProvider(provider(), true).sleepingOn(clock);
        EventLoop loop = newLoop(sleeping, clock);
        long start = clock.nanoTime();
        AtomicLong firedAt = new AtomicLong();
        loop.schedule(Duration.ZERO, () -> clock.advance(Duration.ofMillis(60))); // a 60 ms callback
        loop.schedule(Duration.ofMillis(100), () -> firedAt.set(clock.nanoTime() - start));
        loop.run(RunMode.DEFAULT);
        assertThat(sleeping.timeouts).contains(Duration.ofMillis(40).toNanos());
        assertThat(firedAt).hasValue(Duration.ofMillis(100).toNanos());
    }

    @Test
    void onceDoesWhatIsReadyAndBlocksOnlyWhenItFoundNothingToDo() {
        RecordingPollerProvider sleeping = new RecordingPollerProvider(provider(), true).sleepingOn(clock);
        EventLoop loop = newLoop(sleeping, clock);
        List<String> fired = new ArrayList<>();
        loop.execute(() -> {
            loop.schedule(Duration.ZERO, () -> fired.add("due"));
            loop.schedule(Duration.ofMillis(10), () -> fired.add("later"));
        });
        loop.run(RunMode.NOWAIT); // the timers are in the heap; none has fired
        assertThat(fired).isEmpty();
        assertThat(loop.run(RunMode.ONCE)).isTrue();
        assertThat(fired).containsExactly("due");
        assertThat(sleeping.timeouts).last().isEqualTo(0L);
        assertThat(loop.run(RunMode.ONCE)).as("the wait ended by the timer fires it").isFalse();
        assertThat(fired).containsExactly("due", "later");
        assertThat(sleeping.timeouts).last().isEqualTo(Duration.ofMillis(10).toNanos());
    }

    @Test
    void anInterruptedLoopThreadStaysBlockedUntilWhatItWaitsFor() {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        AtomicInteger fired = new AtomicInteger();
        loop.schedule(Duration.ofMillis(10), fired::incrementAndGet);
        Thread.currentThread().interrupt();
        try {
            loop.run(RunMode.ONCE);
        } finally {
            Thread.interrupted();
        }
        assertThat(fired).as("ONCE waited for its timer instead of returning at the interrupt").hasValue(1);
        assertThat(loop.stats().iterations()).isEqualTo(1);
    }

    @Test
    void hugeDelaysAndPeriodsSaturateToNeverInsteadOfThrowing() {
        EventLoop loop = newLoop();
        AtomicInteger fired = new AtomicInteger();
        Timer once = loop.schedule(Duration.ofSeconds(Long.MAX_VALUE), fired::incrementAndGet);
        Timer repeating = loop.scheduleRepeating(Duration.ZERO, Duration.ofSeconds(Long.MAX_VALUE), fired::incrementAndGet);
        loop.run(RunMode.NOWAIT);
        assertThat(fired).as("the repeating timer's first run").hasValue(1);
        clock.advance(Duration.ofDays(365L * 100));
        loop.run(RunMode.NOWAIT);
        assertThat(fired).as("nothing within a century").hasValue(1);
        assertThat(loop.stats().liveTimers()).isEqualTo(2);
        assertThat(once.cancel()).isTrue();
        assertThat(repeating.cancel()).isTrue();
        assertThatThrownBy(() -> loop.schedule(Duration.ofNanos(-1), () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay must be >= 0");
        assertThatThrownBy(() -> loop.scheduleRepeating(Duration.ZERO, Duration.ofNanos(-1), () -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nowCanBeReadFromAnyThread() throws Exception {
        EventLoop loop = newLoop();
        loop.run(RunMode.NOWAIT);
        AtomicLong seen = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                seen.set(loop.now());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.join();
        assertThat(failure.get()).isNull();
        assertThat(seen).hasValue(clock.nanoTime());
    }

    // ------------------------------------------------------------------ misbehaving callbacks and races

    @Test
    void executeNeverThrowsForATaskItQueuedEvenWhenTheWakeupFails() throws Exception {
        RecordingPollerProvider recording = new RecordingPollerProvider(provider(), false);
        EventLoop loop = newLoop(recording, LoopClock.system());
        loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        AtomicReference<Throwable> thrownByExecute = new AtomicReference<>();
        AtomicBoolean ran = new AtomicBoolean();
        Thread producer = Thread.ofPlatform().start(() -> {
            while (recording.blockingPolls.get() == 0) {
                Thread.onSpinWait();
            }
            recording.wakeupsFail = true;
            try {
                loop.execute(() -> {
                    ran.set(true);
                    loop.stop();
                });
            } catch (Throwable t) {
                thrownByExecute.set(t);
                loop.stop();
            }
        });
        loop.run(RunMode.DEFAULT);
        producer.join();
        assertThat(thrownByExecute.get()).as("execute threw for a task it had queued").isNull();
        assertThat(ran).isTrue();
    }

    @Test
    void aHandlerThatClosesItsOwnWatcherAndThrowsLeavesTheLoopWhole() throws IOException {
        EventLoop loop = newLoop();
        TestPipe pipe = pipe();
        AtomicInteger closeCallbacks = new AtomicInteger();
        AtomicInteger events = new AtomicInteger();
        loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> {
            events.incrementAndGet();
            w.close(closeCallbacks::incrementAndGet);
            w.close(closeCallbacks::incrementAndGet); // a second close is a no-op
            throw new IllegalStateException("after closing itself");
        });
        pipe.writeByte();
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);
        assertThat(loop.run(RunMode.NOWAIT)).isFalse();
        assertThat(events).hasValue(1);
        assertThat(closeCallbacks).hasValue(1);
        assertThat(thrown).extracting(Throwable::getMessage).containsExactly("after closing itself");
    }

    @Test
    void aSourceCanBeWatchedAgainRightAfterItsWatcherClosed() throws IOException {
        EventLoop loop = newLoop();
        TestPipe pipe = pipe();
        List<String> seen = new ArrayList<>();
        loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> {
            seen.add("old");
            w.close();
            loop.watch(w.source(), Interest.READABLE, (again, ready) -> {
                seen.add("new");
                again.close();
            });
        });
        pipe.writeByte();
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);
        loop.run(RunMode.NOWAIT);
        assertThat(seen).containsExactly("old", "new");
        assertThat(loop.stats().liveWatchers()).isZero();
    }

    @Test
    void theOwnerSchedulingWhileAnotherThreadStartsTheLoopLosesNothing() throws Exception {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        Timer keepAlive = loop.schedule(Duration.ofHours(1), () -> { });
        AtomicInteger fired = new AtomicInteger();
        AtomicReference<Throwable> runFailure = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().start(() -> {
            try {
                loop.run(RunMode.DEFAULT);
            } catch (Throwable t) {
                runFailure.set(t);
            }
        });
        int count = 20_000;
        for (int i = 0; i < count; i++) {
            loop.schedule(Duration.ZERO, fired::incrementAndGet);
        }
        keepAlive.cancel();
        runner.join();
        assertThat(runFailure.get()).isNull();
        assertThat(fired).hasValue(count);
    }

    @Test
    void randomizedCrossThreadRoundsKeepExactCounts() throws Exception {
        for (long seed = 1; seed <= 5; seed++) {
            crossThreadRound(seed);
        }
    }

    /**
     * One round: four threads race the running loop with execute, schedule (half of them cancelled
     * at once) and watcher closes (each watcher closed by two threads); every count must be exact.
     */
    private void crossThreadRound(long seed) throws Exception {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        int threads = 4;
        int opsPerThread = 2_000;
        int watcherCount = 8;
        AtomicInteger[] closeCallbacks = new AtomicInteger[watcherCount];
        List<Watcher> watchers = new ArrayList<>();
        for (int i = 0; i < watcherCount; i++) {
            closeCallbacks[i] = new AtomicInteger();
            watchers.add(loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { }));
        }
        Timer keepAlive = loop.schedule(Duration.ofHours(1), () -> { });
        AtomicInteger executed = new AtomicInteger();
        AtomicInteger fired = new AtomicInteger();
        AtomicInteger submitted = new AtomicInteger();
        AtomicInteger scheduled = new AtomicInteger();
        AtomicInteger cancelled = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        loop.execute(running::countDown);
        Thread coordinator = Thread.ofPlatform().start(() -> {
            try {
                running.await();
                List<Thread> producers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    java.util.Random random = new java.util.Random(seed * 31 + t);
                    int first = t;
                    producers.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < opsPerThread; i++) {
                            switch (random.nextInt(3)) {
                                case 0 -> {
                                    submitted.incrementAndGet();
                                    loop.execute(executed::incrementAndGet);
                                }
                                case 1 -> {
                                    scheduled.incrementAndGet();
                                    Timer timer = loop.schedule(Duration.ofNanos(random.nextInt(200_000)), fired::incrementAndGet);
                                    if (random.nextBoolean() && timer.cancel()) {
                                        cancelled.incrementAndGet();
                                    }
                                }
                                default -> Thread.yield();
                            }
                            if (i == opsPerThread / 2) {
                                for (int w = first; w < watcherCount; w += threads / 2) {
                                    int index = w;
                                    watchers.get(w).close(closeCallbacks[index]::incrementAndGet);
                                }
                            }
                        }
                    }));
                }
                for (Thread producer : producers) {
                    producer.join();
                }
                keepAlive.cancel();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        coordinator.join();
        assertThat(executed.get()).as("seed %d: tasks run", seed).isEqualTo(submitted.get());
        assertThat(fired.get() + cancelled.get()).as("seed %d: timers fired or cancelled", seed).isEqualTo(scheduled.get());
        for (int i = 0; i < watcherCount; i++) {
            assertThat(closeCallbacks[i].get()).as("seed %d: close callbacks of watcher %d", seed, i).isEqualTo(1);
        }
        assertThat(loop.stats().liveTimers()).isZero();
        assertThat(loop.stats().liveWatchers()).isZero();
    }

    // ------------------------------------------------------------------ shutdown

    @Test
    void closeFromOneOfTheLoopsOwnCallbacksClosesItAndRunReturnsNormally() throws IOException {
        EventLoop loop = newLoop();
        Watcher watcher = loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        Timer timer = loop.schedule(Duration.ofHours(1), () -> { });
        loop.execute(loop::close);
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        assertThat(loop.isClosed()).isTrue();
        assertThat(watcher.isClosed()).isTrue();
        assertThat(timer.isCancelled()).isTrue();
    }

    @Test
    void closeFromAnotherThreadWhileTheLoopRunsClosesItAndRunReturnsNormally() throws Exception {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean closedOnReturn = new AtomicBoolean();
        AtomicReference<Thread> closer = new AtomicReference<>();
        loop.execute(() -> closer.set(Thread.ofPlatform().start(() -> {
            try {
                loop.close();
                closedOnReturn.set(loop.isClosed());
            } catch (Throwable t) {
                failure.set(t);
            }
        })));
        assertThat(loop.run(RunMode.DEFAULT)).isFalse();
        closer.get().join();
        assertThat(failure.get()).isNull();
        assertThat(closedOnReturn).as("close() returns once the loop has closed").isTrue();
    }

    @Test
    void closingKeepsThePromisesOtherThreadsWereGiven() throws Exception {
        EventLoop loop = newLoop();
        Watcher watcher = loop.watch(pipe().readEnd(), Interest.READABLE, (w, r) -> { });
        AtomicBoolean closeCallbackRan = new AtomicBoolean();
        AtomicReference<Timer> timer = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            watcher.close(() -> closeCallbackRan.set(true));
            timer.set(loop.schedule(Duration.ofMillis(1), () -> { }));
        });
        other.join();
        loop.close();
        assertThat(closeCallbackRan).as("the close callback ran").isTrue();
        assertThat(timer.get().isCancelled()).as("the timer reads as cancelled").isTrue();
    }

    @Test
    void closeClosesWatchersCancelsTimersAndTellsHandlers() throws IOException {
        EventLoop loop = newLoop();
        List<String> events = new ArrayList<>();
        Watcher watcher = loop.watch(pipe().readEnd(), Interest.READABLE, new WatcherHandler() {
            @Override
            public void onReady(Watcher w, Interest ready) {
            }

            @Override
            public void onLoopClosing(Watcher w) {
                events.add("closing");
                w.close(() -> events.add("closed"));
            }
        });
        Timer timer = loop.schedule(Duration.ofMillis(5), () -> events.add("timer"));
        loop.run(RunMode.NOWAIT);
        loop.close();
        assertThat(events).containsExactly("closing", "closed");
        assertThat(watcher.isClosed()).isTrue();
        assertThat(timer.isCancelled()).isTrue();
    }

    @Test
    void gracefulShutdownRunsQueuedWorkThenClosesAndRejectsNewWork() throws Exception {
        EventLoop loop = newLoop(provider(), LoopClock.system());
        AtomicInteger ran = new AtomicInteger();
        AtomicBoolean told = new AtomicBoolean();
        loop.watch(pipe().readEnd(), Interest.READABLE, new WatcherHandler() {
            @Override
            public void onReady(Watcher w, Interest ready) {
            }

            @Override
            public void onLoopClosing(Watcher w) {
                told.set(true);
            }
        });
        CountDownLatch running = new CountDownLatch(1);
        loop.execute(running::countDown);
        Thread runner = Thread.ofPlatform().start(() -> loop.run(RunMode.DEFAULT));
        running.await();
        for (int i = 0; i < 1000; i++) {
            loop.execute(ran::incrementAndGet);
        }
        loop.shutdownGracefully(Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
        runner.join();
        assertThat(ran).hasValue(1000);
        assertThat(told).isTrue();
        assertThat(loop.isClosed()).isTrue();
        assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void gracefulShutdownOfAnIdleLoopFinishesOnTheCallingThread() {
        EventLoop loop = newLoop();
        AtomicInteger ran = new AtomicInteger();
        loop.execute(ran::incrementAndGet);
        assertThat(loop.shutdownGracefully(Duration.ofSeconds(1))).isCompleted();
        assertThat(ran).hasValue(1);
        assertThat(loop.isClosed()).isTrue();
    }
}
