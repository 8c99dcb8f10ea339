package io.weft.loop.testkit;

import io.weft.loop.core.LoopClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link LoopClock} that moves only when a test advances it. Thread-safe. */
public final class ManualClock implements LoopClock {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    /** A clock that reads one second until a test advances it. */
    public ManualClock() {
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    /**
     * Moves the clock forward by {@code step}.
     *
     * @param step how far to move it, zero or more
     */
    public void advance(Duration step) {
        nanos.addAndGet(step.toNanos());
    }
}
