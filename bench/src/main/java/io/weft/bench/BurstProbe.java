package io.weft.bench;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopStats;
import io.weft.loop.core.RunMode;
import java.time.Duration;

/**
 * Not a JMH benchmark: a probe that runs {@link ExecuteThroughputBenchmark}'s one-producer burst
 * against a Weft loop and prints, per round, the throughput together with what the loop's own
 * {@link LoopStats} say about it: loop iterations per 1000-task burst (each one that ends in a
 * blocking poll costs the producer a wake-up) and the share of wall time spent in the poller.
 *
 * {@snippet :
 * // java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.weft.bench.BurstProbe [poller]
 * }
 */
public final class BurstProbe {
    private static final int BURST = ExecuteThroughputBenchmark.BURST;
    private static int ran; // loop thread only

    private BurstProbe() {
    }

    /** Runs five rounds of 20 000 bursts on the poller named by {@code args[0]} (default {@code nio}). */
    public static void main(String[] args) throws InterruptedException {
        String poller = args.length > 0 ? args[0] : "nio";
        EventLoop loop = EventLoop.builder().name("probe").poller(poller).build();
        loop.schedule(Duration.ofDays(1), () -> { });
        Thread thread = Thread.ofPlatform().name("probe-loop").start(() -> loop.run(RunMode.DEFAULT));
        Signal done = new Signal();
        Runnable task = () -> {
            if (++ran == BURST) {
                ran = 0;
                done.run();
            }
        };
        LoopStats stats = loop.stats();
        for (int round = 0; round < 5; round++) {
            int bursts = 20_000;
            long iterations = stats.iterations();
            long polled = stats.pollNanos();
            long start = System.nanoTime();
            for (int b = 0; b < bursts; b++) {
                done.arm();
                for (int i = 0; i < BURST; i++) {
                    loop.execute(task);
                }
                done.await(false);
            }
            long wall = System.nanoTime() - start;
            System.out.printf("tasks/us=%.1f  iterations/burst=%.1f  in poller=%.0f%%%n",
                    bursts * (double) BURST / (wall / 1000.0),
                    (stats.iterations() - iterations) / (double) bursts,
                    100.0 * (stats.pollNanos() - polled) / wall);
        }
        loop.stop();
        thread.join();
        loop.close();
    }
}
