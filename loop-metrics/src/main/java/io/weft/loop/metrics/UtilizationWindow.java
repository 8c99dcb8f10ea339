package io.weft.loop.metrics;

import io.weft.loop.core.LoopStats;

/**
 * busy / (busy + idle) over the last window, for the utilization gauge. A read that finds less
 * than one window of loop time since the last one returns the last value, so scrapes from several
 * registries do not shrink each other's windows to nothing.
 */
final class UtilizationWindow {
    private final long windowNanos;
    private long lastBusy;
    private long lastIdle;
    private double value;

    UtilizationWindow(LoopStats stats, long windowNanos) {
        this.windowNanos = windowNanos;
        this.lastBusy = stats.busyNanos();
        this.lastIdle = stats.pollNanos();
        long total = lastBusy + lastIdle;
        this.value = total > 0 ? (double) lastBusy / total : 0;
    }

    synchronized double read(LoopStats stats) {
        // Each counter is consistent by itself; idle read first, so a poll finishing in between
        // makes the busy share a little high, never negative.
        long idle = stats.pollNanos();
        long busy = stats.busyNanos();
        long busyDelta = busy - lastBusy;
        long idleDelta = idle - lastIdle;
        long elapsed = busyDelta + idleDelta;
        if (elapsed >= windowNanos && elapsed > 0) {
            value = (double) busyDelta / elapsed;
            lastBusy = busy;
            lastIdle = idle;
        }
        return value;
    }
}
