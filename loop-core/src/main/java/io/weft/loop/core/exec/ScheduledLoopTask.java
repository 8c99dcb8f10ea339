package io.weft.loop.core.exec;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Timer;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One task of a {@link LoopExecutorService}: the future the caller holds and the body of the
 * loop timer that runs it. One-shot and fixed-rate tasks ride one timer (a fixed-rate task a
 * repeating one); a fixed-delay task arms a new one-shot timer after each run.
 *
 * <p>Runs on the loop thread. {@link #cancel} is safe from any thread and never interrupts: the
 * thread running a task is the loop's.
 */
final class ScheduledLoopTask<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private final LoopExecutorService owner;
    private final EventLoop loop;
    /** Positive: fixed rate; negative: fixed delay; zero: one-shot. In nanoseconds. */
    private final long periodNanos;
    /** The loop-clock time of the next run; written by the submitter, then by the loop thread only. */
    private volatile long deadlineNanos;
    private volatile Timer timer;
    /** Whether the loop thread is inside {@link #run()} now; the task leaves its owner only after. */
    private volatile boolean running;

    ScheduledLoopTask(LoopExecutorService owner, EventLoop loop, Callable<V> callable, long delayNanos, long periodNanos) {
        super(callable);
        this.owner = owner;
        this.loop = loop;
        this.periodNanos = periodNanos;
        this.deadlineNanos = loop.clock().nanoTime() + delayNanos;
    }

    ScheduledLoopTask(LoopExecutorService owner, EventLoop loop, Runnable runnable, long delayNanos, long periodNanos) {
        super(runnable, null);
        this.owner = owner;
        this.loop = loop;
        this.periodNanos = periodNanos;
        this.deadlineNanos = loop.clock().nanoTime() + delayNanos;
    }

    /** Arms the first timer. Throws the loop's {@code RejectedExecutionException} if it takes no more work. */
    void start(long delayNanos) {
        Duration delay = Duration.ofNanos(delayNanos);
        arm(periodNanos > 0 ? loop.scheduleRepeating(delay, Duration.ofNanos(periodNanos), this) : loop.schedule(delay, this));
    }

    private void arm(Timer next) {
        timer = next;
        if (isDone()) {
            next.cancel(); // cancelled, or failed on the loop, while we armed it: run() or cancel() may have missed it
        }
    }

    @Override
    public void run() {
        running = true;
        try {
            if (periodNanos == 0) {
                super.run();
            } else if (!runAndReset()) {
                cancelTimer(); // it threw or was cancelled: no more runs (the future holds the error)
            } else if (periodNanos > 0) {
                long now = loop.clock().nanoTime();
                long deadline = deadlineNanos + periodNanos;
                if (deadline - now <= 0) {
                    deadline += (now - deadline) / periodNanos * periodNanos + periodNanos; // the loop skips missed runs too
                }
                deadlineNanos = deadline;
            } else {
                // The loop measures delays from the time cached at the start of its iteration;
                // the delay of a fixed-delay task starts when this run ends.
                long end = loop.clock().nanoTime();
                deadlineNanos = end - periodNanos;
                arm(loop.schedule(Duration.ofNanos(Math.min(deadlineNanos - loop.now(), LoopExecutorService.MAX_DELAY_NANOS)), this));
            }
        } finally {
            running = false;
            if (isDone()) {
                owner.finished(this);
            }
        }
    }

    @Override
    protected void done() {
        if (!running) {
            owner.finished(this); // else run() reports it when it returns
        }
    }

    /**
     * Cancels the task and its timer. {@code mayInterruptIfRunning} is ignored: the thread running
     * the task is the loop thread, which is never interrupted.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(false);
        if (cancelled) {
            cancelTimer();
        }
        return cancelled;
    }

    private void cancelTimer() {
        Timer current = timer;
        if (current != null) {
            current.cancel();
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException on the thread of the task's loop while the task is not done:
     *     it would wait for itself
     */
    @Override
    public V get() throws InterruptedException, ExecutionException {
        checkMayWait();
        return super.get();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException on the thread of the task's loop while the task is not done
     */
    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        checkMayWait();
        return super.get(timeout, unit);
    }

    private void checkMayWait() {
        if (!isDone() && LoopExecutorService.wouldBlock(loop)) {
            throw new IllegalStateException("get() would block the thread of loop '" + loop.name()
                    + "', which runs this task; chain on it instead, or wait from another thread");
        }
    }

    /** Whether the loop thread is running the task now. */
    boolean isRunning() {
        return running;
    }

    EventLoop loop() {
        return loop;
    }

    @Override
    public boolean isPeriodic() {
        return periodNanos != 0;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(deadlineNanos - loop.clock().nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        return other == this ? 0 : Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public String toString() {
        return "ScheduledLoopTask[" + super.toString() + " on " + loop.name() + "]";
    }
}
