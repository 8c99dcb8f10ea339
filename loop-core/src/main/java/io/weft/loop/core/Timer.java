package io.weft.loop.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * A scheduled task on an {@link EventLoop}: one-shot or repeating.
 *
 * <p><b>Threads.</b> {@link #cancel()} and the queries are safe from any thread; {@link
 * #refresh()}, {@link #ref()} and {@link #unref()} are loop-thread only. The task runs on the loop thread.
 *
 * <p><b>Ordering.</b> Timers fire in deadline order; timers with the same deadline fire in the
 * order they were scheduled. A repeating timer re-arms from its previous deadline, so it does not
 * drift; when the loop falls more than a period behind it skips the missed runs (counted in {@link
 * LoopStats#timerRunsSkipped()}) instead of firing them in a burst.
 */
public final class Timer {
    static final int SCHEDULED = 0;
    static final int CANCELLED = 1;
    static final int DONE = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Timer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TimerScheduler scheduler;
    final Runnable task;
    /** What a refresh adds to the loop's time: the delay of a one-shot timer, the period of a repeating one. */
    private final long stepNanos;
    private final boolean repeating;
    private long deadlineNanos;
    private long sequence;
    private boolean referenced = true;
    /** Whether the loop counts it as live: set when inserted, cleared when it ends or is cancelled. */
    private boolean counted;
    /** Whether it sits in the heap; a cancelled timer stays there until popped or purged. */
    private boolean inHeap;
    /** Whether the timers unit counts it among the cancelled timers in the heap. */
    private boolean cancelCounted;
    private volatile int state;

    Timer(TimerScheduler scheduler, Runnable task, long startNanos, long delayNanos, long periodNanos) {
        this.scheduler = scheduler;
        this.task = task;
        this.deadlineNanos = startNanos + delayNanos;
        this.repeating = periodNanos > 0;
        this.stepNanos = repeating ? periodNanos : delayNanos;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    long sequence() {
        return sequence;
    }

    /** Enters the heap with the next sequence number; whether this made it live (it was not counted). */
    boolean enterHeap(long nextSequence) {
        sequence = nextSequence;
        inHeap = true;
        boolean wasCounted = counted;
        counted = true;
        return !wasCounted;
    }

    /** Leaves the heap; whether it had been counted as a cancelled timer in it. */
    boolean leaveHeap() {
        inHeap = false;
        boolean wasCancelCounted = cancelCounted;
        cancelCounted = false;
        return wasCancelCounted;
    }

    /** Counts a cancel while in the heap, once; whether it counted now. */
    boolean countCancelInHeap() {
        if (!inHeap || cancelCounted) {
            return false;
        }
        cancelCounted = true;
        return true;
    }

    /** Stops counting as live; whether it was. */
    boolean uncount() {
        boolean wasCounted = counted;
        counted = false;
        return wasCounted;
    }

    boolean isCounted() {
        return counted;
    }

    /**
     * Moves a repeating timer's deadline one period past the last, or past {@code now} when the
     * loop is late, skipping the missed runs.
     *
     * @return the runs skipped
     */
    long advanceDeadline(long now) {
        long next = deadlineNanos + stepNanos;
        long missed = 0;
        if (next - now <= 0) {
            missed = (now - deadlineNanos) / stepNanos;
            next = deadlineNanos + (missed + 1) * stepNanos;
        }
        deadlineNanos = next;
        return missed;
    }

    /** Sets the deadline to its delay (a repeating timer: its period) from {@code now}, with a new sequence. */
    void moveDeadline(long now, long nextSequence) {
        deadlineNanos = now + stepNanos;
        sequence = nextSequence;
    }

    /** Sets whether it keeps the loop alive; whether that changed. */
    boolean setReferenced(boolean keepsLoopAlive) {
        boolean changed = referenced != keepsLoopAlive;
        referenced = keepsLoopAlive;
        return changed;
    }

    /**
     * Cancels the timer: its task will not start again. Safe from any thread and idempotent.
     *
     * @return true if this call cancelled it, false if it had already finished or been cancelled
     */
    public boolean cancel() {
        if (!STATE.compareAndSet(this, SCHEDULED, CANCELLED)) {
            return false;
        }
        scheduler.cancelled(this);
        return true;
    }

    /**
     * Pushes the deadline out: a one-shot timer now fires its original delay after the loop's
     * cached time ({@link EventLoop#now()}), a repeating timer runs next one period after it, then
     * every period. The idle-timeout pattern: refresh on each request, fire only after a quiet
     * delay. It allocates nothing and costs O(1) (the heap catches up when the old deadline comes
     * round). A refreshed timer fires after the timers with the same deadline scheduled before the
     * refresh. Loop thread only: from another thread, hand it over with {@code loop.execute(...)}.
     *
     * @return true if it moved the deadline; false if the timer had already fired (one-shot) or
     *     been cancelled, which it leaves as it is: schedule a new timer for that
     * @throws IllegalStateException if not called on the loop thread
     */
    public boolean refresh() {
        return scheduler.refresh(this);
    }

    /** {@return whether {@link #cancel()} stopped this timer} */
    public boolean isCancelled() {
        return state == CANCELLED;
    }

    /** {@return whether a one-shot timer has run (repeating timers are never done, only cancelled)} */
    public boolean isDone() {
        return state == DONE;
    }

    /** {@return whether this timer repeats} */
    public boolean isRepeating() {
        return repeating;
    }

    /** {@return the period of a repeating timer, {@link Duration#ZERO} for a one-shot timer} */
    public Duration period() {
        return repeating ? Duration.ofNanos(stepNanos) : Duration.ZERO;
    }

    /**
     * Lets this timer keep the loop's {@link RunMode#DEFAULT} run alive (the default).
     *
     * @return this timer
     */
    public Timer ref() {
        scheduler.setReferenced(this, true);
        return this;
    }

    /**
     * Stops this timer from keeping the loop alive by itself; it still fires while the loop runs.
     *
     * @return this timer
     */
    public Timer unref() {
        scheduler.setReferenced(this, false);
        return this;
    }

    /** {@return whether this timer keeps the loop alive} */
    public boolean isReferenced() {
        return referenced;
    }

    boolean markFired() {
        return STATE.compareAndSet(this, SCHEDULED, DONE);
    }

    boolean isScheduled() {
        return state == SCHEDULED;
    }

    @Override
    public String toString() {
        return "Timer[" + task + (repeating ? ", every " + period() : "") + ", state="
                + switch (state) {
                    case SCHEDULED -> "scheduled";
                    case CANCELLED -> "cancelled";
                    default -> "done";
                } + "]";
    }
}
