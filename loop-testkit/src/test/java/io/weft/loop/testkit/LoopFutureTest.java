package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.exec.LoopFuture;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link LoopFuture}: async stages default to the loop; other stages' outcomes are brought onto it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
// RunningLoop.close() may be interrupted while it joins the loop thread (see RunningLoop).
@SuppressWarnings("try")
class LoopFutureTest {

    @Test
    void asyncStagesWithoutAnExecutorRunOnTheLoopAndStayLoopFutures() throws Exception {
        try (RunningLoop running = new RunningLoop(EventLoop.builder().name("futures"))) {
            LoopFuture<Integer> future = LoopFuture.create(running.loop);
            CompletableFuture<Boolean> first = future.thenApplyAsync(value -> running.loop.inLoop());
            CompletableFuture<Boolean> second = first.thenApplyAsync(value -> value && running.loop.inLoop());
            assertThat(second).isInstanceOf(LoopFuture.class);
            assertThat(((LoopFuture<Boolean>) second).loop()).isSameAs(running.loop);
            future.complete(1); // on the test thread: the async stages still run on the loop
            assertThat(second.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(future.defaultExecutor()).isSameAs(running.loop);
        }
    }

    @Test
    void completeOnLoopBringsAnotherThreadsOutcomeOntoTheLoop() throws Exception {
        try (RunningLoop running = new RunningLoop(EventLoop.builder().name("futures"))) {
            CompletableFuture<String> elsewhere = new CompletableFuture<>();
            CompletableFuture<String> seenOn = new CompletableFuture<>();
            LoopFuture<String> onLoop = LoopFuture.completeOnLoop(running.loop, elsewhere);
            onLoop.thenAccept(value -> seenOn.complete(value + (running.loop.inLoop() ? " on the loop" : " elsewhere")));
            CountDownLatch done = new CountDownLatch(1);
            Thread.ofPlatform().start(() -> {
                elsewhere.complete("value");
                done.countDown();
            });
            done.await();
            assertThat(seenOn.get(30, TimeUnit.SECONDS)).isEqualTo("value on the loop");

            CompletableFuture<String> failing = new CompletableFuture<>();
            LoopFuture<String> failed = LoopFuture.completeOnLoop(running.loop, failing);
            IOException boom = new IOException("boom");
            failing.completeExceptionally(boom);
            assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCause(boom);
        }
    }

    @Test
    void aThreadWaitingInGetNeverRunsTheDependentsThatBelongOnTheLoop() throws Exception {
        try (RunningLoop running = new RunningLoop(EventLoop.builder().name("futures"))) {
            // A plain CompletableFuture's waiter helps run dependents when it wakes; repeat, so a
            // waiter that did so would, now and then, be caught running one off the loop.
            for (int i = 0; i < 200; i++) {
                CompletableFuture<Boolean> dependentOnLoop = new CompletableFuture<>();
                LoopFuture<Integer> future = running.onLoop(() -> {
                    LoopFuture<Integer> created = LoopFuture.create(running.loop);
                    created.whenComplete((value, error) -> dependentOnLoop.complete(running.loop.inLoop()));
                    running.loop.execute(() -> created.complete(1)); // completes on the loop, after the waiter below blocks, often
                    return created;
                });
                assertThat(future.get(30, TimeUnit.SECONDS)).isOne();
                assertThat(dependentOnLoop.get(30, TimeUnit.SECONDS)).as("run " + i).isTrue();
            }
        }
    }

    @Test
    void anOutcomeAfterTheLoopClosedFailsWithTheReasonAndKeepsTheOriginalFailure() {
        EventLoop loop = EventLoop.builder().name("gone").build();
        CompletableFuture<String> stage = new CompletableFuture<>();
        LoopFuture<String> future = LoopFuture.completeOnLoop(loop, stage);
        Thread.ofPlatform().start(loop::close); // another thread, so the test thread is not the loop's
        loop.terminationFuture().join();
        IllegalStateException original = new IllegalStateException("original");
        Thread completer = Thread.ofPlatform().unstarted(() -> stage.completeExceptionally(original));
        completer.start();
        assertThatThrownBy(future::join).cause().isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("loop 'gone' shut down before it could take the outcome")
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(original));
    }
}
