package io.weft.loop.metrics;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Timer;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * A one-shot loop timer that re-arms itself and reports how late each run fired past its deadline
 * (Node's {@code monitorEventLoopDelay}). Unreferenced, so it never keeps a loop alive. Re-armed
 * from its own run, so a late run does not cause a burst of catch-up runs.
 */
final class LagProbe implements Runnable {
    private final EventLoop loop;
    private final long resolutionNanos;
    private final Duration resolution;
    private final LongConsumer lateNanos;
    private volatile boolean closed;
    private volatile Timer timer;
    private long deadlineNanos; // loop thread only

    LagProbe(EventLoop loop, Duration resolution, LongConsumer lateNanos) {
        this.loop = loop;
        this.resolution = resolution;
        this.resolutionNanos = resolution.toNanos();
        this.lateNanos = lateNanos;
    }

    /** Arms the first run from the loop thread, where the timer's deadline is known exactly. */
    void start() {
        loop.execute(new Runnable() {
            @Override
            public void run() {
                arm();
            }

            @Override
            public String toString() {
                return "weft lag probe start";
            }
        });
    }

    private void arm() {
        if (closed) {
            return;
        }
        // On the loop thread a timer's deadline is the iteration's cached now() plus the delay.
        deadlineNanos = loop.now() + resolutionNanos;
        Timer armed = loop.schedule(resolution, this);
        armed.unref();
        timer = armed;
    }

    @Override
    public void run() {
        if (closed) {
            return;
        }
        lateNanos.accept(Math.max(0, loop.clock().nanoTime() - deadlineNanos));
        arm();
    }

    void close() {
        closed = true;
        Timer armed = timer;
        if (armed != null) {
            armed.cancel();
        }
    }

    @Override
    public String toString() {
        return "weft lag probe";
    }
}
