package io.weft.loop.core;

import io.weft.loop.core.internal.LoopLocals;
import io.weft.loop.core.spi.LoopCarrier;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An event loop: one thread runs timers, callbacks and I/O watchers, in libuv's order.
 *
 * <p><b>One iteration.</b> (1) update the cached time; (2) run due timers, in (deadline, schedule
 * order); (3) run the callbacks queued before this phase began (ones queued meanwhile wait for the
 * next iteration, so a callback that re-queues itself cannot starve I/O); (4) apply watcher
 * interest changes in one batch; (5) compute the poll timeout: 0 when stopping, when callbacks are
 * pending or nothing is alive (and, in {@link RunMode#ONCE}, when this iteration already did
 * something), else the time to the earliest timer from a fresh clock reading, unbounded when there
 * is none; (6) poll, then update the time again; (7) dispatch ready events to watchers; (8) run
 * close callbacks; (9) decide whether anything referenced is left.
 *
 * <p><b>Threads.</b> {@link #execute}, {@link #schedule}, {@link #scheduleRepeating}, {@link
 * Timer#cancel()}, {@link Watcher#close()}, {@link #stop()}, {@link #now()}, {@link #close()} and
 * {@link #shutdownGracefully} are safe from any thread. Everything else (watchers, ref/unref,
 * {@link Timer#refresh()}) belongs to the loop thread ({@link #inLoop()}) and fails fast with an
 * {@link IllegalStateException} elsewhere. The loop thread is the thread inside {@link #run}; before the
 * first run it is the thread that built the loop, and a timer that thread schedules then is in the
 * heap for the first timer pass. A cross-thread {@code execute} wakes a blocked poll with at most
 * one wake-up per blocked poll.
 *
 * <p><b>Errors.</b> Every {@link Throwable} from a callback, timer or handler (an {@link Error}
 * too) goes to the {@link LoopExceptionHandler} (default: logged through {@link System.Logger}
 * with the loop's name) and is counted; the loop goes on. A handler that rethrows ends {@link
 * #run} with what it threw once the iteration is done, leaving a loop that {@link #close()} cleans
 * up.
 *
 * {@snippet :
 * try (EventLoop loop = EventLoop.create()) {
 *     loop.schedule(Duration.ofMillis(10), () -> System.out.println("tick"));
 *     loop.run(RunMode.DEFAULT); // returns when the timer has fired: nothing is left
 * }
 * }
 */
public final class EventLoop implements Executor, AutoCloseable {
    private static final AtomicInteger UNNAMED = new AtomicInteger();
    private static final VarHandle NOW;
    static {
        try {
            NOW = MethodHandles.lookup().findVarHandle(EventLoop.class, "now", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static {
        LoopLocals.bind(loop -> ((EventLoop) loop).localStates);
    }

    private final String name;
    private final LoopClock clock;
    private final Poller poller;
    private final PollerProvider pollerProvider;
    /** Per-loop state of Weft's own layers, reached through {@link LoopLocals}. */
    private final Map<Class<?>, Object> localStates = new java.util.concurrent.ConcurrentHashMap<>();
    private final LoopErrors errors;
    /** Null when none was set, so an undecorated loop pays nothing per task. */
    private final TaskDecorator taskDecorator;
    private final ReadyEvents ready = new ReadyEvents(1024);
    private final LoopStats stats;
    private final LoopThread thread;
    private final Callbacks callbacks;
    private final Timers timers;
    private final TimerScheduler timerScheduler;
    private final Watchers watchers;
    private final LoopClosing closing;
    private final LoopView view;

    private volatile boolean stopRequested;
    /** Loop thread writes ({@link #setNow}), any thread reads: volatile for {@link #now()}. */
    private volatile long now;
    private long lastMarkNanos;
    private int holds;

    /** See {@link EventLoopBuilder}; a null name, poller or decorator means the default. */
    EventLoop(String requestedName, LoopClock loopClock, PollerProvider requestedPoller, LoopExceptionHandler exceptionHandler,
            TaskDecorator taskDecorator) {
        this.name = requestedName != null ? requestedName : "weft-loop-" + UNNAMED.incrementAndGet();
        this.clock = loopClock;
        this.taskDecorator = taskDecorator;
        PollerProvider provider = requestedPoller != null ? requestedPoller : Pollers.select();
        try {
            this.poller = provider.newPoller();
        } catch (IOException e) {
            throw new UncheckedIOException("loop '" + name + "': opening the " + provider.name() + " poller failed", e);
        }
        this.pollerProvider = provider;
        CallbackQueue remote = new CallbackQueue();
        this.stats = new LoopStats(remote, clock);
        this.errors = new LoopErrors(this, exceptionHandler, stats);
        this.callbacks = new Callbacks(remote, stats, errors::run);
        this.thread = new LoopThread(name, poller);
        this.timers = new Timers(stats, errors::run);
        this.timerScheduler = new TimerScheduler(this, thread, timers, clock, this::submit);
        this.watchers = new Watchers(poller, stats, errors::run, errors::report, thread, this::submit);
        this.closing = new LoopClosing(name, clock, thread, poller, callbacks, timers, watchers, this::resetTime);
        this.view = new LoopView(this, thread, stats, timers, watchers, this::submit);
        setNow(clock.nanoTime());
    }

    /** {@return a loop with the defaults: system clock, best available poller, logging exception handler} */
    public static EventLoop create() {
        return builder().build();
    }

    /** {@return a builder for a loop with a name, clock, poller or exception handler of your choice} */
    public static EventLoopBuilder builder() {
        return new EventLoopBuilder();
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs the loop on the calling thread, which becomes the loop thread, until {@code mode} says
     * to return (see {@link RunMode}). A loop that {@link #close()} or a graceful shutdown asked
     * to close closes before this returns.
     *
     * @param mode when to return: when nothing referenced is left, after one iteration, or after one that did not
     *     wait
     * @return whether anything referenced is left (timers, active watchers, closing handles,
     *     pending callbacks): {@code false} means a further {@code run} would return at once
     * @throws IllegalStateException if the loop is closed or already running on another thread
     */
    public boolean run(RunMode mode) {
        Objects.requireNonNull(mode, "mode");
        thread.holdForRun();
        boolean alive;
        try {
            resetTime();
            alive = isAlive();
            while (alive && !stopRequested && !errors.hasFatal() && !(isShuttingDown() && closing.isDue())) {
                iterate(mode);
                alive = isAlive();
                if (mode != RunMode.DEFAULT) {
                    break;
                }
            }
            if (closing.closesAfterRun(alive)) {
                closing.closeNow();
                alive = false;
            }
            errors.rethrowFatal(); // what the exception handler rethrew ends run as it is
        } finally {
            stopRequested = false;
            stats.add(LoopStats.BUSY_NANOS, clock.nanoTime() - lastMarkNanos);
            thread.release();
            closing.afterRun();
        }
        return alive;
    }

    /** Runs until stopped or until nothing referenced is left; same as {@code run(RunMode.DEFAULT)}. */
    public void run() {
        run(RunMode.DEFAULT);
    }

    private void iterate(RunMode mode) {
        setNow(clock.nanoTime());
        boolean didWork = timers.runDue(now) | callbacks.runQueued();
        watchers.flush();
        long beforePoll = clock.nanoTime(); // fresh: the callbacks may have taken a while
        // ONCE does what is ready; it blocks only when it found nothing to do (libuv's rule).
        long timeout = mode == RunMode.ONCE && didWork ? 0 : pollTimeoutNanos(mode, beforePoll);
        poll(timeout, beforePoll);
        watchers.dispatch(ready);
        watchers.runCloseCallbacks();
        if (mode == RunMode.ONCE && timeout != 0) {
            timers.runDue(now); // the timer that ended the wait fires before ONCE returns
        }
        stats.add(LoopStats.ITERATIONS, 1);
    }

    /** Reads the clock into the cached time, as the start of a busy stretch. */
    private void resetTime() {
        setNow(clock.nanoTime());
        lastMarkNanos = now;
    }

    /** Caches the loop's time: a release store, not volatile's full fence, several per iteration. */
    private void setNow(long nanos) {
        NOW.setRelease(this, nanos);
    }

    /**
     * Makes {@link #run} return at the end of the current iteration, or at once if it is blocked in
     * the poller. Safe from any thread. A stop requested while the loop is not running makes the
     * next {@code run} return without iterating.
     */
    public void stop() {
        stopRequested = true;
        thread.wakeUp();
    }

    /**
     * {@return whether the calling thread is this loop's thread, or a virtual thread the loop thread is
     * carrying right now (see {@link #carrier()})} The one "am I on this loop?" check: the
     * loop-thread-only API of the loop and of libraries built on it asks exactly this.
     */
    public boolean inLoop() {
        return thread.inLoop();
    }

    /**
     * {@return the hook a scheduler of virtual threads uses to run their steps on this loop's thread (SPI;
     * see {@link LoopCarrier})} Applications never need it.
     */
    public LoopCarrier carrier() {
        return thread;
    }

    /**
     * {@return the virtual thread the loop thread is carrying right now, or null} Safe from any thread (a
     * volatile read); for diagnostics, such as a watchdog naming what blocks the loop.
     */
    public Thread carriedThread() {
        return thread.carried();
    }

    /**
     * {@return the thread running the loop now, or null when no thread is inside {@link #run}} For
     * diagnostics, such as sampling the stack of a loop that is blocked.
     */
    public Thread thread() {
        return thread.holder();
    }

    /** {@return whether {@link #close()} or a graceful shutdown has finished} */
    public boolean isClosed() {
        return thread.lifecycle() == LoopThread.CLOSED;
    }

    /** {@return whether a shutdown or close has begun: the loop takes no more work from other threads} */
    public boolean isShuttingDown() {
        return thread.lifecycle() != LoopThread.OPEN;
    }

    /** {@return the loop's name, used in thread names, log lines and metric tags} */
    public String name() {
        return name;
    }

    /** {@return the name of the poller provider the loop runs on ({@code nio}, {@code epoll}, ...)} */
    public String pollerName() {
        return pollerProvider.name();
    }

    /** {@return the loop's clock} */
    public LoopClock clock() {
        return clock;
    }

    /** {@return the loop's live view: snapshots of its handles, timers and callbacks; see {@link LoopView}} */
    public LoopView view() {
        return view;
    }

    /** {@return the loop's own counters; see {@link LoopStats}} */
    public LoopStats stats() {
        return stats;
    }

    /**
     * {@return the time cached at the start of this iteration and after the last poll, in loop-clock
     * nanoseconds: cheaper than reading the clock, and the base of timer deadlines} Safe from any
     * thread (a volatile read); another thread sees the loop's last cached time.
     */
    public long now() {
        return now;
    }

    // ---------------------------------------------------------------- callbacks

    /**
     * Queues {@code task} to run on the loop thread in the callbacks phase. Safe from any thread;
     * tasks from one thread run in the order they were queued. Never throws for a task it queued:
     * if the loop closes before running it, closing drops it and logs how many it dropped.
     *
     * @throws RejectedExecutionException if the loop is closed, or is shutting down and this is not
     *     the loop thread
     */
    @Override
    public void execute(Runnable undecorated) {
        Runnable task = decorated(undecorated);
        if (thread.runsHere()) {
            if (isClosed()) {
                throw thread.rejected();
            }
            callbacks.addLocal(task);
            return;
        }
        if (isShuttingDown()) {
            throw thread.rejected();
        }
        submit(task);
    }

    /**
     * {@return the decorator this loop applies to the tasks it is handed (see {@link TaskDecorator}), or
     * {@code task -> task} when none was set} Libraries that run a task for the loop elsewhere (a
     * blocking pool) apply it too, so context reaches there as well. Safe from any thread.
     */
    public TaskDecorator taskDecorator() {
        return taskDecorator != null ? taskDecorator : task -> task;
    }

    private Runnable decorated(Runnable task) {
        Objects.requireNonNull(task, "task");
        return taskDecorator == null ? task : Objects.requireNonNull(taskDecorator.decorate(task), "decorated task");
    }

    /** Hands work to the loop from another thread: queues it and wakes the loop. */
    private void submit(Runnable task) {
        callbacks.addRemote(task);
        thread.wakeUp();
    }

    // ---------------------------------------------------------------- timers

    /**
     * Runs {@code task} once on the loop thread after {@code delay}. Safe from any thread. A delay
     * longer than about 146 years saturates to that: the timer never fires in practice.
     *
     * @param delay how long from now; {@link Duration#ZERO} runs it in the next timer phase
     * @param task what to run
     * @return the timer, to cancel, refresh or unref it
     * @throws IllegalArgumentException if the delay is negative
     * @throws RejectedExecutionException as {@link #execute} when called from another thread on a
     *     loop that is shutting down
     */
    public Timer schedule(Duration delay, Runnable task) {
        return timerScheduler.schedule(Timers.delayNanos(delay, "delay"), 0, decorated(task));
    }

    /**
     * Runs {@code task} on the loop thread after {@code initialDelay}, then every {@code period}
     * measured from the previous deadline (no drift), until the timer is cancelled. Safe from any
     * thread. A delay or period longer than about 146 years saturates to that.
     *
     * @param initialDelay how long from now until the first run
     * @param period the time between two deadlines
     * @param task what to run each time
     * @return the timer; cancelling it ends the repetition
     * @throws IllegalArgumentException if a delay is negative or the period is not positive
     */
    public Timer scheduleRepeating(Duration initialDelay, Duration period, Runnable task) {
        long periodNanos = Timers.delayNanos(period, "period");
        if (periodNanos == 0) {
            throw new IllegalArgumentException("period must be positive, got " + period
                    + "; use schedule(...) for a one-shot timer");
        }
        return timerScheduler.schedule(Timers.delayNanos(initialDelay, "initialDelay"), periodNanos, decorated(task));
    }

    // ---------------------------------------------------------------- watchers

    /**
     * Watches a non-blocking channel for {@code interest}. Loop thread only.
     *
     * @param channel the channel, in non-blocking mode; the loop never closes it (the handler does)
     * @param interest what to wait for first
     * @param handler called on the loop thread with each readiness
     * @return the started watcher
     * @throws IllegalArgumentException if the channel is blocking or closed, or {@code interest} is
     *     {@link Interest#NONE}
     * @throws IllegalStateException if the channel is already watched by this loop, the loop is
     *     closed, or this is not the loop thread
     */
    public Watcher watch(SelectableChannel channel, Interest interest, WatcherHandler handler) {
        Objects.requireNonNull(channel, "channel");
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("channel is in blocking mode; call configureBlocking(false) first");
        }
        if (!channel.isOpen()) {
            throw new IllegalArgumentException("channel is closed");
        }
        return watch(PollSource.of(channel), interest, handler);
    }

    /**
     * Watches any {@link PollSource}, such as a raw file descriptor, for {@code interest}. Loop
     * thread only. Whether a kind of source can be watched depends on the poller: the NIO poller
     * takes channels only, the epoll poller any pollable fd.
     *
     * @param source the channel or file descriptor to watch
     * @param interest what to wait for first
     * @param handler called on the loop thread with each readiness
     * @return the started watcher
     * @throws IllegalStateException if the source is already watched by this loop, the loop is
     *     closed, or this is not the loop thread
     */
    public Watcher watch(PollSource source, Interest interest, WatcherHandler handler) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(interest, "interest");
        Objects.requireNonNull(handler, "handler");
        thread.check("watch(...)");
        if (isShuttingDown()) {
            throw new IllegalStateException("loop '" + name + "' is " + (isClosed() ? "closed" : "shutting down")
                    + "; it takes no new watchers");
        }
        if (interest.isNone()) {
            throw new IllegalArgumentException("interest must be READABLE, WRITABLE or BOTH");
        }
        return watchers.open(this, source, interest.bits(), handler);
    }

    // ---------------------------------------------------------------- poll

    /** Keeps the loop alive with no handle, for a loop that serves a group. Loop thread only. */
    void hold() {
        holds++;
    }

    private boolean isAlive() {
        return holds > 0 || timers.holdLoop() || watchers.holdLoop() || watchers.isClosing() || callbacks.hasPending();
    }

    private long pollTimeoutNanos(RunMode mode, long clockNow) {
        if (mode == RunMode.NOWAIT || stopRequested || errors.hasFatal() || isShuttingDown() || callbacks.hasPending()
                || watchers.isClosing() || !isAlive()) {
            return 0;
        }
        return timers.nextTimeout(clockNow);
    }

    private void poll(long timeoutNanos, long before) {
        if (timeoutNanos != 0) {
            thread.enterPoll();
            if (callbacks.hasPending() || stopRequested || isShuttingDown()) {
                timeoutNanos = 0; // raced with a producer that saw us awake and did not wake us
            }
        }
        stats.add(LoopStats.BUSY_NANOS, before - lastMarkNanos);
        try {
            poller.poll(timeoutNanos, ready);
        } catch (IOException e) {
            throw new UncheckedIOException("loop '" + name + "': the " + pollerProvider.name() + " poller failed", e);
        } finally {
            thread.leavePoll();
            setNow(clock.nanoTime());
            stats.add(LoopStats.POLL_NANOS, now - before);
            lastMarkNanos = now;
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Begins a graceful shutdown: the loop takes no more tasks from other threads, keeps running
     * until the callbacks already queued have run (or {@code timeout} has passed), then closes as
     * {@link #close()} does and completes the returned future. Safe from any thread; a second call
     * returns the same future.
     *
     * <p>A running loop finishes the shutdown on its own thread; a loop that no thread is running
     * is shut down by the calling thread before this method returns.
     *
     * @param timeout the longest the queued callbacks are waited for before the loop closes anyway
     * @return completed when the loop has closed
     */
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        return closing.shutdownGracefully(Timers.delayNanos(timeout, "timeout"));
    }

    /** {@return a future completed when the loop has closed, by {@link #close()} or a graceful shutdown} */
    public CompletableFuture<Void> terminationFuture() {
        return closing.termination();
    }

    /**
     * Closes the loop: every watcher is closed (each handler's {@link
     * WatcherHandler#onLoopClosing} first, then the close callbacks run), every timer is cancelled,
     * what other threads asked of the loop (watcher closes, timer cancels) is done, their queued
     * tasks are dropped (and logged), and the poller is released. Idempotent; safe from any thread.
     *
     * <p>On a loop no thread runs, the calling thread closes it before returning. From one of the
     * loop's own callbacks, the loop closes at the end of the current iteration and {@link #run}
     * then returns normally. From another thread while the loop runs, the loop thread closes it the
     * same way, and this call waits until it has (so never call it from a thread that the loop's
     * own callbacks wait for).
     */
    @Override
    public void close() {
        closing.close();
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + ", " + pollerProvider.name()
                + (isClosed() ? ", closed" : isShuttingDown() ? ", shutting down" : "") + "]";
    }
}
