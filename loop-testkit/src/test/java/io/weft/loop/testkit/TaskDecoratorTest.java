package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.TaskDecorator;
import io.weft.loop.core.exec.BlockingWork;
import io.weft.loop.core.exec.LoopExecutorService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop's {@link TaskDecorator}: a context captured where a task is handed over is in place
 * where it runs, through {@code execute}, {@code schedule}, {@code scheduleRepeating}, the executor
 * view and blocking work (on the worker and back on the loop), on one loop and on every loop of a group.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
// RunningLoop.close() may be interrupted while it joins the loop thread (see RunningLoop).
@SuppressWarnings("try")
class TaskDecoratorTest {
    private static final ThreadLocal<String> TRACE_ID = new ThreadLocal<>();
    private final AtomicInteger decorations = new AtomicInteger();

    /** Captures the trace id on the submitting thread and restores it around the task. */
    private final TaskDecorator carryTraceId = task -> {
        decorations.incrementAndGet();
        String captured = TRACE_ID.get();
        return () -> {
            String outer = TRACE_ID.get();
            TRACE_ID.set(captured);
            try {
                task.run();
            } finally {
                TRACE_ID.set(outer);
            }
        };
    };

    @Test
    void aTraceIdSetWhereTasksAreHandedOverIsSetWhereTheyRun() {
        ManualClock clock = new ManualClock();
        try (EventLoop loop = EventLoop.builder().name("traced").clock(clock).taskDecorator(carryTraceId).build()) {
            List<String> seen = new ArrayList<>();
            CompletableFuture<Void> handedOver = CompletableFuture.runAsync(() -> {
                TRACE_ID.set("execute");
                loop.execute(() -> seen.add("execute:" + TRACE_ID.get()));
                TRACE_ID.set("schedule");
                loop.schedule(Duration.ofSeconds(1), () -> seen.add("schedule:" + TRACE_ID.get()));
                TRACE_ID.set("repeating");
                loop.scheduleRepeating(Duration.ofSeconds(1), Duration.ofSeconds(1), () -> seen.add("repeating:" + TRACE_ID.get()));
                TRACE_ID.set("view");
                LoopExecutorService.of(loop).schedule(() -> seen.add("view:" + TRACE_ID.get()), 1, TimeUnit.SECONDS);
                TRACE_ID.remove();
            });
            handedOver.join();
            loop.run(RunMode.NOWAIT);
            clock.advance(Duration.ofSeconds(1));
            loop.run(RunMode.NOWAIT);
            clock.advance(Duration.ofSeconds(1));
            loop.run(RunMode.NOWAIT);
            assertThat(seen).containsExactly("execute:execute", "schedule:schedule", "repeating:repeating", "view:view",
                    "repeating:repeating");
            assertThat(TRACE_ID.get()).as("restored after each task").isNull();
            assertThat(decorations).as("once per task, internal hand-offs undecorated").hasValue(4);
        }
    }

    @Test
    void blockingWorkCarriesTheTraceIdToTheWorkerAndBackToTheLoop() throws Exception {
        try (RunningLoop running = new RunningLoop(EventLoop.builder().name("traced-blocking").taskDecorator(carryTraceId))) {
            CompletableFuture<String> onLoop = new CompletableFuture<>();
            running.onLoop(() -> { // submitted on the loop, so the stage below is added before the outcome arrives
                TRACE_ID.set("trace-42");
                try {
                    return BlockingWork.of(running.loop)
                            .submitBlocking(() -> "worker saw " + TRACE_ID.get())
                            .thenAccept(value -> onLoop.complete(value + ", loop saw " + TRACE_ID.get()
                                    + (running.loop.inLoop() ? "" : " off the loop")));
                } finally {
                    TRACE_ID.remove();
                }
            });
            assertThat(onLoop.get(30, TimeUnit.SECONDS)).isEqualTo("worker saw trace-42, loop saw trace-42");
        }
    }

    @Test
    void aGroupsDecoratorCarriesTheTraceIdThroughExecuteScheduleAndBlockingWorkOnEveryLoop() throws Exception {
        try (LoopGroup group = LoopGroup.builder().size(2).name("traced-group").taskDecorator(carryTraceId).build()) {
            for (EventLoop loop : group) {
                CompletableFuture<String> executed = new CompletableFuture<>();
                CompletableFuture<String> scheduled = new CompletableFuture<>();
                CompletableFuture<String> blocking = new CompletableFuture<>();
                CompletableFuture.runAsync(() -> {
                    TRACE_ID.set("execute@" + loop.name());
                    loop.execute(() -> executed.complete(TRACE_ID.get()));
                    TRACE_ID.set("schedule@" + loop.name());
                    loop.schedule(Duration.ofMillis(1), () -> scheduled.complete(TRACE_ID.get()));
                    TRACE_ID.set("blocking@" + loop.name());
                    loop.execute(() -> BlockingWork.of(loop) // handed over on the loop, in the context carried there
                            .submitBlocking(() -> "worker saw " + TRACE_ID.get())
                            .thenAccept(value -> blocking.complete(value + ", loop saw " + TRACE_ID.get()
                                    + (loop.inLoop() ? "" : " off the loop"))));
                    TRACE_ID.remove();
                }).join();
                assertThat(executed.get(30, TimeUnit.SECONDS)).isEqualTo("execute@" + loop.name());
                assertThat(scheduled.get(30, TimeUnit.SECONDS)).isEqualTo("schedule@" + loop.name());
                assertThat(blocking.get(30, TimeUnit.SECONDS))
                        .isEqualTo("worker saw blocking@" + loop.name() + ", loop saw blocking@" + loop.name());
            }
        }
    }

    @Test
    void aLoopWithoutADecoratorRunsTasksAsGiven() {
        try (EventLoop loop = EventLoop.builder().name("plain").build()) {
            Runnable task = () -> { };
            assertThat(loop.taskDecorator().decorate(task)).isSameAs(task);
        }
    }
}
