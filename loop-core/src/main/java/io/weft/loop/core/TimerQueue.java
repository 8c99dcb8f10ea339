package io.weft.loop.core;

import java.util.Arrays;

/**
 * A min-heap of {@link Timer}s ordered by (deadline, sequence). Loop thread only.
 *
 * <p>Cancelled timers stay in the heap (cancelling is O(1)) and are dropped when they reach the
 * top, or all at once by {@link #purgeCancelled()} when they make up more than half of it.
 *
 * <p>The heap is 4-ary and keeps each entry's (deadline, sequence) key inline in a {@code long[]}
 * beside the {@code Timer[]}: a sift compares keys without loading a single {@code Timer}, and the
 * four children of a node share one 64-byte cache line of keys. With a million timers a binary heap
 * of objects costs about two cache misses per level (each child's object) over twenty levels; this
 * one costs about one per level over ten. The key is copied at insertion. A {@link Timer#refresh()}
 * moves a timer's own key while it sits here and leaves the copy behind, so a refresh costs O(1);
 * when the stale copy reaches the top, {@link #topIsStale()} says so and {@link #rekeyTop()} sifts
 * the timer down to its real key.
 */
final class TimerQueue {
    private Timer[] timers = new Timer[64];
    /** {@code keys[2i]} is the deadline of {@code timers[i]}, {@code keys[2i + 1]} its sequence. */
    private long[] keys = new long[128];
    private int size;

    int size() {
        return size;
    }

    Timer peek() {
        return size == 0 ? null : timers[0];
    }

    /** Whether the top timer's key has moved (it was refreshed) since the heap copied it. */
    boolean topIsStale() {
        return keys[1] != timers[0].sequence();
    }

    /** Sifts the top timer down to its current key; see {@link #topIsStale()}. */
    void rekeyTop() {
        Timer top = timers[0];
        siftDown(0, top, top.deadlineNanos(), top.sequence());
    }

    void add(Timer timer) {
        if (size == timers.length) {
            timers = Arrays.copyOf(timers, size * 2);
            keys = Arrays.copyOf(keys, size * 4);
        }
        siftUp(size++, timer, timer.deadlineNanos(), timer.sequence());
    }

    Timer poll() {
        Timer top = timers[0];
        int last = --size;
        Timer moved = timers[last];
        timers[last] = null;
        if (last > 0) {
            siftDown(0, moved, keys[2 * last], keys[2 * last + 1]);
        }
        return top;
    }

    /** Drops every cancelled timer and rebuilds the heap in O(n). */
    void purgeCancelled() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            Timer timer = timers[i];
            if (timer.isScheduled()) {
                timers[kept] = timer;
                keys[2 * kept] = keys[2 * i];
                keys[2 * kept + 1] = keys[2 * i + 1];
                kept++;
            }
        }
        Arrays.fill(timers, kept, size, null);
        size = kept;
        for (int i = (size - 2) >> 2; i >= 0; i--) {
            siftDown(i, timers[i], keys[2 * i], keys[2 * i + 1]);
        }
    }

    /** Removes every timer, returning them to the caller through {@code each}. */
    void drain(java.util.function.Consumer<Timer> each) {
        for (int i = 0; i < size; i++) {
            Timer timer = timers[i];
            timers[i] = null;
            each.accept(timer);
        }
        size = 0;
    }

    private static boolean before(long deadline, long sequence, long otherDeadline, long otherSequence) {
        // Deadlines compare by subtraction: exact while they are less than 2^62 apart (see Timers).
        return deadline != otherDeadline ? deadline - otherDeadline < 0 : sequence < otherSequence;
    }

    private void siftUp(int i, Timer timer, long deadline, long sequence) {
        long[] k = keys;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long parentDeadline = k[2 * parent];
            long parentSequence = k[2 * parent + 1];
            if (!before(deadline, sequence, parentDeadline, parentSequence)) {
                break;
            }
            timers[i] = timers[parent];
            k[2 * i] = parentDeadline;
            k[2 * i + 1] = parentSequence;
            i = parent;
        }
        timers[i] = timer;
        k[2 * i] = deadline;
        k[2 * i + 1] = sequence;
    }

    private void siftDown(int i, Timer timer, long deadline, long sequence) {
        long[] k = keys;
        int n = size;
        for (;;) {
            int first = 4 * i + 1;
            if (first >= n) {
                break;
            }
            int best = first;
            long bestDeadline = k[2 * first];
            long bestSequence = k[2 * first + 1];
            for (int c = first + 1, end = Math.min(first + 4, n); c < end; c++) {
                long d = k[2 * c];
                long s = k[2 * c + 1];
                if (before(d, s, bestDeadline, bestSequence)) {
                    best = c;
                    bestDeadline = d;
                    bestSequence = s;
                }
            }
            if (!before(bestDeadline, bestSequence, deadline, sequence)) {
                break;
            }
            timers[i] = timers[best];
            k[2 * i] = bestDeadline;
            k[2 * i + 1] = bestSequence;
            i = best;
        }
        timers[i] = timer;
        k[2 * i] = deadline;
        k[2 * i + 1] = sequence;
    }
}
