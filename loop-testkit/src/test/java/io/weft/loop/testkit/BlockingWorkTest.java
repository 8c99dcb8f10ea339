package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.exec.BlockingWork;
import io.weft.loop.core.exec.LoopFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BlockingWork}: outcomes on the loop thread, per-key order, bounds, stats, cancellation,
 * and a loop that shuts down. Most tests hand the work to an executor the test drives by hand
 * ({@link #runNext()}), with a {@link ManualClock}, so nothing depends on thread timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
// RunningLoop.close() may be interrupted while it joins the loop thread (see RunningLoop).
@SuppressWarnings("try")
class BlockingWorkTest {
    private final ManualClock clock = new ManualClock();
    private final EventLoop loop = EventLoop.builder().name("blocking").clock(clock).build();
    /** The work handed to the workers and not yet run, oldest first. */
    private final ArrayDeque<Runnable> handedOver = new ArrayDeque<>();
    private final List<String> ran = new ArrayList<>();

    @AfterEach
    void closeLoop() {
        if (!loop.isClosed()) {
            loop.run(RunMode.NOWAIT); // deliver the outcomes still queued
        }
        loop.close();
    }

    private BlockingWork work(int maxRunning, int maxQueued) {
        return BlockingWork.builder(loop).maxRunning(maxRunning).maxQueued(maxQueued).executor(handedOver::add).build();
    }

    /** Runs the oldest work handed to the workers, on a thread that is not the loop's. */
    private void runNext() throws InterruptedException {
        Runnable next = handedOver.pollFirst();
        assertThat(next).as("work handed to a worker").isNotNull();
        Thread.ofPlatform().start(next).join();
    }

    private java.util.concurrent.Callable<String> named(String name) {
        return () -> {
            ran.add(name);
            return name;
        };
    }

    @Test
    void theOutcomeCompletesOnTheLoopThreadAndWorkRunsOffIt() throws Exception {
        try (RunningLoop running = new RunningLoop(EventLoop.builder().name("blocking-live"))) {
            CompletableFuture<String> where = new CompletableFuture<>();
            LoopFuture<Boolean> workOnLoop = running.onLoop(() -> {
                LoopFuture<Boolean> future = BlockingWork.of(running.loop).submitBlocking(running.loop::inLoop);
                future.whenComplete((value, error) -> where.complete(running.loop.inLoop() ? "loop" : Thread.currentThread().getName()));
                return future;
            });
            assertThat(workOnLoop.get(30, TimeUnit.SECONDS)).as("the work ran on the loop thread").isFalse();
            assertThat(where.get(30, TimeUnit.SECONDS)).isEqualTo("loop");
            assertThat(BlockingWork.of(running.loop)).isSameAs(BlockingWork.of(running.loop));
            assertThat(BlockingWork.of(running.loop).stats().completed()).isOne();
        }
    }

    @Test
    void workOfOneKeyRunsOneAtATimeInSubmissionOrderBesideOtherWork() throws Exception {
        BlockingWork work = work(8, 100);
        work.submitBlocking("a", named("a1"));
        work.submitBlocking("a", named("a2"));
        work.submitBlocking("b", named("b1"));
        work.submitBlocking("a", named("a3"));
        work.submitBlocking(named("free"));
        assertThat(handedOver).as("a1, b1 and the unkeyed work").hasSize(3);
        assertThat(work.stats().queued()).as("a2 and a3 wait for a1").isEqualTo(2);
        runNext();
        assertThat(ran).containsExactly("a1");
        assertThat(handedOver).as("a2 was handed over when a1 ended").hasSize(3);
        while (!handedOver.isEmpty()) {
            runNext();
        }
        assertThat(ran).containsExactly("a1", "b1", "free", "a2", "a3");
        assertThat(work.stats().running()).isZero();
        assertThat(work.stats().queued()).isZero();
        assertThat(work.stats().completed()).isEqualTo(5);
    }

    @Test
    void noMoreThanMaxRunningRunAtOnce() throws Exception {
        BlockingWork work = work(2, 100);
        for (int i = 0; i < 5; i++) {
            work.submitBlocking(named("w" + i));
        }
        assertThat(handedOver).hasSize(2);
        assertThat(work.stats().running()).isEqualTo(2);
        assertThat(work.stats().queued()).isEqualTo(3);
        runNext();
        assertThat(handedOver).hasSize(2);
        while (!handedOver.isEmpty()) {
            runNext();
        }
        assertThat(ran).containsExactly("w0", "w1", "w2", "w3", "w4");
    }

    @Test
    void aFullQueueRejectsWithAMessageThatSaysWhatToDo() {
        BlockingWork work = work(1, 1);
        work.submitBlocking(named("running"));
        work.submitBlocking(named("queued"));
        assertThatThrownBy(() -> work.submitBlocking(named("one too many")))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("blocking work of loop 'blocking' is full: 1 queued and 1 running")
                .hasMessageContaining("maxQueued(...)");
        assertThat(work.stats().rejected()).isOne();
        assertThat(work.stats().submitted()).isEqualTo(2);
    }

    @Test
    void aQueueOfZeroStillTakesWorkThatCanStartAtOnce() {
        BlockingWork work = work(1, 0);
        work.submitBlocking(named("starts"));
        assertThatThrownBy(() -> work.submitBlocking(named("would wait"))).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void statsCountTheTimeWorkWaitedAndRanOnTheLoopClock() throws Exception {
        BlockingWork work = work(1, 10);
        work.submitBlocking(() -> {
            clock.advance(Duration.ofSeconds(3)); // runs 3 s
            return 1;
        });
        work.submitBlocking(() -> {
            clock.advance(Duration.ofSeconds(1)); // waits 2 + 3 s, runs 1 s
            return 2;
        });
        clock.advance(Duration.ofSeconds(2));
        runNext();
        runNext();
        assertThat(work.stats().waitedNanos()).isEqualTo(Duration.ofSeconds(2 + 5).toNanos());
        assertThat(work.stats().ranNanos()).isEqualTo(Duration.ofSeconds(4).toNanos());
        assertThat(work.stats().completed()).isEqualTo(2);
    }

    @Test
    void theWorksExceptionFailsTheFutureOnTheLoop() throws Exception {
        BlockingWork work = work(1, 10);
        IllegalStateException boom = new IllegalStateException("boom");
        LoopFuture<Object> future = work.submitBlocking(() -> {
            throw boom;
        });
        runNext();
        assertThat(future.isDone()).as("not before the loop takes it").isFalse();
        loop.run(RunMode.NOWAIT);
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).hasCause(boom);
    }

    @Test
    void workCancelledBeforeItStartsIsSkippedAndItsKeyMovesOn() throws Exception {
        BlockingWork work = work(1, 10);
        work.submitBlocking("k", named("first"));
        LoopFuture<String> second = work.submitBlocking("k", named("second"));
        work.submitBlocking("k", named("third"));
        assertThat(second.cancel(false)).isTrue();
        while (!handedOver.isEmpty()) {
            runNext();
        }
        assertThat(ran).containsExactly("first", "third");
        assertThat(work.stats().completed()).isEqualTo(3);
    }

    @Test
    void anOutcomeTheLoopCanNoLongerTakeFailsTheFutureAndSaysWhy() throws Exception {
        BlockingWork work = work(1, 10);
        LoopFuture<String> future = work.submitBlocking(named("late"));
        loop.shutdownGracefully(Duration.ZERO);
        runNext();
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("loop 'blocking' shut down before it could take the outcome");
        assertThatThrownBy(() -> work.submitBlocking(named("after")))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("is shutting down and takes no more blocking work");
    }

    @Test
    void aWorkerPoolThatRefusesTheWorkFailsItsFuture() throws Exception {
        BlockingWork work = BlockingWork.builder(loop).executor(task -> {
            throw new RejectedExecutionException("pool closed");
        }).build();
        LoopFuture<String> future = work.submitBlocking(named("refused"));
        loop.run(RunMode.NOWAIT);
        assertThatThrownBy(future::get).cause().isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("refused it: pool closed");
        assertThat(work.stats().running()).isZero();
        assertThat(ran).isEmpty();
    }

    @Test
    void badBoundsFailFast() {
        assertThatThrownBy(() -> BlockingWork.builder(loop).maxRunning(0)).hasMessageContaining("maxRunning must be at least 1");
        assertThatThrownBy(() -> BlockingWork.builder(loop).maxQueued(-1)).hasMessageContaining("maxQueued must be >= 0");
    }
}
