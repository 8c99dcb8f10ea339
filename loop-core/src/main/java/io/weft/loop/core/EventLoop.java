package io.weft.loop.core;

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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An event loop: one thread runs timers, callbacks and I/O watchers, in libuv's order.
 *
 * <p><b>One iteration.</b> (1) update the cached time; (2) run due timers, in (deadline, schedule
 * order); (3) run the callbacks queued before this phase began (ones queued meanwhile wait for the
 * next iteration, so a callback that re-queues itself cannot starve I/O); (4) apply watcher
 * interest changes in one batch; (5) compute the poll timeout: 0 when stopping, when callbacks are
 * pending or nothing is alive, else the time to the earliest timer, unbounded when there is none;
 * (6) poll, then update the time again; (7) dispatch ready events to watchers; (8) run close
 * callbacks; (9) decide whether anything referenced is left.
 *
 * <p><b>Threads.</b> {@link #execute}, {@link #schedule}, {@link #scheduleRepeating}, {@link
 * Timer#cancel()}, {@link Watcher#close()}, {@link #stop()} and {@link #shutdownGracefully} are
 * safe from any thread. Everything else (watchers, ref/unref) belongs to the loop thread and fails
 * fast with an {@link IllegalStateException} elsewhere. The loop thread is the thread inside
 * {@link #run}; before the first run it is the thread that built the loop. A cross-thread
 * {@code execute} wakes a blocked poll with at most one wake-up per blocked poll.
 *
 * <p><b>Errors.</b> A {@link RuntimeException} from a callback, timer or handler goes to the
 * {@link LoopExceptionHandler} (default: logged through {@link System.Logger} with the loop's
 * name) and is counted; the loop goes on. {@link Error}s propagate out of {@link #run}.
 *
 * {@snippet :
 * try (EventLoop loop = EventLoop.create()) {
 *     loop.schedule(Duration.ofMillis(10), () -> System.out.println("tick"));
 *     loop.run(RunMode.DEFAULT); // returns when the timer has fired: nothing is left
 * }
 * }
 */
public final class EventLoop implements Executor, AutoCloseable {
    private static final int OPEN = 0;
    private static final int SHUTTING_DOWN = 1;
    private static final int CLOSED = 2;

    private static final int AWAKE = 0;
    private static final int POLLING = 1;
    private static final int WOKEN = 2;

    /** More cancelled timers than this, and more than half the heap, trigger a purge (Tornado's rule). */
    private static final int PURGE_MIN_CANCELLED = 64;

    private static final VarHandle WAKE_STATE;
    private static final VarHandle LIFECYCLE;
    private static final AtomicInteger UNNAMED = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WAKE_STATE = lookup.findVarHandle(EventLoop.class, "wakeState", int.class);
            LIFECYCLE = lookup.findVarHandle(EventLoop.class, "lifecycle", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final LoopClock clock;
    private final Poller poller;
    private final PollerProvider pollerProvider;
    private final Map<Class<?>, Object> localStates = new java.util.concurrent.ConcurrentHashMap<>();
    private final LoopExceptionHandler exceptionHandler;
    /** Null when none was set, so an undecorated loop pays nothing per task. */
    private final TaskDecorator taskDecorator;
    private final CallbackQueue remote = new CallbackQueue();
    private final ArrayDeque<Runnable> local = new ArrayDeque<>(256);
    private final TimerQueue timers = new TimerQueue();
    private final WatcherTable watchers = new WatcherTable();
    private final Map<PollSource, Watcher> watchersBySource = new HashMap<>();
    private final ReadyEvents ready = new ReadyEvents(1024);
    private ArrayList<Watcher> changed = new ArrayList<>();
    private ArrayList<Watcher> spareChanged = new ArrayList<>();
    private ArrayList<Watcher> closing = new ArrayList<>();
    private ArrayList<Watcher> spareClosing = new ArrayList<>();
    private final LoopStats stats;
    private final AtomicBoolean running = new AtomicBoolean();
    private final CompletableFuture<Void> termination = new CompletableFuture<>();

    private volatile Thread owner;
    private volatile Thread runningThread;
    /** The virtual thread whose continuation the loop thread is running now, see {@link #runCarried}. */
    private volatile Thread carried;
    private volatile boolean stopRequested;
    private volatile int wakeState;
    private volatile int lifecycle;
    private volatile long shutdownDeadlineNanos;

    private long now;
    private long lastMarkNanos;
    private long timerSequence;
    private int cancelledTimersInHeap;
    private int liveTimers;
    private int referencedTimers;
    private int referencedWatchers;
    private int holds;

    private EventLoop(Builder builder) {
        this.name = builder.name != null ? builder.name : "weft-loop-" + UNNAMED.incrementAndGet();
        this.clock = builder.clock;
        this.exceptionHandler = builder.exceptionHandler != null ? builder.exceptionHandler : this::logException;
        this.taskDecorator = builder.taskDecorator;
        PollerProvider provider = builder.pollerProvider != null ? builder.pollerProvider : Pollers.select();
        try {
            this.poller = provider.newPoller();
        } catch (IOException e) {
            throw new UncheckedIOException("loop '" + name + "': opening the " + provider.name() + " poller failed", e);
        }
        this.pollerProvider = provider;
        this.stats = new LoopStats(remote, clock);
        this.owner = Thread.currentThread();
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
     * to return (see {@link RunMode}).
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
            while (alive && !stopRequested) {
                if (lifecycle != OPEN && shutdownIsDue()) {
                    closeEverything();
                    alive = false;
                    break;
                }
                iterate(mode);
                alive = isAlive();
                if (mode != RunMode.DEFAULT) {
                    break;
                }
            }
            if (lifecycle == SHUTTING_DOWN && !alive) {
                closeEverything();
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
        runDueTimers();
        runCallbacks();
        applyWatcherChanges();
        poll(pollTimeoutNanos(mode));
        dispatch();
        runCloseCallbacks();
        if (mode == RunMode.ONCE) {
            // A ONCE run that blocked for a timer must fire it before returning (libuv does the same).
            now = clock.nanoTime();
            runDueTimers();
        }
        stats.add(LoopStats.ITERATIONS, 1);
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
     * carrying right now (see {@link #runCarried}).
     */
    public boolean inLoop() {
        Thread current = Thread.currentThread();
        return current == owner || current == carried;
    }

    /**
     * Runs {@code continuation}, one step of {@code virtualThread} carried by this loop's own
     * thread (a scheduler of virtual threads on the loop, as loop-vthreads has). While it runs,
     * that virtual thread counts as the loop thread: it may use the loop-thread-only API directly,
     * with no hand-off. Loop thread only.
     */
    public void runCarried(Thread virtualThread, Runnable continuation) {
        Objects.requireNonNull(virtualThread, "virtualThread");
        Objects.requireNonNull(continuation, "continuation");
        checkInLoop("runCarried(...)");
        Thread outer = carried;
        carried = virtualThread;
        try {
            continuation.run();
        } finally {
            carried = outer;
        }
    }

    /**
     * The thread running the loop now, or null when no thread is inside {@link #run}. For
     * diagnostics, such as sampling the stack of a loop that is blocked.
     */
    public Thread thread() {
        return runningThread;
    }

    /** Whether {@link #close()} or a graceful shutdown has finished. */
    public boolean isClosed() {
        return lifecycle == CLOSED;
    }

    /** Whether a shutdown or close has begun: the loop takes no more work from other threads. */
    public boolean isShuttingDown() {
        return lifecycle != OPEN;
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
     * The TCP backend that matches this loop's poller, for transports built on the loop.
     *
     * @throws UnsupportedOperationException if the poller has none
     */
    public io.weft.loop.core.spi.TcpBackend tcpBackend() {
        return pollerProvider.tcpBackend();
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

    /**
     * The decorator this loop applies to the tasks it is handed (see {@link TaskDecorator}), or
     * {@code task -> task} when none was set. Libraries that run a task for the loop elsewhere (a
     * blocking pool) apply it too, so context reaches there as well. Safe from any thread.
     */
    public TaskDecorator taskDecorator() {
        return taskDecorator != null ? taskDecorator : task -> task;
    }

    private Runnable decorated(Runnable task) {
        Objects.requireNonNull(task, "task");
        return taskDecorator == null ? task : Objects.requireNonNull(taskDecorator.decorate(task), "decorated task");
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
     * nanoseconds. Loop thread only: cheaper than reading the clock, and the base of timer deadlines.
     */
    public long now() {
        checkInLoop("now()");
        return now;
    }

    // ---------------------------------------------------------------- callbacks

    /**
     * Queues {@code task} to run on the loop thread in the callbacks phase. Safe from any thread;
     * tasks from one thread run in the order they were queued. The loop's {@link TaskDecorator},
     * if any, wraps it here, on the calling thread.
     *
     * @throws RejectedExecutionException if the loop is closed, or is shutting down and this is not
     *     the loop thread
     */
    @Override
    public void execute(Runnable task) {
        enqueue(decorated(task));
    }

    private void enqueue(Runnable task) {
        if (runsLoopNow()) {
            if (lifecycle == CLOSED) {
                throw rejected();
            }
            local.addLast(task);
            stats.set(LoopStats.LOCAL_PENDING, local.size());
            return;
        }
        if (lifecycle != OPEN) {
            throw rejected();
        }
        remote.offer(task);
        wakeUp();
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("loop '" + name + "' is "
                + (lifecycle == CLOSED ? "closed" : "shutting down") + " and takes no more tasks");
    }

    private void wakeUp() {
        if ((int) WAKE_STATE.getVolatile(this) == POLLING && WAKE_STATE.compareAndSet(this, POLLING, WOKEN)) {
            poller.wakeup();
        }
    }

    private boolean hasPendingCallbacks() {
        return !local.isEmpty() || !remote.isEmpty();
    }

    private void runCallbacks() {
        // Only what is queued now runs in this phase; what these tasks queue waits for the next.
        int localCount = local.size();
        long remoteCount = remote.sizeEstimate();
        for (int i = 0; i < localCount; i++) {
            runTask(local.pollFirst());
        }
        long ran = localCount;
        for (; remoteCount > 0; remoteCount--) {
            Runnable task = remote.poll();
            if (task == null) {
                break; // claimed but not yet published: it runs next iteration
            }
            runTask(task);
            ran++;
        }
        stats.add(LoopStats.CALLBACKS_RUN, ran);
        stats.set(LoopStats.LOCAL_PENDING, local.size());
    }

    private void runTask(Runnable task) {
        stats.enterTask(task);
        try {
            task.run();
        } catch (RuntimeException e) {
            onException(task, e);
        } finally {
            stats.exitTask();
        }
    }

    private void onException(Object task, RuntimeException error) {
        stats.add(LoopStats.EXCEPTIONS, 1);
        try {
            exceptionHandler.handle(this, task, error);
        } catch (RuntimeException handlerFailure) {
            handlerFailure.addSuppressed(error);
            LOG.log(System.Logger.Level.ERROR, "loop '" + name + "': the exception handler threw", handlerFailure);
        }
    }

    private void logException(EventLoop loop, Object task, RuntimeException error) {
        LOG.log(System.Logger.Level.ERROR, "loop '" + name + "': " + task + " threw", error);
    }

    // ---------------------------------------------------------------- timers

    /**
     * Runs {@code task} once on the loop thread after {@code delay}. Safe from any thread.
     *
     * @throws IllegalArgumentException if the delay is negative or longer than about 146 years
     * @throws RejectedExecutionException as {@link #execute} when called from another thread on a
     *     loop that is shutting down
     */
    public Timer schedule(Duration delay, Runnable task) {
        return addTimer(delayNanos(delay, "delay"), 0, task);
    }

    /**
     * Runs {@code task} on the loop thread after {@code initialDelay}, then every {@code period}
     * measured from the previous deadline (no drift), until the timer is cancelled. Safe from any
     * thread.
     *
     * @throws IllegalArgumentException if a delay is negative, the period is not positive, or
     *     either is longer than about 146 years
     */
    public Timer scheduleRepeating(Duration initialDelay, Duration period, Runnable task) {
        long periodNanos = delayNanos(period, "period");
        if (periodNanos == 0) {
            throw new IllegalArgumentException("period must be positive, got " + period
                    + "; use schedule(...) for a one-shot timer");
        }
        return addTimer(delayNanos(initialDelay, "initialDelay"), periodNanos, task);
    }

    /** Deadlines are compared by subtraction, which is exact while they are less than 2^62 apart. */
    private static final Duration MAX_DELAY = Duration.ofNanos(Long.MAX_VALUE >> 1);

    private static long delayNanos(Duration delay, String what) {
        Objects.requireNonNull(delay, what);
        if (delay.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + delay);
        }
        if (delay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException(what + " must be at most " + MAX_DELAY + " (about 146 years), got " + delay);
        }
        return delay.toNanos();
    }

    private Timer addTimer(long delayNanos, long periodNanos, Runnable undecorated) {
        Runnable task = decorated(undecorated);
        if (runsLoopNow()) {
            if (lifecycle == CLOSED) {
                throw rejected();
            }
            Timer timer = new Timer(this, task, now + delayNanos, periodNanos);
            insertTimer(timer);
            return timer;
        }
        Timer timer = new Timer(this, task, clock.nanoTime() + delayNanos, periodNanos);
        enqueue(() -> insertTimer(timer));
        return timer;
    }

    private void insertTimer(Timer timer) {
        if (!timer.isScheduled()) {
            return; // cancelled before it reached the loop
        }
        timer.sequence = timerSequence++;
        timers.add(timer);
        timer.inHeap = true;
        if (!timer.counted) {
            timer.counted = true;
            liveTimers++;
            if (timer.referenced) {
                referencedTimers++;
            }
            stats.set(LoopStats.LIVE_TIMERS, liveTimers);
        }
    }

    void timerCancelled(Timer timer) {
        if (onLoopThreadNow()) {
            onTimerCancelled(timer);
        } else if (lifecycle != CLOSED) {
            remote.offer(() -> onTimerCancelled(timer));
            wakeUp();
        }
    }

    private void onTimerCancelled(Timer timer) {
        if (timer.inHeap && !timer.cancelCounted) {
            timer.cancelCounted = true;
            cancelledTimersInHeap++;
        }
        uncount(timer);
        if (cancelledTimersInHeap > PURGE_MIN_CANCELLED && cancelledTimersInHeap > timers.size() >>> 1) {
            timers.purgeCancelled();
            cancelledTimersInHeap = 0;
        }
    }

    private void uncount(Timer timer) {
        if (timer.counted) {
            timer.counted = false;
            liveTimers--;
            if (timer.referenced) {
                referencedTimers--;
            }
            stats.set(LoopStats.LIVE_TIMERS, liveTimers);
        }
    }

    void setTimerReferenced(Timer timer, boolean referenced) {
        checkInLoop(referenced ? "Timer.ref()" : "Timer.unref()");
        if (timer.referenced != referenced) {
            timer.referenced = referenced;
            if (timer.counted) {
                referencedTimers += referenced ? 1 : -1;
            }
        }
    }

    private void runDueTimers() {
        long sequenceLimit = timerSequence; // timers added while this phase runs wait for the next one
        long fired = 0;
        for (Timer timer; (timer = timers.peek()) != null; ) {
            if (!timer.isScheduled()) {
                dropTop(timer);
                continue;
            }
            if (timer.deadlineNanos - now > 0 || timer.sequence >= sequenceLimit) {
                break;
            }
            timers.poll();
            timer.inHeap = false;
            if (timer.periodNanos == 0) {
                if (!timer.markFired()) {
                    continue; // cancelled by another thread just now; its hook fixes the counts
                }
                uncount(timer);
            }
            fired++;
            runTask(timer.task);
            if (timer.periodNanos > 0 && timer.isScheduled()) {
                rearm(timer);
            }
        }
        stats.add(LoopStats.TIMERS_FIRED, fired);
    }

    private void dropTop(Timer timer) {
        timers.poll();
        timer.inHeap = false;
        if (timer.cancelCounted) {
            cancelledTimersInHeap--;
        }
    }

    private void rearm(Timer timer) {
        long next = timer.deadlineNanos + timer.periodNanos;
        if (next - now <= 0) {
            long missed = (now - timer.deadlineNanos) / timer.periodNanos;
            next = timer.deadlineNanos + (missed + 1) * timer.periodNanos;
            stats.add(LoopStats.TIMER_RUNS_SKIPPED, missed);
        }
        timer.deadlineNanos = next;
        insertTimer(timer);
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
        checkInLoop("watch(...)");
        if (lifecycle != OPEN) {
            throw new IllegalStateException("loop '" + name + "' is " + (lifecycle == CLOSED ? "closed" : "shutting down")
                    + "; it takes no new watchers");
        }
        if (interest.isNone()) {
            throw new IllegalArgumentException("interest must be READABLE, WRITABLE or BOTH");
        }
        if (watchersBySource.containsKey(source)) {
            throw new IllegalStateException(source + " is already watched by loop '" + name
                    + "'; change its interest with Watcher.start(...) or close that watcher first");
        }
        try {
            poller.validate(source);
        } catch (IOException e) {
            throw new IllegalArgumentException("loop '" + name + "' cannot watch " + source + ": " + e.getMessage(), e);
        }
        long token = watchers.reserve();
        Watcher watcher = new Watcher(this, source, handler, (int) token, token);
        watchers.put(watcher);
        watchersBySource.put(source, watcher);
        stats.set(LoopStats.LIVE_WATCHERS, watchers.size());
        setWanted(watcher, interest.bits());
        return watcher;
    }

    void changeInterest(Watcher watcher, int bits, String what) {
        checkInLoop(what);
        if (watcher.state != Watcher.OPEN) {
            if (bits == 0) {
                return;
            }
            throw new IllegalStateException("watcher is closed; create a new one with loop.watch(...)");
        }
        setWanted(watcher, bits);
    }

    private void setWanted(Watcher watcher, int bits) {
        boolean held = holdsLoop(watcher);
        watcher.wanted = bits;
        referencedWatchers += (holdsLoop(watcher) ? 1 : 0) - (held ? 1 : 0);
        if (watcher.armed != bits && !watcher.queued) {
            watcher.queued = true;
            changed.add(watcher);
        }
    }

    void setWatcherReferenced(Watcher watcher, boolean referenced) {
        checkInLoop(referenced ? "Watcher.ref()" : "Watcher.unref()");
        boolean held = holdsLoop(watcher);
        watcher.referenced = referenced;
        referencedWatchers += (holdsLoop(watcher) ? 1 : 0) - (held ? 1 : 0);
    }

    private static boolean holdsLoop(Watcher watcher) {
        return watcher.state == Watcher.OPEN && watcher.wanted != 0 && watcher.referenced;
    }

    private void applyWatcherChanges() {
        if (changed.isEmpty()) {
            return;
        }
        ArrayList<Watcher> batch = changed;
        changed = spareChanged;
        for (int i = 0, n = batch.size(); i < n; i++) {
            Watcher watcher = batch.get(i);
            watcher.queued = false;
            if (watcher.state == Watcher.OPEN && watcher.armed != watcher.wanted) {
                try {
                    poller.update(watcher.source, watcher.token, watcher.armed, watcher.wanted);
                    watcher.armed = watcher.wanted;
                } catch (IOException | RuntimeException e) {
                    closeOnLoop(watcher, null);
                    onException(watcher, e instanceof IOException io
                            ? new UncheckedIOException("arming " + watcher + " failed; it was closed", io)
                            : (RuntimeException) e);
                }
            }
        }
        batch.clear();
        spareChanged = batch;
    }

    void closeWatcher(Watcher watcher, Runnable onClosed) {
        if (onLoopThreadNow()) {
            closeOnLoop(watcher, onClosed);
        } else if (lifecycle != CLOSED) {
            remote.offer(() -> closeOnLoop(watcher, onClosed));
            wakeUp();
        }
    }

    private void closeOnLoop(Watcher watcher, Runnable onClosed) {
        if (watcher.state != Watcher.OPEN) {
            return;
        }
        if (holdsLoop(watcher)) {
            referencedWatchers--;
        }
        watcher.state = Watcher.CLOSING;
        watcher.wanted = 0;
        watcher.onClosed = onClosed;
        try {
            poller.release(watcher.source, watcher.armed);
        } catch (IOException | RuntimeException e) {
            onException(watcher, e instanceof IOException io
                    ? new UncheckedIOException("releasing " + watcher + " failed", io)
                    : (RuntimeException) e);
        }
        watcher.armed = 0;
        watchers.remove(watcher);
        watchersBySource.remove(watcher.source);
        stats.set(LoopStats.LIVE_WATCHERS, watchers.size());
        closing.add(watcher);
    }

    private void dispatch() {
        int events = 0;
        for (int i = 0, n = ready.size(); i < n; i++) {
            Watcher watcher = watchers.lookup(ready.token(i));
            if (watcher == null) {
                continue; // closed earlier in this batch, or a stale generation
            }
            int ops = ready.readyOps(i) & watcher.wanted;
            if (ops == 0) {
                continue;
            }
            events++;
            stats.enterTask(watcher.handler);
            try {
                watcher.handler.onReady(watcher, Interest.ofBits(ops));
            } catch (RuntimeException e) {
                onException(watcher.handler, e);
            } finally {
                stats.exitTask();
            }
        }
        ready.clear();
        stats.add(LoopStats.IO_EVENTS, events);
    }

    private void runCloseCallbacks() {
        if (closing.isEmpty()) {
            return;
        }
        ArrayList<Watcher> batch = closing;
        closing = spareClosing;
        int callbacks = 0;
        for (int i = 0, n = batch.size(); i < n; i++) {
            Watcher watcher = batch.get(i);
            watcher.state = Watcher.CLOSED;
            Runnable onClosed = watcher.onClosed;
            if (onClosed != null) {
                watcher.onClosed = null;
                callbacks++;
                runTask(onClosed);
            }
        }
        batch.clear();
        spareClosing = batch;
        stats.add(LoopStats.CALLBACKS_RUN, callbacks);
    }

    // ---------------------------------------------------------------- poll

    /** Keeps the loop alive with no handle, for a loop that serves a group. Loop thread only. */
    void hold() {
        holds++;
    }

    private boolean isAlive() {
        return holds > 0 || referencedTimers > 0 || referencedWatchers > 0 || !closing.isEmpty() || hasPendingCallbacks();
    }

    private long pollTimeoutNanos(RunMode mode) {
        if (mode == RunMode.NOWAIT || stopRequested || lifecycle != OPEN || hasPendingCallbacks()
                || !closing.isEmpty() || !isAlive()) {
            return 0;
        }
        for (Timer timer; (timer = timers.peek()) != null; ) {
            if (timer.isScheduled()) {
                return Math.max(0, timer.deadlineNanos - now);
            }
            dropTop(timer);
        }
        return -1;
    }

    private void poll(long timeoutNanos) {
        if (timeoutNanos != 0) {
            WAKE_STATE.setVolatile(this, POLLING);
            if (hasPendingCallbacks() || stopRequested || lifecycle != OPEN) {
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
            WAKE_STATE.setVolatile(this, AWAKE);
            now = clock.nanoTime();
            stats.add(LoopStats.POLL_NANOS, now - before);
            lastMarkNanos = now;
        }
    }

    // ---------------------------------------------------------------- lifecycle

    private void enter() {
        if (lifecycle == CLOSED) {
            throw new IllegalStateException("loop '" + name + "' is closed; create a new one");
        }
        if (!running.compareAndSet(false, true)) {
            Thread other = runningThread;
            throw new IllegalStateException("loop '" + name + "' is already running on thread '"
                    + (other == null ? "?" : other.getName()) + "'; a loop runs on one thread at a time");
        }
        owner = Thread.currentThread();
        runningThread = owner;
    }

    private void leave() {
        runningThread = null;
        running.set(false);
        // A shutdown requested while we were leaving found the loop running; finish it here.
        if (lifecycle == SHUTTING_DOWN && running.compareAndSet(false, true)) {
            finishShutdownHere();
        }
    }

    private boolean shutdownIsDue() {
        return !hasPendingCallbacks() || clock.nanoTime() - shutdownDeadlineNanos >= 0;
    }

    /**
     * Begins a graceful shutdown: the loop takes no more tasks from other threads, keeps running
     * until the callbacks already queued have run (or {@code timeout} has passed), then closes every
     * watcher (each handler's {@link WatcherHandler#onLoopClosing} first), cancels every timer,
     * drops what is still queued, closes the poller and completes the returned future. Safe from
     * any thread; a second call returns the same future.
     *
     * <p>A running loop finishes the shutdown on its own thread; a loop that no thread is running
     * is shut down by the calling thread before this method returns.
     */
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        long timeoutNanos = delayNanos(timeout, "timeout");
        if (lifecycle == OPEN) {
            shutdownDeadlineNanos = clock.nanoTime() + timeoutNanos;
            if (LIFECYCLE.compareAndSet(this, OPEN, SHUTTING_DOWN)) {
                wakeUp();
                if (running.compareAndSet(false, true)) {
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

    private void finishShutdownHere() {
        Thread previousOwner = owner;
        owner = Thread.currentThread();
        runningThread = owner;
        try {
            now = clock.nanoTime();
            lastMarkNanos = now;
            while (!shutdownIsDue()) {
                runCallbacks();
            }
            closeEverything();
        } finally {
            runningThread = null;
            owner = previousOwner;
            running.set(false);
        }
    }

    /**
     * Closes the loop now: every watcher is closed (each handler's {@link
     * WatcherHandler#onLoopClosing} first, then the close callbacks run), every timer is cancelled,
     * queued callbacks are dropped, and the poller is released. Idempotent.
     *
     * @throws IllegalStateException if a thread is running the loop: call {@link #stop()} and close
     *     after {@link #run} returns, or use {@link #shutdownGracefully}
     */
    @Override
    public void close() {
        if (lifecycle == CLOSED) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            if (lifecycle == CLOSED) {
                return;
            }
            throw new IllegalStateException("loop '" + name + "' is running; call stop() and close() after run() returns,"
                    + " or use shutdownGracefully(...)");
        }
        Thread previousOwner = owner;
        owner = Thread.currentThread();
        runningThread = owner;
        try {
            if (lifecycle != CLOSED) {
                LIFECYCLE.setVolatile(this, SHUTTING_DOWN);
                closeEverything();
            }
        } finally {
            runningThread = null;
            owner = previousOwner;
            running.set(false);
        }
    }

    private void closeEverything() {
        for (Watcher watcher : watchers.snapshot()) {
            try {
                watcher.handler.onLoopClosing(watcher);
            } catch (RuntimeException e) {
                onException(watcher.handler, e);
            }
            closeOnLoop(watcher, null);
        }
        while (!closing.isEmpty()) {
            runCloseCallbacks();
        }
        timers.drain(timer -> {
            timer.inHeap = false;
            timer.cancel();
        });
        cancelledTimersInHeap = 0;
        int dropped = local.size();
        local.clear();
        while (remote.poll() != null) {
            dropped++;
        }
        // Cross-thread cancel and close hooks run here; user tasks are counted as dropped.
        stats.set(LoopStats.LOCAL_PENDING, 0);
        if (dropped > 0) {
            LOG.log(System.Logger.Level.WARNING, "loop '" + name + "' closed with " + dropped + " queued callbacks not run");
        }
        LIFECYCLE.setVolatile(this, CLOSED);
        poller.close();
        termination.complete(null);
    }

    /** Whether the caller is inside {@link #run}: the running thread or a virtual thread it carries. */
    private boolean runsLoopNow() {
        Thread current = Thread.currentThread();
        return current == runningThread || current == carried;
    }

    /** Whether the caller may touch loop state directly: it runs the loop, or owns it while idle. */
    private boolean onLoopThreadNow() {
        return runsLoopNow() || (runningThread == null && Thread.currentThread() == owner);
    }

    void checkInLoop(String what) {
        Thread current = Thread.currentThread();
        if (current != owner && current != carried) {
            throw new IllegalStateException(what + " must be called on the thread of loop '" + name + "' ('"
                    + owner.getName() + "'), not on '" + current.getName() + "'; hand it over with loop.execute(...)");
        }
    }

    /** Timer heap entries, cancelled ones included; for tests of the purge rule. */
    int timerHeapSize() {
        return timers.size();
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + ", " + pollerProvider.name() + (lifecycle == OPEN ? "" : lifecycle == CLOSED ? ", closed" : ", shutting down") + "]";
    }

    /**
     * Builds an {@link EventLoop}. Not thread-safe; every setting is optional.
     */
    public static final class Builder {
        private String name;
        private LoopClock clock = LoopClock.system();
        private PollerProvider pollerProvider;
        private LoopExceptionHandler exceptionHandler;
        private TaskDecorator taskDecorator;

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
         * Wraps every task given to {@link #execute}, {@link #schedule} and {@link
         * #scheduleRepeating} on the submitting thread (default: none); see {@link TaskDecorator}.
         */
        public Builder taskDecorator(TaskDecorator decorator) {
            this.taskDecorator = Objects.requireNonNull(decorator, "decorator");
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
