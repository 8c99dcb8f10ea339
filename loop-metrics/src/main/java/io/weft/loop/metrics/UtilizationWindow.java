package io.weft.loop.metrics;

import io.weft.loop.core.LoopStats;

/**
 * busy / (busy + idle) over the last window, for the utilization gauge. A read that finds less
 * than one window of loop time since the last one returns the last value, so scrapes from several
 * registries do not shrink each other's windows to nothing.
 *
 * <p>Before the first full window, a read returns the share over the loop time seen since the
 * binding (or NaN, "no reading", while there is none): never the loop's lifetime share, which is
 * all busy for a loop that has started and not yet come back from its first poll.
 */
final class UtilizationWindow {
    private final long windowNanos;
    private long lastBusy;
    private long lastIdle;
    private double value = Double.NaN;
    private boolean fullWindowSeen;

    UtilizationWindow(LoopStats stats, long windowNanos) {
        this.windowNanos = windowNanos;
        this.lastBusy = stats.busyNanos();
        this.lastIdle = stats.pollNanos();
    }

    synchronized double read(LoopStats stats) {
        // Each counter is consistent by itself; idle read first, so a poll finishing in between
        // makes the busy share a little high, never negative.
        long idle = stats.pollNanos();
        long busy = stats.busyNanos();
        long busyDelta = busy - lastBusy;
        long elapsed = busyDelta + idle - lastIdle;
        if (elapsed >= windowNanos && elapsed > 0) {
            value = (double) busyDelta / elapsed;
            lastBusy = busy;
            lastIdle = idle;
            fullWindowSeen = true;
        } else if (!fullWindowSeen && elapsed > 0) {
            value = (double) busyDelta / elapsed; // the first window, so far
        }
        return value;
    }
}
