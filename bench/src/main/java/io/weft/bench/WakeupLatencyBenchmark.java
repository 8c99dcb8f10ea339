package io.weft.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Wake-up latency: the time from {@code execute} of one task, on another thread, to a loop that
 * is blocked in its poller with nothing to do, until that task has run and the submitter has seen
 * its effect. Weft ({@code weft-nio}) beside Netty 4.2's {@code SingleThreadIoEventLoop} on NIO.
 *
 * <p>The path measured: enqueue, the loop's wake-up decision and {@code Selector.wakeup()}, the
 * kernel waking the loop thread out of {@code epoll_wait},
 * the loop's bookkeeping up to its run phase, the task, and the submitter seeing a volatile write
 * (it spins, so its own wake-up is not measured). Before each invocation the submitter sleeps
 * {@value #IDLE_MICROS} µs outside the measurement, so the loop has gone back to block in the
 * poller: every sample is a real wake-up, not a task picked up by a loop that was still awake.
 */
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class WakeupLatencyBenchmark extends LoopBenchmark {
    static final long IDLE_MICROS = 100;

    private final Signal ran = new Signal();

    @Setup(Level.Invocation)
    public void letLoopBlock() {
        // parkNanos may return early (spuriously, or on a permit): sleep out the full idle time.
        long end = System.nanoTime() + IDLE_MICROS * 1000;
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
        ran.armSpinning();
    }

    /** Submits one task to the idle loop and spins until it has run. */
    @Benchmark
    public void wakeAndRun() {
        loop.execute(ran);
        ran.await(true);
    }
}
