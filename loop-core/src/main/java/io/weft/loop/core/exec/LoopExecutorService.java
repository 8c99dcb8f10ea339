package io.weft.loop.core.exec;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A {@link ScheduledExecutorService} whose tasks run on the thread of an {@link EventLoop}: for
 * libraries that take an executor (gRPC, Lettuce, Resilience4j, Caffeine) and should run on the
 * loop. {@link #of(EventLoop)} runs every task on one loop; {@link #of(LoopGroup)} picks the
 * group's next loop (round robin) per task, and a periodic task stays on the loop it was given.
 *
 * <p><b>Timing and order.</b> Every task rides a loop timer, so tasks run in (deadline, submission)
 * order on a loop, measured by the loop's clock: tasks submitted from one thread with the same
 * delay run in submission order. {@code scheduleAtFixedRate} does not drift and, like the loop's
 * repeating timers, skips the runs it fell more than a period behind on instead of running them in
 * a burst. {@code scheduleWithFixedDelay} measures the delay from the end of each run. A negative
 * delay means now; a delay beyond about 146 years is cut to that.
 *
 * <p><b>Errors.</b> As with the JDK's executors, what a task throws goes into its future, not to the
 * loop's exception handler; a periodic task that throws runs no more, and its future reports the
 * exception. Blocking in a task blocks the loop: hand blocking work to {@link BlockingWork}.
 *
 * <p><b>Shutdown.</b> Shutting the view down does not shut its loops down: they belong to whoever
 * built them. {@link #shutdown()} rejects new tasks, cancels periodic ones and lets the delayed
 * one-shot tasks run (the JDK's defaults); {@link #shutdownNow()} cancels every task that has not
 * started and returns them. Nothing is interrupted: a task already running on the loop finishes,
 * and the view terminates when no task of it is left. When a loop closes or shuts down, the view
 * counts as shut down, and the tasks the loop drops are cancelled, so no future is left hanging.
 *
 * {@snippet :
 * ScheduledExecutorService executor = LoopExecutorService.of(loop);
 * ScheduledFuture<?> tick = executor.scheduleAtFixedRate(() -> System.out.println("tick"), 0, 1, TimeUnit.SECONDS);
 * executor.schedule(() -> tick.cancel(false), 10, TimeUnit.SECONDS);
 * }
 *
 * <p>Thread-safe: every method may be called from any thread, the loop's own included, except
 * that a loop thread must not wait on its own tasks ({@code get}, {@code invokeAll}, {@code
 * invokeAny}, {@code awaitTermination}): that fails fast with an {@link IllegalStateException}.
 */
public final class LoopExecutorService extends AbstractExecutorService implements ScheduledExecutorService {
    /** Deadlines are compared by subtraction, as the loop's own timers are. */
    static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 1;

    private final List<EventLoop> loops;
    private final Supplier<EventLoop> picker;
    private final String name;
    private final Set<ScheduledLoopTask<?>> pending = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean shutdown;

    private LoopExecutorService(List<EventLoop> loops, Supplier<EventLoop> picker, String name) {
        this.loops = List.copyOf(loops);
        this.picker = picker;
        this.name = name;
        for (EventLoop loop : this.loops) {
            loop.terminationFuture().whenComplete((ignored, error) -> cancelTasksOf(loop));
        }
    }

    /**
     * {@return an executor that runs every task on {@code loop}} Each view listens for its loops'
     * termination until they close: make one per user (a library, a component), not one per task.
     *
     * @param loop the loop every task runs on
     */
    public static LoopExecutorService of(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        return new LoopExecutorService(List.of(loop), () -> loop, "loop '" + loop.name() + "'");
    }

    /**
     * {@return an executor that runs each task on the next loop of {@code group} (round robin); see {@link #of(EventLoop)}}
     *
     * @param group the loops tasks are spread over
     */
    public static LoopExecutorService of(LoopGroup group) {
        Objects.requireNonNull(group, "group");
        return new LoopExecutorService(group.loops(), group::next, "group of " + group.loops().get(0).name() + "...");
    }

    /** {@return the loops tasks run on} */
    public List<EventLoop> loops() {
        return loops;
    }

    // ------------------------------------------------------------------ submitting

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        long delayNanos = delayNanos(delay, unit);
        EventLoop loop = picker.get();
        return start(new ScheduledLoopTask<Void>(this, loop, command, delayNanos, 0), delayNanos);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable");
        long delayNanos = delayNanos(delay, unit);
        EventLoop loop = picker.get();
        return start(new ScheduledLoopTask<>(this, loop, callable, delayNanos, 0), delayNanos);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code period} is not positive
     */
    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return schedulePeriodic(command, initialDelay, period, unit, "period", 1);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code delay} is not positive
     */
    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return schedulePeriodic(command, initialDelay, delay, unit, "delay", -1);
    }

    private ScheduledFuture<?> schedulePeriodic(Runnable command, long initialDelay, long period, TimeUnit unit,
            String what, int sign) {
        Objects.requireNonNull(command, "command");
        long periodNanos = delayNanos(period, unit);
        if (period <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + period + " " + unit
                    + "; use schedule(...) for a task that runs once");
        }
        long delayNanos = delayNanos(initialDelay, unit);
        EventLoop loop = picker.get();
        return start(new ScheduledLoopTask<Void>(this, loop, command, delayNanos, sign * periodNanos), delayNanos);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        return schedule(() -> {
            task.run();
            return result;
        }, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    private static long delayNanos(long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return Math.clamp(unit.toNanos(delay), 0, MAX_DELAY_NANOS);
    }

    private <V> ScheduledLoopTask<V> start(ScheduledLoopTask<V> task, long delayNanos) {
        if (isShutdown()) {
            throw rejected();
        }
        pending.add(task);
        // Re-checked after adding: a shutdownNow() that ran meanwhile may not have seen this task.
        if (shutdown) {
            pending.remove(task);
            throw rejected();
        }
        try {
            task.start(delayNanos);
        } catch (RejectedExecutionException e) {
            pending.remove(task);
            task.cancel(false);
            throw e;
        }
        return task;
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("the executor of " + name + " is shut down and takes no more tasks;"
                + " submit to a new LoopExecutorService of a running loop");
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Rejects new tasks, cancels the periodic ones and lets delayed one-shot tasks run. Does not
     * shut the loops down. Idempotent.
     */
    @Override
    public void shutdown() {
        shutdown = true;
        for (ScheduledLoopTask<?> task : pending) {
            if (task.isPeriodic()) {
                task.cancel(false);
            }
        }
        checkTerminated();
    }

    /**
     * Rejects new tasks and cancels every task that has not started; returns those. A task
     * running now finishes (the loop thread is not interrupted) and completes its future; a
     * periodic one is not run again. Does not shut the loops down.
     */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> notRun = new ArrayList<>();
        for (ScheduledLoopTask<?> task : pending) {
            if (task.isRunning()) {
                if (task.isPeriodic()) {
                    task.cancel(false); // this run finishes; it is not run again
                }
            } else if (task.cancel(false)) {
                notRun.add(task);
            }
        }
        checkTerminated();
        return notRun;
    }

    /** Whether {@link #shutdown()} or {@link #shutdownNow()} was called, or a loop has begun shutting down. */
    @Override
    public boolean isShutdown() {
        if (!shutdown) {
            for (EventLoop loop : loops) {
                if (loop.isShuttingDown()) {
                    shutdown = true;
                    break;
                }
            }
        }
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return isShutdown() && pending.isEmpty();
    }

    /**
     * Waits until the view is shut down and no task of it is left, or the timeout passes.
     *
     * @throws IllegalStateException if it would wait on a loop thread of this view, which runs the
     *     tasks it waits for
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        checkTerminated();
        if (terminated.isDone()) {
            return true;
        }
        if (timeout <= 0) {
            return false;
        }
        checkNotOnLoop("awaitTermination");
        try {
            terminated.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new AssertionError("the termination future never fails", e);
        }
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        checkNotOnLoop("invokeAll");
        return super.invokeAll(tasks);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        checkNotOnLoop("invokeAll");
        return super.invokeAll(tasks, timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        checkNotOnLoop("invokeAny");
        return super.invokeAny(tasks);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        checkNotOnLoop("invokeAny");
        return super.invokeAny(tasks, timeout, unit);
    }

    /** For invokeAll and invokeAny, which cancel with {@code cancel(true)}: a loop thread is never interrupted. */
    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new FutureTask<>(callable) {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                return super.cancel(false);
            }
        };
    }

    private void checkNotOnLoop(String what) {
        for (EventLoop loop : loops) {
            if (wouldBlock(loop)) {
                throw new IllegalStateException(what + " would block the thread of loop '" + loop.name()
                        + "', which runs the tasks it waits for; wait from another thread, or chain on the futures");
            }
        }
    }

    /** Whether waiting here would block {@code loop}: its own platform thread (a virtual thread it carries may park). */
    static boolean wouldBlock(EventLoop loop) {
        return loop.inLoop() && !Thread.currentThread().isVirtual();
    }

    void finished(ScheduledLoopTask<?> task) {
        if (pending.remove(task)) {
            checkTerminated();
        }
    }

    private void cancelTasksOf(EventLoop loop) {
        shutdown = true;
        for (ScheduledLoopTask<?> task : pending) {
            if (task.loop() == loop) {
                task.cancel(false);
            }
        }
        checkTerminated();
    }

    private void checkTerminated() {
        if (isShutdown() && pending.isEmpty()) {
            terminated.complete(null);
        }
    }

    @Override
    public String toString() {
        return "LoopExecutorService[" + name + (shutdown ? pending.isEmpty() ? ", terminated" : ", shut down" : "")
                + ", " + pending.size() + " pending]";
    }
}
