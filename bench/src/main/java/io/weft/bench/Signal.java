package io.weft.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * A one-waiter, reusable completion flag: the loop thread runs it (or calls {@link #run()}) to say
 * "done", the benchmark thread {@linkplain #await waits} for it. Reset with {@link #arm()} before
 * handing work to the loop; the write happens-before the loop sees the work, through the loop's queue.
 */
public final class Signal implements Runnable {
    private volatile boolean done;
    private volatile Thread waiter;

    /** Clears the flag and makes the calling thread the one to wake; it will {@code await(false)}. */
    public void arm() {
        waiter = Thread.currentThread();
        done = false;
    }

    /**
     * Clears the flag for a waiter that will spin ({@code await(true)}): nobody is unparked, so no
     * stale park permit is left behind to cut the caller's next {@code parkNanos} short.
     */
    public void armSpinning() {
        waiter = null;
        done = false;
    }

    /** Sets the flag and wakes the waiter; any thread. */
    @Override
    public void run() {
        done = true;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Waits until the flag is set: by spinning when {@code spin} (lowest latency, costs a core), else
     * by parking (leaves the core to the loop; the wake-up costs an unpark).
     */
    public void await(boolean spin) {
        if (spin) {
            while (!done) {
                Thread.onSpinWait();
            }
            return;
        }
        if (waiter == null) {
            waiter = Thread.currentThread();
        }
        while (!done) {
            LockSupport.park(this);
        }
    }
}
