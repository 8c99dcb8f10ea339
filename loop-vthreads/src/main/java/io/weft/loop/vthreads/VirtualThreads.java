package io.weft.loop.vthreads;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.Timer;
import io.weft.loop.core.internal.LoopLocals;
import java.io.Serial;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts virtual threads that belong to a loop (or to the loops of a group), on the {@link
 * Carrier} of your choice, and gives them a blocking-style {@link #sleep} and {@link #await} that
 * park on the loop's timers and callbacks.
 *
 * <p><b>Carriers.</b> {@link Carrier#POOL}: the threads run on the JDK's default scheduler and hand
 * their requests to the loop with {@code execute}. {@link Carrier#LOOP}: the loop thread itself
 * runs them, one continuation per loop callback; a socket read that finds bytes waiting takes them
 * without any hand-off. {@code LOOP} needs {@code --add-opens java.base/java.lang=ALL-UNNAMED};
 * without it this class falls back to {@code POOL} and logs why, once per JVM ({@link #carrier()}
 * says which one you got).
 *
 * <p><b>Rules for loop-carried code.</b> It runs on the loop thread: CPU-heavy work or a pinned
 * park (a native frame on the stack) stalls the loop like a slow callback. Parking (sockets here,
 * JDK sockets, locks, {@code Thread.sleep}, {@code Thread.yield}) gives the loop back.
 *
 * <p><b>Children.</b> Only threads started here are loop-carried. A virtual thread that a
 * loop-carried thread starts with plain {@code Thread.ofVirtual()} (which the JDK would put on its
 * parent's scheduler, the loop) runs on the JDK's default scheduler instead: an ordinary virtual
 * thread, for which {@link #isLoopCarried()} is false and {@link #currentLoop()} empty. To start a
 * loop-carried child, use {@link #start}, {@link #factory()} or {@link #newExecutor()}.
 *
 * {@snippet :
 * VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
 * threads.start(() -> {
 *     try (BlockingSocket socket = BlockingSocket.connect(loop, address, TcpOptions.defaults())) {
 *         socket.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
 *     } catch (IOException e) {
 *         // ...
 *     }
 * });
 * }
 *
 * <p>Thread-safe.
 */
public final class VirtualThreads {
    private static final ScopedValue<Home> HOME = ScopedValue.newInstance();

    /** The loop a thread belongs to, and the scheduler carrying it (null on the pool carrier). */
    record Home(EventLoop loop, LoopScheduler scheduler) {
    }

    private final List<EventLoop> loops;
    private final List<ThreadFactory> factories;
    private final Carrier requested;
    private final Carrier carrier;
    private final AtomicInteger next = new AtomicInteger();
    private final ThreadFactory roundRobin = this::newThread;

    private VirtualThreads(List<EventLoop> loops, Carrier requested) {
        this.loops = List.copyOf(loops);
        this.requested = requested;
        this.carrier = LoopCarrierHook.choose(requested);
        this.factories = this.loops.stream().map(this::factoryFor).toList();
    }

    /**
     * {@return virtual threads that belong to {@code loop}, carried as {@code carrier} asks (or by the pool,
     * see the class description)}
     *
     * @param loop the loop the threads belong to
     * @param carrier what runs their steps: the loop's thread or the JDK's pool
     */
    public static VirtualThreads forLoop(EventLoop loop, Carrier carrier) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(carrier, "carrier");
        return new VirtualThreads(List.of(loop), carrier);
    }

    /**
     * {@return virtual threads spread round robin over the loops of {@code group}}
     *
     * @param group the loops the threads are spread over
     * @param carrier what runs their steps: each loop's thread or the JDK's pool
     */
    public static VirtualThreads forGroup(LoopGroup group, Carrier carrier) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(carrier, "carrier");
        return new VirtualThreads(group.loops(), carrier);
    }

    private ThreadFactory factoryFor(EventLoop loop) {
        String prefix = loop.name() + "-vt-";
        if (carrier == Carrier.LOOP) {
            // One builder per thread: each thread gets a scheduler of its own that knows it (see
            // LoopScheduler.Carried), so the loop can run it as the loop thread.
            LoopScheduler scheduler = scheduler(loop);
            Home home = new Home(loop, scheduler);
            AtomicLong counter = new AtomicLong();
            return task -> {
                Objects.requireNonNull(task, "task");
                Runnable body = () -> ScopedValue.where(HOME, home).run(task);
                return scheduler.newThread(carried ->
                        LoopCarrierHook.builder(carried).name(prefix + counter.getAndIncrement()).unstarted(body));
            };
        }
        Home home = new Home(loop, null);
        ThreadFactory base = Thread.ofVirtual().name(prefix, 0).factory();
        return task -> {
            Objects.requireNonNull(task, "task");
            return base.newThread(() -> ScopedValue.where(HOME, home).run(task));
        };
    }

    static LoopScheduler scheduler(EventLoop loop) {
        return LoopLocals.get(loop, LoopScheduler.class, LoopScheduler::new);
    }

    /** {@return the carrier these threads really run on: the one asked for, or {@link Carrier#POOL} after a fallback} */
    public Carrier carrier() {
        return carrier;
    }

    /** {@return the carrier that was asked for} */
    public Carrier requestedCarrier() {
        return requested;
    }

    /** {@return the loops the threads belong to} */
    public List<EventLoop> loops() {
        return loops;
    }

    /**
     * Starts a virtual thread running {@code task} on the next loop (round robin).
     *
     * @param task what the thread runs
     * @return the started thread
     */
    public Thread start(Runnable task) {
        Thread thread = newThread(task);
        thread.start();
        return thread;
    }

    /**
     * Starts a virtual thread on {@code loop}, one of {@link #loops()}: to serve a socket on the
     * loop it lives on ({@link BlockingSocket#loop()}), so a loop carrier reads it with no hand-off.
     *
     * @param loop the loop the thread belongs to, one of {@link #loops()}
     * @param task what the thread runs
     * @return the started thread
     */
    public Thread start(EventLoop loop, Runnable task) {
        Thread thread = factoryOf(loop).newThread(task);
        thread.start();
        return thread;
    }

    /**
     * Starts {@code task} on {@code loop} for a socket whose input arrived ({@link
     * BlockingSocket#resumeOnInput}): on the loop carrier, called on the loop's platform thread,
     * its first step runs at once, as a woken reader's would (see {@link LoopScheduler#start}).
     */
    void startResumed(EventLoop loop, Runnable task) {
        Thread thread = factoryOf(loop).newThread(task);
        if (carrier == Carrier.LOOP) {
            scheduler(loop).start(thread);
        } else {
            thread.start();
        }
    }

    private ThreadFactory factoryOf(EventLoop loop) {
        int i = loops.indexOf(Objects.requireNonNull(loop, "loop"));
        if (i < 0) {
            throw new IllegalArgumentException(loop + " is not one of " + loops + "; use VirtualThreads.forLoop(loop, ...)");
        }
        return factories.get(i);
    }

    private Thread newThread(Runnable task) {
        return factories.get(Math.floorMod(next.getAndIncrement(), factories.size())).newThread(task);
    }

    /** {@return a factory of unstarted threads, spread over the loops round robin} */
    public ThreadFactory factory() {
        return roundRobin;
    }

    /** {@return a new executor that starts one such virtual thread per task; close it when done} */
    public ExecutorService newExecutor() {
        return Executors.newThreadPerTaskExecutor(roundRobin);
    }

    // ------------------------------------------------------------------ the current thread

    static LoopScheduler carriedBy() {
        return HOME.isBound() ? HOME.get().scheduler() : null;
    }

    /**
     * The loop the current thread belongs to, if {@link VirtualThreads} started it.
     *
     * @return the loop, or empty for a thread {@link VirtualThreads} did not start
     */
    public static Optional<EventLoop> currentLoop() {
        return HOME.isBound() ? Optional.of(HOME.get().loop()) : Optional.empty();
    }

    /** {@return whether the current thread is a virtual thread carried by its loop's thread ({@link Carrier#LOOP})} */
    public static boolean isLoopCarried() {
        return carriedBy() != null;
    }

    private static EventLoop homeLoop(String what) {
        return currentLoop().orElseThrow(() -> new IllegalStateException(what + " needs a thread started by VirtualThreads;"
                + " on another thread pass the loop explicitly"));
    }

    // ------------------------------------------------------------------ sleep and await

    /**
     * Parks the current thread for {@code duration} on a timer of its loop.
     *
     * @param duration how long to sleep, zero or more
     * @throws InterruptedException if interrupted while sleeping (the status is cleared, as {@link Thread#sleep} does)
     * @throws RejectedExecutionException if the loop shuts down first
     * @throws IllegalStateException if the current thread does not belong to a loop
     */
    public static void sleep(Duration duration) throws InterruptedException {
        sleep(homeLoop("sleep(Duration)"), duration);
    }

    /**
     * Parks the current thread for {@code duration} on a timer of {@code loop}. Not on the loop's
     * own platform thread, which must never park.
     *
     * @param loop the loop whose timer wakes the thread
     * @param duration how long to sleep, zero or more
     * @throws InterruptedException if interrupted while sleeping (the status is cleared)
     * @throws RejectedExecutionException if the loop shuts down first
     */
    public static void sleep(EventLoop loop, Duration duration) throws InterruptedException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must be >= 0, got " + duration);
        }
        checkNotLoopThread(loop, "sleep");
        if (Thread.interrupted()) {
            throw new InterruptedException("sleep interrupted");
        }
        Waiter waiter = new Waiter(null, () -> loopShutDown(loop));
        ParkedThreads parked = ParkedThreads.of(loop);
        parked.add(waiter);
        boolean interrupted;
        try {
            arm(loop, waiter, duration, () -> waiter.complete(0L));
            interrupted = waiter.park(() -> waiter.fail(new InterruptedException("sleep interrupted")));
        } finally {
            parked.remove(waiter);
        }
        Throwable failure = waiter.failure();
        if (failure instanceof InterruptedException e) {
            throw e;
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // the sleep ended otherwise; keep the interrupt for later
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
    }

    /**
     * Waits for {@code future}, parked; it resumes through a callback of the current thread's loop.
     * A thread that belongs to no loop simply waits as {@link CompletableFuture#get()} does.
     *
     * @param <T> the type of the future's value
     * @param future the future to wait for
     * @return the future's value
     * @throws InterruptedException if interrupted while waiting (the status is cleared)
     * @throws ExecutionException if the future failed
     * @throws java.util.concurrent.CancellationException if it was cancelled
     */
    public static <T> T await(CompletableFuture<T> future) throws InterruptedException, ExecutionException {
        Objects.requireNonNull(future, "future");
        try {
            return await(future, null);
        } catch (TimeoutException e) {
            throw new AssertionError("no timeout was set", e);
        }
    }

    /**
     * Waits for {@code future} at most {@code timeout} (measured by a timer of the current thread's
     * loop), parked.
     *
     * @param <T> the type of the future's value
     * @param future the future to wait for
     * @param timeout the longest to wait
     * @return the future's value
     * @throws TimeoutException if the future is not done in time
     * @throws InterruptedException if interrupted while waiting (the status is cleared)
     * @throws ExecutionException if the future failed
     */
    public static <T> T await(CompletableFuture<T> future, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(future, "future");
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0, got " + timeout);
        }
        if (future.isDone()) {
            return future.get();
        }
        Optional<EventLoop> home = currentLoop();
        if (home.isEmpty()) {
            return timeout == null ? future.get() : future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return await(home.get(), future, timeout);
    }

    private static final class LoopGone extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        LoopGone() {
            super(null, null, false, false);
        }
    }

    private static <T> T await(EventLoop loop, CompletableFuture<T> future, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        checkNotLoopThread(loop, "await");
        if (Thread.interrupted()) {
            throw new InterruptedException("await interrupted");
        }
        Waiter waiter = new Waiter(null, LoopGone::new);
        ParkedThreads parked = ParkedThreads.of(loop);
        parked.add(waiter);
        boolean interrupted;
        try {
            future.whenComplete((value, error) -> {
                if (loop.inLoop()) {
                    waiter.complete(0L);
                    return;
                }
                try {
                    loop.execute(() -> waiter.complete(0L));
                } catch (RejectedExecutionException e) {
                    waiter.complete(0L);
                }
            });
            if (timeout != null) {
                arm(loop, waiter, timeout, () -> waiter.fail(new TimeoutException("not done within " + timeout)));
            }
            interrupted = waiter.park(() -> waiter.fail(new InterruptedException("await interrupted")));
        } finally {
            parked.remove(waiter);
        }
        Throwable failure = waiter.failure();
        if (failure instanceof InterruptedException e) {
            throw e;
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // the wait ended otherwise; keep the interrupt for later
        }
        if (future.isDone()) {
            return future.get();
        }
        if (failure instanceof TimeoutException e) {
            throw e;
        }
        // The loop is gone (failure is LoopGone): nothing of it can wake us; wait as the JDK does.
        return timeout == null ? future.get() : future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Schedules {@code onTimeout} on the loop for the waiter; a rejected timer fails it at once. */
    static void arm(EventLoop loop, Waiter waiter, Duration delay, Runnable onTimeout) {
        Timer timer;
        try {
            timer = scheduleAtLeast(loop, delay, onTimeout);
        } catch (RejectedExecutionException e) {
            waiter.failLoopClosed();
            return;
        }
        waiter.setTimer(timer);
    }

    /**
     * Schedules {@code task} on {@code loop} no sooner than {@code delay} from now by the loop's
     * clock, as a blocking API promises ({@code Thread.sleep}, a socket's read timeout). On the loop
     * thread (a thread the loop carries included), a timer counts from the time the loop cached when
     * its iteration began, which is behind by as long as the iteration has run so far: that lag is
     * added. From another thread the loop reads its clock, and nothing is added.
     */
    static Timer scheduleAtLeast(EventLoop loop, Duration delay, Runnable task) {
        long behind = loop.inLoop() ? loop.clock().nanoTime() - loop.now() : 0;
        return loop.schedule(behind > 0 ? delay.plusNanos(behind) : delay, task);
    }

    static RejectedExecutionException loopShutDown(EventLoop loop) {
        return new RejectedExecutionException("loop '" + loop.name() + "' has shut down");
    }

    /**
     * Whether the calling thread is a virtual thread that {@code loop} carries: it counts as the
     * loop thread ({@code loop.inLoop()}) while it runs, but may park.
     */
    static boolean carriedBy(EventLoop loop) {
        LoopScheduler scheduler = carriedBy();
        return scheduler != null && scheduler.loop == loop && loop.inLoop();
    }

    /** Throws unless the caller may park: the loop's own thread must not (a thread it carries may). */
    static void checkNotLoopThread(EventLoop loop, String what) {
        if (loop.inLoop() && !carriedBy(loop)) {
            throw new IllegalStateException(what + " would block the thread of loop '" + loop.name()
                    + "'; call it from a virtual thread (VirtualThreads.forLoop(loop, ...).start(...))");
        }
    }
}
