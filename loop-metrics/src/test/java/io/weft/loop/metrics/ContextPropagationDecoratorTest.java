package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextRegistry;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.exec.BlockingWork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A trace id in a {@code ThreadLocal} registered with Micrometer's context-propagation library
 * crosses the hop to the loop, and through blocking work to its worker and back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContextPropagationDecoratorTest {
    private static final ThreadLocal<String> TRACE_ID = new ThreadLocal<>();
    private final ContextRegistry registry = new ContextRegistry().registerThreadLocalAccessor("trace.id", TRACE_ID);

    @Test
    void aTraceIdCrossesFromTheSubmittingThreadToTheLoop() {
        AtomicLong nanos = new AtomicLong(); // a manual clock
        try (EventLoop loop = EventLoop.builder().name("ctx").clock(nanos::get)
                .taskDecorator(ContextPropagationDecorator.of(registry)).build()) {
            List<String> seen = new ArrayList<>();
            CompletableFuture.runAsync(() -> {
                TRACE_ID.set("trace-1");
                loop.execute(() -> seen.add("execute " + TRACE_ID.get()));
                TRACE_ID.set("trace-2");
                loop.schedule(Duration.ofSeconds(1), () -> seen.add("schedule " + TRACE_ID.get()));
                TRACE_ID.remove();
                loop.execute(() -> seen.add("none " + TRACE_ID.get()));
            }).join();
            TRACE_ID.set("left on the loop thread");
            try {
                loop.run(RunMode.NOWAIT);
                nanos.addAndGet(Duration.ofSeconds(1).toNanos());
                loop.run(RunMode.NOWAIT);
                assertThat(TRACE_ID.get()).as("put back after each task").isEqualTo("left on the loop thread");
            } finally {
                TRACE_ID.remove();
            }
            assertThat(seen).containsExactly("execute trace-1", "none null", "schedule trace-2");
        }
    }

    @Test
    void aTraceIdCrossesToABlockingWorkerAndBackToTheLoop() throws Exception {
        try (EventLoop loop = EventLoop.builder().name("ctx-blocking")
                .taskDecorator(ContextPropagationDecorator.of(registry)).build()) {
            CompletableFuture<String> seen = new CompletableFuture<>();
            TRACE_ID.set("trace-9");
            try {
                BlockingWork.of(loop).submitBlocking(() -> "worker " + TRACE_ID.get())
                        .thenAccept(value -> seen.complete(value + ", loop " + TRACE_ID.get()));
            } finally {
                TRACE_ID.remove();
            }
            while (!seen.isDone()) {
                loop.run(RunMode.ONCE); // the worker's hand-off wakes the loop
            }
            assertThat(seen.get()).isEqualTo("worker trace-9, loop trace-9");
        }
    }
}
