package io.weft.loop.core;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The any-thread side of the loop's timers: makes {@link Timer}s and hands their inserts, cancels,
 * refreshes and ref changes to the {@link Timers} unit, which is loop-thread only. The caller that
 * holds the loop does it directly; the owner of an idle loop does it under a brief hold (one
 * compare-and-set), so a timer it schedules before {@code run} is in the heap for the first timer
 * pass; any other thread queues it as a command for the loop thread.
 */
final class TimerScheduler {
    private final EventLoop loop;
    private final LoopThread thread;
    private final Timers timers;
    private final LoopClock clock;
    /** Queues a command for the loop thread and wakes it. */
    private final Consumer<Runnable> submit;

    TimerScheduler(EventLoop loop, LoopThread thread, Timers timers, LoopClock clock, Consumer<Runnable> submit) {
        this.loop = loop;
        this.thread = thread;
        this.timers = timers;
        this.clock = clock;
        this.submit = submit;
    }

    /** See {@link EventLoop#schedule}: a timer due {@code delayNanos} from now, repeating if the period is positive. */
    Timer schedule(long delayNanos, long periodNanos, Runnable task) {
        Objects.requireNonNull(task, "task");
        if (thread.runsHere() && thread.lifecycle() != LoopThread.CLOSED) {
            // The hot path, kept small enough for the JIT to inline into its callers.
            Timer timer = new Timer(this, task, loop.now(), delayNanos, periodNanos);
            timers.insert(timer);
            return timer;
        }
        return scheduleOffLoop(delayNanos, periodNanos, task);
    }

    /** {@link #schedule} from a closed loop's thread, the owner of an idle loop, or another thread. */
    private Timer scheduleOffLoop(long delayNanos, long periodNanos, Runnable task) {
        if (thread.runsHere()) {
            throw thread.rejected(); // the loop has closed
        }
        if (thread.tryHoldBriefly()) {
            // The owner of an idle loop: the timer is in the heap for the first timer pass of the
            // next run. The cached time is stale here: read the clock.
            try {
                if (thread.lifecycle() == LoopThread.CLOSED) {
                    throw thread.rejected();
                }
                Timer timer = new Timer(this, task, clock.nanoTime(), delayNanos, periodNanos);
                insert(timer);
                return timer;
            } finally {
                thread.releaseBriefly();
            }
        }
        if (thread.lifecycle() != LoopThread.OPEN) {
            throw thread.rejected();
        }
        Timer timer = new Timer(this, task, clock.nanoTime(), delayNanos, periodNanos);
        submit.accept((Callbacks.Command) () -> insert(timer));
        return timer;
    }

    private void insert(Timer timer) {
        if (!timer.isScheduled()) {
            return; // cancelled before it reached the loop
        }
        if (thread.lifecycle() == LoopThread.CLOSED) {
            timer.cancel(); // reached a loop that has closed: it reads as cancelled
            return;
        }
        timers.insert(timer);
    }

    /** Accounts for a timer {@link Timer#cancel()} has just cancelled, on whichever thread. */
    void cancelled(Timer timer) {
        if (thread.runsHere()) {
            timers.cancelled(timer);
        } else if (thread.tryHoldBriefly()) {
            try {
                timers.cancelled(timer);
            } finally {
                thread.releaseBriefly();
            }
        } else if (thread.lifecycle() != LoopThread.CLOSED) {
            submit.accept((Callbacks.Command) () -> timers.cancelled(timer));
        }
    }

    /** See {@link Timer#refresh()}. */
    boolean refresh(Timer timer) {
        if (thread.runsHere()) {
            return timers.refresh(timer, loop.now());
        }
        if (thread.tryHoldBriefly()) {
            try {
                return timers.refresh(timer, clock.nanoTime()); // idle: the cached time is stale
            } finally {
                thread.releaseBriefly();
            }
        }
        thread.check("Timer.refresh()");
        throw new IllegalStateException("Timer.refresh(): the loop is starting on another thread;"
                + " refresh from its thread with loop.execute(...)");
    }

    /** See {@link Timer#ref()} and {@link Timer#unref()}. */
    void setReferenced(Timer timer, boolean referenced) {
        thread.check(referenced ? "Timer.ref()" : "Timer.unref()");
        timers.setReferenced(timer, referenced);
    }
}
