package io.weft.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A million timers, after libuv's {@code benchmark-million-timers}: from the loop thread, schedule
 * {@value #TIMERS} one-shot timers, then let the loop run until every one has fired. Weft ({@code
 * weft-nio}) beside Netty 4.2's {@code SingleThreadIoEventLoop} on NIO; single-shot times in ms.
 *
 * <ul>
 *   <li>{@link #schedule}: the time to schedule the million (the loop then fires them outside the
 *       measurement, before the next shot);
 *   <li>{@link #scheduleAndFire}: the total, from the first schedule call to the last timer fired.
 * </ul>
 *
 * <p>libuv raises the timeout by 1 ms every thousand timers, so its million timers share a thousand
 * deadlines spread over a second and its total is mostly that second of waiting. Here every timer
 * has its own delay, {@code (i * 7919) mod 1 000 000} ns: a million distinct deadlines within 1 ms,
 * in scrambled order, so the heap does real sifting on insert and the total measures scheduling
 * plus firing, not the clock. All timers share one task object, so neither loop pays for a million
 * lambdas; each pays for its own timer objects.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class MillionTimersBenchmark extends LoopBenchmark {
    static final int TIMERS = 1_000_000;

    private final Signal scheduled = new Signal();
    private final Signal allFired = new Signal();
    private int fired; // loop thread only

    private final Runnable countFired = () -> {
        if (++fired == TIMERS) {
            fired = 0;
            allFired.run();
        }
    };

    private final Runnable scheduleAll = () -> {
        for (int i = 0; i < TIMERS; i++) {
            loop.schedule((i * 7919L) % 1_000_000L, countFired);
        }
        scheduled.run();
    };

    @Setup(Level.Invocation)
    public void arm() {
        System.gc(); // start each shot from the same, clean heap
        scheduled.arm();
        allFired.arm();
    }

    @TearDown(Level.Invocation)
    public void drain() {
        allFired.await(false);
    }

    /** Time to schedule a million timers on the loop thread. */
    @Benchmark
    public void schedule() {
        loop.execute(scheduleAll);
        scheduled.await(false);
    }

    /** Time to schedule a million timers and run the loop until all have fired. */
    @Benchmark
    public void scheduleAndFire() {
        loop.execute(scheduleAll);
        allFired.await(false);
    }
}
