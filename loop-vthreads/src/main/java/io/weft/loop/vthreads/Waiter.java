package io.weft.loop.vthreads;

import io.weft.loop.core.Timer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;

/**
 * One parked thread waiting for one outcome from a loop: a count, an object, or a failure. The
 * first outcome wins (a compare-and-set), so a timeout, a close, an interrupt and the event itself
 * may race safely; the loser's outcome is dropped.
 *
 * <p>A waiter whose {@link #buffer} the loop fills (socket reads and writes) is finished only on
 * the loop's side, so the loop never touches a buffer its owner has already taken back.
 */
final class Waiter {
    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final int DONE = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread thread = Thread.currentThread();
    /** The scheduler carrying the parked thread, or null when a pool carries it. */
    final LoopScheduler home = VirtualThreads.carriedBy();
    /** The caller's buffer, for socket reads and writes. */
    final java.nio.ByteBuffer buffer;
    /** What to fail with when the loop shuts down before the outcome arrives. */
    final Supplier<? extends Throwable> onLoopClosed;
    /**
     * The timer that ends this wait, if any. Written by the thread that arms it ({@link #setTimer},
     * often the parking thread, off the loop) and read by whichever thread finishes the wait: both
     * sides are volatile, so of "set the timer, then look at the state" and "set the state, then
     * look at the timer" at least one sees the other, and the timer is always cancelled.
     */
    private volatile Timer timer;
    private volatile int state;
    private long count;
    private Object value;
    private Throwable failure;

    Waiter(java.nio.ByteBuffer buffer, Supplier<? extends Throwable> onLoopClosed) {
        this.buffer = buffer;
        this.onLoopClosed = onLoopClosed;
    }

    boolean complete(long n) {
        return finish(n, null, null);
    }

    boolean complete(Object result) {
        return finish(0, result, null);
    }

    boolean fail(Throwable cause) {
        return finish(0, null, cause);
    }

    boolean failLoopClosed() {
        return fail(onLoopClosed.get());
    }

    private boolean finish(long n, Object result, Throwable cause) {
        if (!STATE.compareAndSet(this, WAITING, CLAIMED)) {
            return false;
        }
        count = n;
        value = result;
        failure = cause;
        state = DONE; // publishes the outcome
        Timer t = timer;
        if (t != null) {
            t.cancel();
        }
        wake();
        return true;
    }

    private void wake() {
        LoopScheduler scheduler = home;
        if (scheduler != null) {
            scheduler.unpark(thread);
        } else {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Sets the timer that ends this wait; cancels it at once if the outcome came first (so it does
     * not keep the loop alive, or hold this waiter, until it fires). Any thread; cancelling twice is harmless.
     */
    void setTimer(Timer t) {
        timer = t;
        if (state != WAITING) {
            t.cancel();
        }
    }

    boolean isDone() {
        return state == DONE;
    }

    /**
     * Parks until the outcome arrives. The first interrupt runs {@code onInterrupt} (which must lead
     * to an outcome, such as handing an abort to the loop) and clears the status so the wait can go
     * on; returns whether that happened, for the caller to restore or report.
     */
    boolean park(Runnable onInterrupt) {
        boolean interrupted = false;
        while (state != DONE) {
            LockSupport.park(this);
            if (Thread.interrupted() && !interrupted) {
                interrupted = true;
                onInterrupt.run();
            }
        }
        return interrupted;
    }

    long count() {
        return count;
    }

    Object value() {
        return value;
    }

    Throwable failure() {
        return failure;
    }
}
