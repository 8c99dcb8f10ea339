package io.weft.loop.metrics;

import io.weft.loop.core.EventLoop;
import io.weft.loop.testkit.InstalledPollers;
import io.weft.loop.testkit.ManualClock;
import io.weft.loop.testkit.RecordingPollerProvider;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Loops on a manual clock whose NIO poller never blocks and moves the clock by {@code
 * poller.idleStep} per poll, so busy and idle time are exactly what a test scripts: busy is what tasks
 * advance, idle is the step per iteration.
 */
final class ScriptedLoop {
    final ManualClock clock = new ManualClock();
    final RecordingPollerProvider poller = new RecordingPollerProvider(InstalledPollers.named("nio"), true).idlingOn(clock);

    static ScriptedLoop create() {
        return new ScriptedLoop();
    }

    EventLoop build(String name) {
        return EventLoop.builder().name(name).clock(clock).poller(poller)
                .exceptionHandler((loop, task, error) -> { }).build();
    }

    /** Waits for a condition another thread makes true; fails after 10 s instead of hanging. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
