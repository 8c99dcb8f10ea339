package io.weft.loop.core;

import io.weft.loop.core.spi.LoopCarrier;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * {@link #shutdownGracefully} are safe from any thread. Everything else (watchers, ref/unref)
 * belongs to the loop thread ({@link #inLoop()}) and fails fast with an {@link
 * IllegalStateException} elsewhere. The loop thread is the thread inside {@link #run}; before the
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
    private static final int OPEN = LoopThread.OPEN;
    private static final int SHUTTING_DOWN = LoopThread.SHUTTING_DOWN;
    private static final int CLOSED = LoopThread.CLOSED;
    /** Deadlines are compared by subtraction, which is exact while they are less than 2^62 apart. */
    private static final Duration MAX_DELAY = Duration.ofNanos(Long.MAX_VALUE >> 1);
    private static final AtomicInteger UNNAMED = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    private final String name;
    private final LoopClock clock;
    private final Poller poller;
    private final PollerProvider pollerProvider;
    private final Map<Class<?>, Object> localStates = new java.util.concurrent.ConcurrentHashMap<>();
    private final LoopErrors errors;
    private final ReadyEvents ready = new ReadyEvents(1024);
    private final LoopStats stats;
    private final LoopThread thread;
    private final Callbacks callbacks;
    private final Timers timers;
    private final Watchers watchers;
    private final CompletableFuture<Void> termination = new CompletableFuture<>();

    private volatile boolean stopRequested;
    /** Set by {@link #close()} while a thread runs the loop: that thread closes it. */
    private volatile boolean closeRequested;
    private volatile long shutdownDeadlineNanos;
    /** Written by the loop thread only; volatile so that {@link #now()} can be read anywhere. */
    private volatile long now;
    private long lastMarkNanos;
    private int holds;

    private EventLoop(Builder builder) {
        this.name = builder.name != null ? builder.name : "weft-loop-" + UNNAMED.incrementAndGet();
        this.clock = builder.clock;
        PollerProvider provider = builder.pollerProvider != null ? builder.pollerProvider : Pollers.select();
        try {
            this.poller = provider.newPoller();
        } catch (IOException e) {
            throw new UncheckedIOException("loop '" + name + "': opening the " + provider.name() + " poller failed", e);
        }
        this.pollerProvider = provider;
        CallbackQueue remote = new CallbackQueue();
        this.stats = new LoopStats(remote, clock);
        this.errors = new LoopErrors(this, builder.exceptionHandler, stats);
        this.callbacks = new Callbacks(remote, stats, errors::run);
        this.thread = new LoopThread(name, poller);
        this.timers = new Timers(stats, errors::run);
        this.watchers = new Watchers(poller, stats, errors::run, errors::report);
        this.now = clock.nanoTime();
    }

    /** A loop with the defaults: system clock, best available poller, logging exception handler. */
    public static EventLoop create() {
        return builder().build();
    }

    /** A builder for a loop with a name, clock, poller or exception handler of your choice. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs the loop on the calling thread, which becomes the loop thread, until {@code mode} says
     * to return (see {@link RunMode}). A loop that {@link #close()} or a graceful shutdown asked
     * to close closes before this returns.
     *
     * @return whether anything referenced is left (timers, active watchers, closing handles,
     *     pending callbacks): {@code false} means a further {@code run} would return at once
     * @throws IllegalStateException if the loop is closed or already running on another thread
     */
    public boolean run(RunMode mode) {
        Objects.requireNonNull(mode, "mode");
        enter();
        boolean alive;
        try {
            now = clock.nanoTime();
            lastMarkNanos = now;
            alive = isAlive();
            while (alive && !stopRequested && !errors.hasFatal() && !(isShuttingDown() && shutdownIsDue())) {
                iterate(mode);
                alive = isAlive();
                if (mode != RunMode.DEFAULT) {
                    break;
                }
            }
            if (thread.lifecycle() == SHUTTING_DOWN && (!alive || shutdownIsDue())) {
                closeEverything();
                alive = false;
            }
            Throwable failure = errors.takeFatal();
            if (failure != null) {
                throw sneaky(failure);
            }
        } finally {
            stopRequested = false;
            stats.add(LoopStats.BUSY_NANOS, clock.nanoTime() - lastMarkNanos);
            leave();
        }
        return alive;
    }

    /** Runs until stopped or until nothing referenced is left; same as {@code run(RunMode.DEFAULT)}. */
    public void run() {
        run(RunMode.DEFAULT);
    }

    private void iterate(RunMode mode) {
        now = clock.nanoTime();
        boolean didWork = timers.runDue(now) | callbacks.runQueued();
        watchers.flush();
        // ONCE does what is ready; it blocks only when it found nothing to do (libuv's rule).
        long timeout = mode == RunMode.ONCE && didWork ? 0 : pollTimeoutNanos(mode);
        poll(timeout);
        watchers.dispatch(ready);
        watchers.runCloseCallbacks();
        if (mode == RunMode.ONCE && timeout != 0) {
            timers.runDue(now); // the timer that ended the wait fires before ONCE returns
        }
        stats.add(LoopStats.ITERATIONS, 1);
    }

    /** Rethrows any throwable unchanged: what the exception handler rethrew ends {@link #run} as it is. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable failure) throws T {
        throw (T) failure;
    }

    /**
     * Makes {@link #run} return at the end of the current iteration, or at once if it is blocked in
     * the poller. Safe from any thread. A stop requested while the loop is not running makes the
     * next {@code run} return without iterating.
     */
    public void stop() {
        stopRequested = true;
        wakeUp();
    }

    /**
     * Whether the calling thread is this loop's thread, or a virtual thread the loop thread is
     * carrying right now (see {@link #carrier()}). The one "am I on this loop?" check: the
     * loop-thread-only API of the loop and of libraries built on it asks exactly this.
     */
    public boolean inLoop() {
        return thread.inLoop();
    }

    /**
     * The hook a scheduler of virtual threads uses to run their steps on this loop's thread (SPI;
     * see {@link LoopCarrier}). Applications never need it.
     */
    public LoopCarrier carrier() {
        return thread;
    }

    /**
     * The virtual thread the loop thread is carrying right now, or null. Safe from any thread (a
     * volatile read); for diagnostics, such as a watchdog naming what blocks the loop.
     */
    public Thread carriedThread() {
        return thread.carried();
    }

    /**
     * The thread running the loop now, or null when no thread is inside {@link #run}. For
     * diagnostics, such as sampling the stack of a loop that is blocked.
     */
    public Thread thread() {
        return thread.holder();
    }

    /** Whether {@link #close()} or a graceful shutdown has finished. */
    public boolean isClosed() {
        return thread.lifecycle() == CLOSED;
    }

    /** Whether a shutdown or close has begun: the loop takes no more work from other threads. */
    public boolean isShuttingDown() {
        return thread.lifecycle() != OPEN;
    }

    /** The loop's name, used in thread names, log lines and metric tags. */
    public String name() {
        return name;
    }

    /** The name of the poller provider the loop runs on ({@code nio}, {@code epoll}, ...). */
    public String pollerName() {
        return pollerProvider.name();
    }

    /**
     * Per-loop state of a library built on the loop (a transport's counters, a codec's buffers),
     * created by {@code factory} on first use and kept until the loop is garbage. Safe from any
     * thread; {@code factory} runs at most once per key. What the state itself allows is up to it.
     */
    public <T> T localState(Class<T> key, java.util.function.Function<? super EventLoop, ? extends T> factory) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(factory, "factory");
        return key.cast(localStates.computeIfAbsent(key, k -> factory.apply(this)));
    }

    /** The loop's clock. */
    public LoopClock clock() {
        return clock;
    }

    /** The loop's own counters; see {@link LoopStats}. */
    public LoopStats stats() {
        return stats;
    }

    /**
     * The time cached at the start of this iteration and after the last poll, in loop-clock
     * nanoseconds: cheaper than reading the clock, and the base of timer deadlines. Safe from any
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
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (thread.runsHere()) {
            if (isClosed()) {
                throw rejected();
            }
            callbacks.addLocal(task);
            return;
        }
        if (isShuttingDown()) {
            throw rejected();
        }
        submit(task);
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("loop '" + name + "' is "
                + (isClosed() ? "closed" : "shutting down") + " and takes no more tasks");
    }

    /** Hands work to the loop from another thread: queues it and wakes the loop. */
    private void submit(Runnable task) {
        callbacks.addRemote(task);
        wakeUp();
    }

    /**
     * Wakes a blocked poll. Never throws: the work that asked for it is queued already, and a
     * poller closed under us means the loop has closed, whose last drain accounts for that work.
     */
    private void wakeUp() {
        try {
            thread.wakeUp();
        } catch (RuntimeException e) {
            if (!isClosed()) {
                LOG.log(System.Logger.Level.WARNING, "loop '" + name + "': waking the poller failed", e);
            }
        }
    }

    // ---------------------------------------------------------------- timers

    /**
     * Runs {@code task} once on the loop thread after {@code delay}. Safe from any thread. A delay
     * longer than about 146 years saturates to that: the timer never fires in practice.
     *
     * @throws IllegalArgumentException if the delay is negative
     * @throws RejectedExecutionException as {@link #execute} when called from another thread on a
     *     loop that is shutting down
     */
    public Timer schedule(Duration delay, Runnable task) {
        return addTimer(delayNanos(delay, "delay"), 0, task);
    }

    /**
     * Runs {@code task} on the loop thread after {@code initialDelay}, then every {@code period}
     * measured from the previous deadline (no drift), until the timer is cancelled. Safe from any
     * thread. A delay or period longer than about 146 years saturates to that.
     *
     * @throws IllegalArgumentException if a delay is negative or the period is not positive
     */
    public Timer scheduleRepeating(Duration initialDelay, Duration period, Runnable task) {
        long periodNanos = delayNanos(period, "period");
        if (periodNanos == 0) {
            throw new IllegalArgumentException("period must be positive, got " + period
                    + "; use schedule(...) for a one-shot timer");
        }
        return addTimer(delayNanos(initialDelay, "initialDelay"), periodNanos, task);
    }

    private static long delayNanos(Duration delay, String what) {
        Objects.requireNonNull(delay, what);
        if (delay.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + delay);
        }
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY.toNanos() : delay.toNanos();
    }

    private Timer addTimer(long delayNanos, long periodNanos, Runnable task) {
        Objects.requireNonNull(task, "task");
        if (thread.runsHere()) {
            if (isClosed()) {
                throw rejected();
            }
            Timer timer = new Timer(this, task, now + delayNanos, periodNanos);
            insertTimer(timer);
            return timer;
        }
        if (thread.tryHoldBriefly()) {
            // The owner of an idle loop: the timer is in the heap for the first timer pass of the
            // next run. The cached time is stale here: read the clock.
            try {
                if (isClosed()) {
                    throw rejected();
                }
                Timer timer = new Timer(this, task, clock.nanoTime() + delayNanos, periodNanos);
                insertTimer(timer);
                return timer;
            } finally {
                thread.release();
            }
        }
        if (isShuttingDown()) {
            throw rejected();
        }
        Timer timer = new Timer(this, task, clock.nanoTime() + delayNanos, periodNanos);
        submit((Callbacks.Command) () -> insertTimer(timer));
        return timer;
    }

    private void insertTimer(Timer timer) {
        if (!timer.isScheduled()) {
            return; // cancelled before it reached the loop
        }
        if (isClosed()) {
            timer.cancel(); // reached a loop that has closed: it reads as cancelled
            return;
        }
        timers.insert(timer);
    }

    void timerCancelled(Timer timer) {
        if (thread.runsHere()) {
            timers.cancelled(timer);
        } else if (thread.tryHoldBriefly()) {
            try {
                timers.cancelled(timer);
            } finally {
                thread.release();
            }
        } else if (!isClosed()) {
            submit((Callbacks.Command) () -> timers.cancelled(timer));
        }
    }

    void setTimerReferenced(Timer timer, boolean referenced) {
        thread.check(referenced ? "Timer.ref()" : "Timer.unref()");
        timers.setReferenced(timer, referenced);
    }

    // ---------------------------------------------------------------- watchers

    /**
     * Watches a non-blocking channel for {@code interest}. Loop thread only.
     *
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

    void changeInterest(Watcher watcher, int bits, String what) {
        thread.check(what);
        if (!watcher.isOpen()) {
            if (bits == 0) {
                return;
            }
            throw new IllegalStateException("watcher is closed; create a new one with loop.watch(...)");
        }
        watchers.want(watcher, bits);
    }

    void setWatcherReferenced(Watcher watcher, boolean referenced) {
        thread.check(referenced ? "Watcher.ref()" : "Watcher.unref()");
        watchers.setReferenced(watcher, referenced);
    }

    void closeWatcher(Watcher watcher, Runnable onClosed) {
        if (thread.runsHere()) {
            watchers.close(watcher, onClosed);
        } else if (thread.tryHoldBriefly()) {
            try {
                watchers.close(watcher, onClosed);
            } finally {
                thread.release();
            }
        } else if (!isClosed()) {
            submit((Callbacks.Command) () -> watchers.close(watcher, onClosed));
        }
    }

    // ---------------------------------------------------------------- poll

    /** Keeps the loop alive with no handle, for a loop that serves a group. Loop thread only. */
    void hold() {
        holds++;
    }

    private boolean isAlive() {
        return holds > 0 || timers.holdLoop() || watchers.holdLoop() || watchers.isClosing() || callbacks.hasPending();
    }

    private long pollTimeoutNanos(RunMode mode) {
        if (mode == RunMode.NOWAIT || stopRequested || errors.hasFatal() || isShuttingDown() || callbacks.hasPending()
                || watchers.isClosing() || !isAlive()) {
            return 0;
        }
        // From a fresh reading: the callbacks of this iteration may have taken a while.
        return timers.nextTimeout(clock.nanoTime());
    }

    private void poll(long timeoutNanos) {
        if (timeoutNanos != 0) {
            thread.enterPoll();
            if (callbacks.hasPending() || stopRequested || isShuttingDown()) {
                timeoutNanos = 0; // raced with a producer that saw us awake and did not wake us
            }
        }
        long before = clock.nanoTime();
        stats.add(LoopStats.BUSY_NANOS, before - lastMarkNanos);
        try {
            poller.poll(timeoutNanos, ready);
        } catch (IOException e) {
            throw new UncheckedIOException("loop '" + name + "': the " + pollerProvider.name() + " poller failed", e);
        } finally {
            thread.leavePoll();
            now = clock.nanoTime();
            stats.add(LoopStats.POLL_NANOS, now - before);
            lastMarkNanos = now;
        }
    }

    // ---------------------------------------------------------------- lifecycle

    private void enter() {
        if (isClosed()) {
            throw new IllegalStateException("loop '" + name + "' is closed; create a new one");
        }
        while (!thread.tryHold(true)) {
            if (thread.isHeldBriefly() || !thread.isHeld()) {
                Thread.onSpinWait(); // the idle owner inserted a timer or closed a watcher: soon done
                continue;
            }
            Thread other = thread.holder();
            throw new IllegalStateException("loop '" + name + "' is already running on thread '"
                    + (other == null ? "?" : other.getName()) + "'; a loop runs on one thread at a time");
        }
    }

    private void leave() {
        thread.release();
        // A shutdown or close requested while we were leaving found the loop running; finish it here.
        if (thread.lifecycle() == SHUTTING_DOWN && thread.tryHold(true)) {
            finishShutdownHere();
        }
    }

    private boolean shutdownIsDue() {
        return closeRequested || !callbacks.hasPending() || clock.nanoTime() - shutdownDeadlineNanos >= 0;
    }

    /**
     * Begins a graceful shutdown: the loop takes no more tasks from other threads, keeps running
     * until the callbacks already queued have run (or {@code timeout} has passed), then closes as
     * {@link #close()} does and completes the returned future. Safe from any thread; a second call
     * returns the same future.
     *
     * <p>A running loop finishes the shutdown on its own thread; a loop that no thread is running
     * is shut down by the calling thread before this method returns.
     */
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        long timeoutNanos = delayNanos(timeout, "timeout");
        if (!isShuttingDown()) {
            shutdownDeadlineNanos = clock.nanoTime() + timeoutNanos;
            if (thread.beginShutdown()) {
                wakeUp();
                if (thread.tryHold(false)) {
                    finishShutdownHere();
                }
            }
        }
        return termination;
    }

    /** A future completed when the loop has closed, by {@link #close()} or a graceful shutdown. */
    public CompletableFuture<Void> terminationFuture() {
        return termination;
    }

    /** Finishes a shutdown on the calling thread, which holds the loop; releases it after. */
    private void finishShutdownHere() {
        try {
            now = clock.nanoTime();
            lastMarkNanos = now;
            while (!shutdownIsDue()) {
                callbacks.runQueued();
            }
            closeEverything();
        } finally {
            thread.release();
        }
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
        if (isClosed()) {
            return;
        }
        if (thread.tryHold(false)) {
            thread.beginShutdown();
            closeRequested = true;
            finishShutdownHere();
            return;
        }
        closeRequested = true;
        thread.beginShutdown();
        wakeUp();
        if (thread.runsHere()) {
            return; // run closes it when this iteration is done
        }
        if (thread.tryHold(false)) {
            finishShutdownHere(); // the running thread left meanwhile
        } else {
            termination.join(); // the running thread closes it
        }
    }

    private void closeEverything() {
        if (isClosed()) {
            return;
        }
        int dropped = callbacks.drainForClose();
        watchers.closeAll();
        timers.cancelAll();
        thread.markClosed();
        try {
            poller.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "loop '" + name + "': closing the poller failed", e);
        }
        // Work another thread queued while we closed (its wake-up may have failed on the closed
        // poller) is done or dropped now.
        dropped += callbacks.drainForClose();
        if (dropped > 0) {
            LOG.log(System.Logger.Level.WARNING, "loop '" + name + "' closed with " + dropped + " queued callbacks not run");
        }
        termination.complete(null);
    }

    /** Fails fast unless {@link #inLoop()}, for the loop-thread-only API of this package. */
    void checkInLoop(String what) {
        thread.check(what);
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + ", " + pollerProvider.name()
                + (isClosed() ? ", closed" : isShuttingDown() ? ", shutting down" : "") + "]";
    }

    /**
     * Builds an {@link EventLoop}. Not thread-safe; every setting is optional.
     */
    public static final class Builder {
        private String name;
        private LoopClock clock = LoopClock.system();
        private PollerProvider pollerProvider;
        private LoopExceptionHandler exceptionHandler;

        private Builder() {
        }

        /** The loop's name (default {@code weft-loop-N}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The clock timers and stats use (default {@link LoopClock#system()}); tests pass a manual one. */
        public Builder clock(LoopClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The poller to run on (default: {@code -Dweft.poller}, else the best available provider). */
        public Builder poller(PollerProvider provider) {
            Objects.requireNonNull(provider, "provider");
            provider.unavailabilityCause().ifPresent(cause -> {
                throw new IllegalArgumentException("poller '" + provider.name() + "' is not available: " + cause);
            });
            this.pollerProvider = provider;
            return this;
        }

        /**
         * The installed poller named {@code name} ({@code nio}, {@code epoll}, ...).
         *
         * @throws IllegalArgumentException if no such poller is installed or it is unavailable, with the reason
         */
        public Builder poller(String name) {
            Objects.requireNonNull(name, "name");
            return poller(Pollers.installed().stream().filter(p -> p.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no poller named '" + name + "' is installed; installed: "
                            + Pollers.installed().stream().map(PollerProvider::name).toList())));
        }

        /** Where exceptions from callbacks, timers and handlers go (default: logged). */
        public Builder exceptionHandler(LoopExceptionHandler handler) {
            this.exceptionHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Builds the loop; the calling thread is its thread until a thread runs it.
         *
         * @throws UncheckedIOException if the poller cannot be opened
         * @throws IllegalStateException if {@code -Dweft.poller} names a poller that is missing or unavailable
         */
        public EventLoop build() {
            return new EventLoop(this);
        }
    }
}
