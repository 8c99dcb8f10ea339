package io.weft.loop.core;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The loop's timers unit (libuv's {@code timer.c}): the heap, the scheduling sequence, the purge
 * of cancelled entries, refreshes, re-arming and skipping of repeating timers, and the next poll
 * timeout.
 * Loop thread only; the loop hands it cross-thread cancels and inserts as callbacks.
 *
 * <p>Deadlines are compared by subtraction, exact while they are less than 2^62 apart; delays are
 * saturated to that bound before they get here.
 */
final class Timers {
    /** Deadlines are compared by subtraction, which is exact while they are less than 2^62 apart. */
    private static final Duration MAX_DELAY = Duration.ofNanos(Long.MAX_VALUE >> 1);
    /** More cancelled timers than this, and more than half the heap, trigger a purge (Tornado's rule). */
    private static final int PURGE_MIN_CANCELLED = 64;

    private final TimerQueue heap = new TimerQueue();
    private final LoopStats stats;
    private final Consumer<Runnable> runTask;
    private long sequence;
    private int cancelledInHeap;
    private int live;
    private int referenced;

    /** {@code runTask} runs a timer's task with the loop's error handling. */
    Timers(LoopStats stats, Consumer<Runnable> runTask) {
        this.stats = stats;
        this.runTask = runTask;
    }

    /**
     * {@code delay} in nanoseconds, saturated to about 146 years (see the class comment); any thread.
     *
     * @throws IllegalArgumentException if it is negative, naming it as {@code what}
     */
    static long delayNanos(Duration delay, String what) {
        Objects.requireNonNull(delay, what);
        if (delay.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + delay);
        }
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY.toNanos() : delay.toNanos();
    }

    /** Puts a scheduled timer in the heap; it fires no earlier than the next timer pass. */
    void insert(Timer timer) {
        if (timer.enterHeap(sequence++)) {
            live++;
            if (timer.isReferenced()) {
                referenced++;
            }
            stats.set(LoopStats.LIVE_TIMERS, live);
        }
        heap.add(timer);
        stats.set(LoopStats.TIMER_HEAP, heap.size());
    }

    /**
     * Fires the timers due at {@code now}, in (deadline, sequence) order; timers inserted while
     * this runs wait for the next pass.
     *
     * @return whether any fired
     */
    boolean runDue(long now) {
        long sequenceLimit = sequence;
        long fired = 0;
        for (Timer timer; (timer = top()) != null; ) {
            if (timer.deadlineNanos() - now > 0 || timer.sequence() >= sequenceLimit) {
                break;
            }
            heap.poll();
            timer.leaveHeap();
            if (!timer.isRepeating()) {
                if (!timer.markFired()) {
                    continue; // cancelled by another thread just now; its hook fixes the counts
                }
                uncount(timer);
            }
            fired++;
            long sequenceBefore = timer.sequence();
            runTask.accept(timer.task);
            if (timer.isRepeating() && timer.isScheduled()) {
                if (timer.sequence() == sequenceBefore) { // else the task refreshed it: its deadline is set
                    stats.add(LoopStats.TIMER_RUNS_SKIPPED, timer.advanceDeadline(now));
                }
                insert(timer);
            }
        }
        stats.set(LoopStats.TIMER_HEAP, heap.size());
        stats.add(LoopStats.TIMERS_FIRED, fired);
        return fired > 0;
    }

    /** Nanoseconds from {@code now} to the earliest scheduled deadline (0 if past), or -1 if none. */
    long nextTimeout(long now) {
        Timer timer = top();
        return timer == null ? -1 : Math.max(0, timer.deadlineNanos() - now);
    }

    /**
     * Moves a scheduled timer's deadline to its delay from {@code now}, in O(1): the heap keeps the
     * old key until it reaches the top (see {@link #top()}). A refreshed timer orders after the
     * timers scheduled before the refresh, like a timer scheduled at that moment.
     *
     * @return whether the timer was scheduled (a fired or cancelled one is left as it is)
     */
    boolean refresh(Timer timer, long now) {
        if (!timer.isScheduled()) {
            return false;
        }
        timer.moveDeadline(now, sequence++);
        return true;
    }

    /** The earliest scheduled timer, or null: drops cancelled timers and re-keys refreshed ones on the way. */
    private Timer top() {
        for (Timer timer; (timer = heap.peek()) != null; ) {
            if (!timer.isScheduled()) {
                dropTop(timer);
            } else if (heap.topIsStale()) {
                heap.rekeyTop();
            } else {
                return timer;
            }
        }
        return null;
    }

    /** Accounts for a timer cancelled on (or handed to) the loop thread; purges when due. */
    void cancelled(Timer timer) {
        if (timer.countCancelInHeap()) {
            cancelledInHeap++;
        }
        uncount(timer);
        if (cancelledInHeap > PURGE_MIN_CANCELLED && cancelledInHeap > heap.size() >>> 1) {
            heap.purgeCancelled();
            cancelledInHeap = 0;
            stats.set(LoopStats.TIMER_HEAP, heap.size());
        }
    }

    void setReferenced(Timer timer, boolean keepsLoopAlive) {
        if (timer.setReferenced(keepsLoopAlive) && timer.isCounted()) {
            referenced += keepsLoopAlive ? 1 : -1;
        }
    }

    /** Whether a referenced timer keeps the loop alive. */
    boolean holdLoop() {
        return referenced > 0;
    }

    /** Cancels every timer in the heap and empties it; closing only. */
    void cancelAll() {
        heap.drain(timer -> {
            timer.leaveHeap();
            timer.cancel();
        });
        cancelledInHeap = 0;
        stats.set(LoopStats.TIMER_HEAP, 0);
    }

    private void dropTop(Timer timer) {
        heap.poll();
        if (timer.leaveHeap()) {
            cancelledInHeap--;
        }
    }

    private void uncount(Timer timer) {
        if (timer.uncount()) {
            live--;
            if (timer.isReferenced()) {
                referenced--;
            }
            stats.set(LoopStats.LIVE_TIMERS, live);
        }
    }
}
