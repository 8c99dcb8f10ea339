package io.weft.loop.core;

import java.util.Arrays;

/**
 * A binary min-heap of {@link Timer}s ordered by (deadline, sequence). Loop thread only.
 *
 * <p>Cancelled timers stay in the heap (cancelling is O(1)) and are dropped when they reach the
 * top, or all at once by {@link #purgeCancelled()} when they make up more than half of it.
 */
final class TimerQueue {
    private Timer[] heap = new Timer[64];
    private int size;

    int size() {
        return size;
    }

    Timer peek() {
        return size == 0 ? null : heap[0];
    }

    void add(Timer timer) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = timer;
        siftUp(size++);
    }

    Timer poll() {
        Timer top = heap[0];
        Timer last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            heap[0] = last;
            siftDown(0);
        }
        return top;
    }

    /** Drops every cancelled timer and rebuilds the heap in O(n). */
    void purgeCancelled() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            Timer timer = heap[i];
            if (timer.isScheduled()) {
                heap[kept++] = timer;
            }
        }
        Arrays.fill(heap, kept, size, null);
        size = kept;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    /** Removes every timer, returning them to the caller through {@code each}. */
    void drain(java.util.function.Consumer<Timer> each) {
        for (int i = 0; i < size; i++) {
            Timer timer = heap[i];
            heap[i] = null;
            each.accept(timer);
        }
        size = 0;
    }

    private static boolean before(Timer a, Timer b) {
        return a.deadlineNanos != b.deadlineNanos
                ? a.deadlineNanos - b.deadlineNanos < 0
                : a.sequence < b.sequence;
    }

    private void siftUp(int i) {
        Timer timer = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (!before(timer, p)) {
                break;
            }
            heap[i] = p;
            i = parent;
        }
        heap[i] = timer;
    }

    private void siftDown(int i) {
        Timer timer = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], timer)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = timer;
    }
}
