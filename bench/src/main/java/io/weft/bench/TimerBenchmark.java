package io.weft.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Timer throughput on the loop thread, Weft ({@code weft-nio}) beside Netty 4.2's {@code
 * SingleThreadIoEventLoop} on NIO: timers per microsecond.
 *
 * <ul>
 *   <li>{@link #scheduleCancel}: schedule {@value #BATCH} one-shot timers with distinct deadlines
 *       (1 s and up, so none fires), then cancel them all in scheduling order: the request-timeout
 *       pattern, where almost every timeout is cancelled. Weft cancels lazily and purges when half
 *       the heap is cancelled; Netty removes each entry from its heap at once.
 *   <li>{@link #scheduleFire}: schedule {@value #BATCH} timers with delay zero and wait until all
 *       have fired: heap insert, due-check, heap removal and the task call.
 * </ul>
 *
 * <p>Each invocation hands one batch job to the loop with {@code execute} and parks until the loop
 * signals it is done, so all timer calls are made on the loop thread, where both loops skip their
 * cross-thread queue. The one hand-off per batch of {@value #BATCH} is common to both loops and
 * small beside the batch.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class TimerBenchmark extends LoopBenchmark {
    static final int BATCH = 1000;
    private static final long FAR_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Signal done = new Signal();
    private final Object[] handles = new Object[BATCH];
    private final Runnable noop = () -> { };
    private int fired; // loop thread only

    private final Runnable countFired = () -> {
        if (++fired == BATCH) {
            fired = 0;
            done.run();
        }
    };

    private final Runnable scheduleThenCancel = () -> {
        for (int i = 0; i < BATCH; i++) {
            handles[i] = loop.schedule(FAR_NANOS + i, noop);
        }
        for (int i = 0; i < BATCH; i++) {
            loop.cancel(handles[i]);
            handles[i] = null;
        }
        done.run();
    };

    private final Runnable scheduleZero = () -> {
        for (int i = 0; i < BATCH; i++) {
            loop.schedule(0, countFired);
        }
    };

    /** Schedules and cancels {@value #BATCH} far timers on the loop thread. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void scheduleCancel() {
        done.arm();
        loop.execute(scheduleThenCancel);
        done.await(false);
    }

    /** Schedules {@value #BATCH} zero-delay timers on the loop thread and waits until all fired. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void scheduleFire() {
        done.arm();
        loop.execute(scheduleZero);
        done.await(false);
    }
}
