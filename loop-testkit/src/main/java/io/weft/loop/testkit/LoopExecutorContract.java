package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.exec.LoopExecutorService;
import io.weft.loop.core.spi.PollerProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link java.util.concurrent.ScheduledExecutorService} contract of {@link
 * LoopExecutorService}, checked the way the JDK's JSR-166 tests check {@code
 * ScheduledThreadPoolExecutor}: ordering, delays, cancellation, periodic tasks and their
 * exceptions, rejection after shutdown, shutdown and termination, invokeAll/invokeAny. Written once
 * and run on every poller.
 *
 * <p>Timing tests drive a {@link ManualClock} and step the loop on the test thread with {@link
 * RunMode#NOWAIT}; the tests of blocking methods run a {@link LoopGroup} and wait on conditions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class LoopExecutorContract {
    /** For a subclass, which names the poller the suite runs on. */
    protected LoopExecutorContract() {
    }


    /** {@return the poller under test} */
    protected abstract PollerProvider provider();

    private final ManualClock clock = new ManualClock();
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<LoopGroup> groups = new ArrayList<>();

    private EventLoop newLoop() {
        EventLoop loop = EventLoop.builder().name("exec").clock(clock).poller(provider()).build();
        loops.add(loop);
        return loop;
    }

    private LoopGroup newGroup(int size) {
        LoopGroup group = LoopGroup.builder().size(size).name("exec-group").poller(provider().name()).build();
        groups.add(group);
        return group;
    }

    /** Runs enough iterations for work handed over from another thread to be inserted and run. */
    private static void step(EventLoop loop) {
        for (int i = 0; i < 3; i++) {
            loop.run(RunMode.NOWAIT);
        }
    }

    private void advance(EventLoop loop, Duration by) {
        clock.advance(by);
        step(loop);
    }

    @AfterEach
    void nothingLeaks() {
        for (EventLoop loop : loops) {
            loop.close();
            assertThat(loop.stats().liveTimers()).as("timers left scheduled").isZero();
            assertThat(loop.stats().pendingCallbacks()).as("callbacks left queued").isZero();
        }
        for (LoopGroup group : groups) {
            group.close();
        }
    }

    // ------------------------------------------------------------------ ordering and threads

    @Test
    void tasksRunOnTheLoopThreadInSubmissionOrder() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        List<Integer> ran = new ArrayList<>();
        List<Boolean> onLoop = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            executor.execute(() -> {
                ran.add(n);
                onLoop.add(loop.inLoop());
            });
        }
        assertThat(ran).isEmpty();
        step(loop);
        assertThat(ran).containsExactly(0, 1, 2, 3, 4);
        assertThat(onLoop).containsOnly(true);
    }

    @Test
    void delayedTasksRunInDeadlineOrderThenSubmissionOrder() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        List<String> ran = new ArrayList<>();
        executor.schedule(() -> ran.add("c@3s"), 3, TimeUnit.SECONDS);
        executor.schedule(() -> ran.add("a@1s"), 1, TimeUnit.SECONDS);
        executor.schedule(() -> ran.add("b@1s"), 1000, TimeUnit.MILLISECONDS);
        executor.schedule(() -> ran.add("now"), -5, TimeUnit.SECONDS); // a negative delay means now
        step(loop);
        assertThat(ran).containsExactly("now");
        advance(loop, Duration.ofMillis(999));
        assertThat(ran).containsExactly("now");
        advance(loop, Duration.ofMillis(1));
        assertThat(ran).containsExactly("now", "a@1s", "b@1s");
        advance(loop, Duration.ofSeconds(2));
        assertThat(ran).containsExactly("now", "a@1s", "b@1s", "c@3s");
    }

    @Test
    void aScheduledCallableCompletesItsFutureWithItsValueAndReportsItsDelay() throws Exception {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        ScheduledFuture<String> future = executor.schedule(() -> "done", 10, TimeUnit.SECONDS);
        assertThat(future.getDelay(TimeUnit.SECONDS)).isEqualTo(10);
        ScheduledFuture<String> sooner = executor.schedule(() -> "sooner", 5, TimeUnit.SECONDS);
        assertThat(sooner.compareTo(future)).isNegative();
        clock.advance(Duration.ofSeconds(4));
        assertThat(future.getDelay(TimeUnit.SECONDS)).isEqualTo(6);
        advance(loop, Duration.ofSeconds(6));
        assertThat(future.isDone()).isTrue();
        assertThat(future.get()).isEqualTo("done");
        assertThat(((RunnableScheduledFuture<?>) future).isPeriodic() || future.isCancelled()).isFalse();
    }

    @Test
    void aHugeDelayIsAcceptedAndNeverFires() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        ScheduledFuture<?> future = executor.schedule(() -> { }, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        advance(loop, Duration.ofDays(365));
        assertThat(future.isDone()).isFalse();
        assertThat(future.cancel(false)).isTrue();
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancellingADelayedTaskCancelsItsTimerAndItNeverRuns() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> future = executor.schedule(runs::incrementAndGet, 1, TimeUnit.SECONDS);
        step(loop);
        assertThat(loop.stats().liveTimers()).isOne();
        assertThat(future.cancel(true)).isTrue();
        step(loop);
        assertThat(loop.stats().liveTimers()).as("the timer went with the task").isZero();
        advance(loop, Duration.ofSeconds(2));
        assertThat(runs).hasValue(0);
        assertThat(future.isCancelled()).isTrue();
        assertThat(future.isDone()).isTrue();
        assertThat(future.cancel(false)).as("a second cancel").isFalse();
        assertThatThrownBy(future::get).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancellingAPeriodicTaskStopsItsRuns() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> future = executor.scheduleAtFixedRate(runs::incrementAndGet, 0, 1, TimeUnit.SECONDS);
        step(loop);
        advance(loop, Duration.ofSeconds(1));
        assertThat(runs).hasValue(2);
        future.cancel(false);
        advance(loop, Duration.ofSeconds(5));
        assertThat(runs).hasValue(2);
        assertThat(loop.stats().liveTimers()).isZero();
    }

    @Test
    void aTaskCancelledBeforeItsLoopRunsItIsNotRun() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        AtomicInteger runs = new AtomicInteger();
        Future<?> future = executor.submit(runs::incrementAndGet);
        future.cancel(false);
        step(loop);
        assertThat(runs).hasValue(0);
    }

    // ------------------------------------------------------------------ periodic tasks

    @Test
    void aFixedRateTaskRunsEveryPeriodFromItsFirstDeadline() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        List<Long> runsAtMillis = new ArrayList<>();
        long origin = clock.nanoTime();
        ScheduledFuture<?> future = executor.scheduleAtFixedRate(() -> {
            runsAtMillis.add((clock.nanoTime() - origin) / 1_000_000);
            clock.advance(Duration.ofMillis(300)); // a slow run does not push the next one out
        }, 500, 1000, TimeUnit.MILLISECONDS);
        assertThat(((RunnableScheduledFuture<?>) future).isPeriodic()).isTrue();
        step(loop);
        advance(loop, Duration.ofMillis(500));
        advance(loop, Duration.ofMillis(700));
        advance(loop, Duration.ofMillis(700));
        assertThat(runsAtMillis).containsExactly(500L, 1500L, 2500L);
        assertThat(future.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(3500 - 2800);
        future.cancel(false);
    }

    @Test
    void aFixedDelayTaskWaitsItsDelayAfterEachRunEnds() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        List<Long> runsAtMillis = new ArrayList<>();
        long origin = clock.nanoTime();
        ScheduledFuture<?> future = executor.scheduleWithFixedDelay(() -> {
            runsAtMillis.add((clock.nanoTime() - origin) / 1_000_000);
            clock.advance(Duration.ofMillis(300)); // the run takes 300 ms
        }, 0, 1000, TimeUnit.MILLISECONDS);
        step(loop);
        advance(loop, Duration.ofMillis(999));
        assertThat(runsAtMillis).containsExactly(0L);
        advance(loop, Duration.ofMillis(1));
        advance(loop, Duration.ofMillis(1000));
        assertThat(runsAtMillis).containsExactly(0L, 1300L, 2600L);
        assertThat(future.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(1000);
        future.cancel(false);
    }

    @Test
    void aPeriodicTaskThatThrowsRunsNoMoreAndItsFutureReportsTheException() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        for (boolean fixedRate : new boolean[] {true, false}) {
            AtomicInteger runs = new AtomicInteger();
            IllegalStateException boom = new IllegalStateException("boom");
            Runnable task = () -> {
                if (runs.incrementAndGet() == 3) {
                    throw boom;
                }
            };
            ScheduledFuture<?> future = fixedRate
                    ? executor.scheduleAtFixedRate(task, 0, 1, TimeUnit.SECONDS)
                    : executor.scheduleWithFixedDelay(task, 0, 1, TimeUnit.SECONDS);
            step(loop);
            for (int i = 0; i < 5; i++) {
                advance(loop, Duration.ofSeconds(1));
            }
            assertThat(runs).as("fixedRate=" + fixedRate).hasValue(3);
            assertThat(future.isDone()).isTrue();
            assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).hasCause(boom);
            assertThat(loop.stats().liveTimers()).isZero();
        }
    }

    @Test
    void nonPositivePeriodsAndNullsFailFast() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        assertThatThrownBy(() -> executor.scheduleAtFixedRate(() -> { }, 0, 0, TimeUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period must be positive, got 0");
        assertThatThrownBy(() -> executor.scheduleWithFixedDelay(() -> { }, 0, -1, TimeUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay must be positive, got -1");
        assertThatThrownBy(() -> executor.schedule((Runnable) null, 1, TimeUnit.SECONDS)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> executor.schedule(() -> { }, 1, null)).isInstanceOf(NullPointerException.class);
        assertThat(loop.stats().liveTimers()).isZero();
    }

    // ------------------------------------------------------------------ shutdown

    @Test
    void everyKindOfSubmissionIsRejectedAfterShutdownWithAMessage() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        executor.shutdown();
        Callable<String> callable = () -> "x";
        List<Runnable> submissions = List.of(
                () -> executor.execute(() -> { }),
                () -> executor.submit(() -> { }),
                () -> executor.submit(callable),
                () -> executor.submit(() -> { }, "x"),
                () -> executor.schedule(() -> { }, 1, TimeUnit.SECONDS),
                () -> executor.schedule(callable, 1, TimeUnit.SECONDS),
                () -> executor.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.SECONDS),
                () -> executor.scheduleWithFixedDelay(() -> { }, 1, 1, TimeUnit.SECONDS));
        for (Runnable submission : submissions) {
            assertThatThrownBy(submission::run).isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("is shut down and takes no more tasks");
        }
        assertThat(executor.isShutdown()).isTrue();
        assertThat(executor.isTerminated()).isTrue();
    }

    @Test
    void shutdownCancelsPeriodicTasksButRunsDelayedOnesThenTerminates() throws Exception {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        ScheduledFuture<?> periodic = executor.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.SECONDS);
        ScheduledFuture<String> delayed = executor.schedule(() -> "ran", 2, TimeUnit.SECONDS);
        step(loop);
        executor.shutdown();
        assertThat(periodic.isCancelled()).isTrue();
        assertThat(executor.isShutdown()).isTrue();
        assertThat(executor.isTerminated()).isFalse();
        assertThat(executor.awaitTermination(0, TimeUnit.SECONDS)).isFalse();
        advance(loop, Duration.ofSeconds(2));
        assertThat(delayed.get()).isEqualTo("ran");
        assertThat(executor.isTerminated()).isTrue();
        assertThat(executor.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.isShuttingDown()).as("the view's shutdown leaves the loop alone").isFalse();
    }

    @Test
    void shutdownNowCancelsAndReturnsTheTasksThatHadNotStarted() throws Exception {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> first = executor.schedule(runs::incrementAndGet, 1, TimeUnit.SECONDS);
        ScheduledFuture<?> second = executor.scheduleWithFixedDelay(runs::incrementAndGet, 1, 1, TimeUnit.SECONDS);
        step(loop);
        List<Runnable> notRun = executor.shutdownNow();
        assertThat(notRun).containsExactlyInAnyOrder((Runnable) first, (Runnable) second);
        assertThat(first.isCancelled() && second.isCancelled()).isTrue();
        assertThat(executor.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
        advance(loop, Duration.ofSeconds(3));
        assertThat(runs).hasValue(0);
        assertThat(loop.stats().liveTimers()).isZero();
    }

    @Test
    void closingTheLoopCancelsTheTasksItDroppedAndShutsTheViewDown() throws Exception {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        ScheduledFuture<?> pending = executor.schedule(() -> { }, 1, TimeUnit.HOURS);
        step(loop);
        loop.close();
        assertThat(pending.isCancelled()).isTrue();
        assertThat(executor.isShutdown()).isTrue();
        assertThat(executor.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void waitingOnTheLoopThreadForItsOwnTaskFailsFast() {
        EventLoop loop = newLoop();
        LoopExecutorService executor = LoopExecutorService.of(loop);
        ScheduledFuture<?> later = executor.schedule(() -> { }, 1, TimeUnit.HOURS);
        Future<Object> waiter = executor.submit(() -> later.get());
        Future<Object> awaiter = executor.submit(() -> executor.awaitTermination(1, TimeUnit.SECONDS));
        step(loop);
        assertThatThrownBy(waiter::get).hasCauseInstanceOf(IllegalStateException.class)
                .cause().hasMessageContaining("would block the thread of loop 'exec'");
        assertThatThrownBy(awaiter::get).hasCauseInstanceOf(IllegalStateException.class);
        later.cancel(false);
    }

    // ------------------------------------------------------------------ with real threads

    @Test
    void awaitTerminationWaitsForTheTaskThatIsRunning() throws Exception {
        LoopGroup group = newGroup(1);
        LoopExecutorService executor = LoopExecutorService.of(group);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> running = executor.submit(() -> {
            started.countDown();
            release.await();
            return "finished";
        });
        try {
            started.await();
            assertThat(executor.shutdownNow()).as("it had started").isEmpty();
            assertThat(executor.awaitTermination(0, TimeUnit.SECONDS)).isFalse();
            assertThat(executor.isTerminated()).isFalse();
        } finally {
            release.countDown();
        }
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(running.get()).as("a running task is not cancelled").isEqualTo("finished");
    }

    @Test
    void invokeAllAndInvokeAnyRunOnTheGroupsLoops() throws Exception {
        LoopGroup group = newGroup(2);
        LoopExecutorService executor = LoopExecutorService.of(group);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            tasks.add(() -> {
                threads.add(Thread.currentThread().getName());
                return n * n;
            });
        }
        List<Integer> squares = new ArrayList<>();
        for (Future<Integer> future : executor.invokeAll(tasks)) {
            squares.add(future.get());
        }
        assertThat(squares).containsExactly(0, 1, 4, 9, 16, 25);
        assertThat(threads).as("round robin over the group").containsExactlyInAnyOrder("exec-group-0", "exec-group-1");
        assertThat(executor.invokeAny(tasks)).isIn(0, 1, 4, 9, 16, 25);
        assertThat(executor.invokeAny(List.<Callable<Integer>>of(() -> { throw new IllegalStateException("no"); }, () -> 7)))
                .isEqualTo(7);
        executor.shutdown();
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void invokeAnyNeverInterruptsTheLoopThreadOfATaskItCancels() throws Exception {
        LoopGroup group = newGroup(2);
        LoopExecutorService executor = LoopExecutorService.of(group);
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> slowWasInterrupted = new CompletableFuture<>();
        Callable<Integer> slow = () -> { // on exec-group-0, still running when the fast one wins
            slowStarted.countDown();
            try {
                release.await();
                slowWasInterrupted.complete(false);
            } catch (InterruptedException e) {
                slowWasInterrupted.complete(true);
            }
            return 1;
        };
        Callable<Integer> fast = () -> { // on exec-group-1
            slowStarted.await();
            return 2;
        };
        try {
            assertThat(executor.invokeAny(List.of(slow, fast))).isEqualTo(2);
        } finally {
            release.countDown();
        }
        assertThat(slowWasInterrupted.get(30, TimeUnit.SECONDS)).as("the loop thread was interrupted").isFalse();
    }

    @Test
    void aGroupViewSpreadsTasksAndKeepsAPeriodicTaskOnOneLoop() throws Exception {
        LoopGroup group = newGroup(2);
        LoopExecutorService executor = LoopExecutorService.of(group);
        List<String> periodicThreads = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch threeRuns = new CountDownLatch(3);
        ScheduledFuture<?> periodic = executor.scheduleWithFixedDelay(() -> {
            periodicThreads.add(Thread.currentThread().getName());
            threeRuns.countDown();
        }, 0, 1, TimeUnit.MILLISECONDS);
        threeRuns.await();
        periodic.cancel(false);
        assertThat(Set.copyOf(periodicThreads)).hasSize(1);
        executor.shutdown();
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(group.loops()).noneMatch(EventLoop::isShuttingDown);
    }
}
