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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cross-thread {@code execute} throughput: tasks per microsecond that one or four producer threads
 * get run on one loop, Weft ({@code weft-nio}) beside Netty 4.2's {@code SingleThreadIoEventLoop}
 * on NIO ({@code netty-nio}).
 *
 * <p><b>Design.</b> One benchmark invocation is one <em>burst</em>: the producer submits {@value
 * #BURST} tasks with {@code execute}, then parks until the loop has run the last of them (tasks from
 * one thread run in submission order on both loops, so the last one running means all ran). The
 * score is therefore submitted-and-run tasks, not merely enqueued ones, and the queue holds at most
 * {@code producers x BURST} tasks: it cannot grow without bound however fast the producers are,
 * which would otherwise measure the allocator and the GC instead of the queue. The burst is large
 * enough that the one park/unpark hand-off per burst is a small part of it, and small enough that
 * the loop drains while producers are still submitting, so producers and the consumer contend on
 * the queue as they do in a server. Each producer reuses one task object, so neither loop pays for
 * lambda allocation; what remains is the queue node, the wake-up protocol and the run phase.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class ExecuteThroughputBenchmark extends LoopBenchmark {
    static final int BURST = 1000;


    /** One producer's reusable task: counts runs on the loop thread, signals at the end of a burst. */
    @State(Scope.Thread)
    public static class Producer implements Runnable {
        private final Signal burstDone = new Signal();
        private int ran; // loop thread only

        @Override
        public void run() {
            if (++ran == BURST) {
                ran = 0;
                burstDone.run();
            }
        }

        void burst(BenchLoop loop) {
            burstDone.arm();
            for (int i = 0; i < BURST; i++) {
                loop.execute(this);
            }
            burstDone.await(false);
        }
    }

    /** One producer thread, the loop on the other core. */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BURST)
    public void oneProducer(Producer producer) {
        producer.burst(loop);
    }

    /** Four producer threads contending on the loop's queue (on two cores: oversubscribed on purpose). */
    @Benchmark
    @Threads(4)
    @OperationsPerInvocation(BURST)
    public void fourProducers(Producer producer) {
        producer.burst(loop);
    }
}
