package io.weft.loop.vthreads;

import io.weft.loop.core.EventLoop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler of loop-carried virtual threads: the JDK hands it a virtual thread's continuation
 * each time the thread becomes runnable (started, unparked, after {@code Thread.yield}), and it
 * runs that continuation as one callback of its loop.
 *
 * <p>Fairness comes from the loop: a continuation submitted while callbacks run (a yield, an
 * unpark from another continuation) waits for the next iteration's callbacks phase, after timers
 * and I/O. One exception, for latency: an unpark made by Weft's own code on the loop's platform
 * thread (a watcher, timer or callback that completes a waiter) runs the continuation at once, in
 * that callback, instead of an iteration later (see {@link #unpark}). That run lasts until the
 * thread parks or yields again, as a handler's work would.
 *
 * <p>Each continuation runs through the loop's {@link EventLoop#carrier() carrier hook}, so while it runs its virtual
 * thread counts as the loop thread ({@code loop.inLoop()} is true for it) and may use the
 * loop-only API directly. That needs the thread of each continuation: every thread gets its own
 * small {@link Carried} scheduler (see {@link #newThread}), which knows its thread and learns its
 * continuation at the first submission ({@code start()}); the JDK passes the same one on every
 * later submission. No map, no lookup per submission, nothing to clean up: the {@code Carried}
 * lives and dies with its thread.
 *
 * <p>After the loop has terminated, nothing would run the queued continuations, and their threads
 * would stay parked forever. They run instead on one platform "orphans" thread, which exists only
 * while it has work: there they meet closed sockets and failed waits and can finish.
 *
 * <p>Lock-free throughout (a concurrent queue, atomics): the loop thread never waits for a thread
 * it carries, which could not run while it waits (see the package's rule on locks).
 */
final class LoopScheduler {
    private static final VarHandle CARRIED_RUNS;

    static {
        try {
            CARRIED_RUNS = MethodHandles.lookup().findVarHandle(LoopScheduler.class, "carriedRuns", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final EventLoop loop;
    /** {@link Carried} schedulers of ready threads. */
    private final ConcurrentLinkedQueue<Carried> pending = new ConcurrentLinkedQueue<>();
    private final Runnable runOne = this::runOne;
    /** Written by the loop thread only, with opaque stores (no fence on the hot path); read by tests. */
    private long carriedRuns;
    private volatile boolean terminated;
    /** Whether an orphans thread runs (or is being started): at most one at a time. */
    private final AtomicBoolean orphansRunning = new AtomicBoolean();
    /** Loop thread only: the next submission comes from {@link #unpark} and may run at once. */
    private boolean inline;

    LoopScheduler(EventLoop loop) {
        this.loop = loop;
        loop.terminationFuture().whenComplete((ignored, error) -> {
            terminated = true;
            drainToOrphans();
        });
    }

    /**
     * A new unstarted virtual thread carried by this loop, built by {@code builder}, a {@link
     * LoopCarrierHook#builder} for the {@link Carried} given to it.
     */
    Thread newThread(java.util.function.Function<Carried, Thread> builder) {
        Carried carried = new Carried();
        Thread thread = builder.apply(carried);
        carried.thread = thread; // before start(), which makes the first submission
        return thread;
    }

    /**
     * The scheduler of one virtual thread: the JDK hands it that thread's continuation each time
     * the thread becomes runnable.
     *
     * <p>A virtual thread started by a carried thread with plain {@code Thread.ofVirtual()}
     * inherits its parent's scheduler, this object (the JDK passes a virtual parent's scheduler on).
     * Its continuation is not the one this object learnt first, and it is not the loop's: it goes
     * to the JDK's default scheduler, so such a child is an ordinary virtual thread, as it would be
     * if any other thread had started it. It never runs on the loop thread, so it cannot hold the
     * loop unseen; a thread that should be loop-carried is started through {@link VirtualThreads}.
     */
    final class Carried implements Executor, Runnable {
        /** Set before the thread starts; read after a submission, which publishes it. */
        Thread thread;
        /**
         * The thread's {@code runContinuation}, learnt at its first submission (its start).
         * Volatile only as insurance for submitters on other threads (the start publishes it anyway).
         */
        private volatile Runnable continuation;

        @Override
        public void execute(Runnable task) {
            Runnable own = continuation;
            if (own == null) {
                // The first submission is the thread's own start: no thread it starts (and so no
                // inherited submission) can come earlier.
                continuation = own = task;
            }
            if (task == own) {
                submit(this);
            } else {
                LoopCarrierHook.defaultScheduler().execute(task); // a child's: see above
            }
        }

        /** Runs one step of the thread as the loop thread (loop thread only). */
        @Override
        public void run() {
            loop.carrier().carry(thread, continuation);
        }

        /** The bare continuation, for a thread that the loop cannot run any more. */
        Runnable continuation() {
            return continuation;
        }
    }

    /** Queues (or, when an unpark on the loop's platform thread asks for it, runs) a thread's {@link Carried}. */
    private void submit(Carried task) {
        if (inline && !Thread.currentThread().isVirtual() && loop.inLoop()) {
            inline = false; // what this run submits (a yield) waits its turn
            run(task);
            return;
        }
        pending.add(task);
        if (terminated) {
            drainToOrphans();
            return;
        }
        try {
            loop.execute(runOne);
        } catch (RejectedExecutionException e) {
            // Shutting down: the loop takes no more work from other threads. The continuation stays
            // queued; the termination hook hands it to the orphans thread.
            if (loop.isClosed()) {
                drainToOrphans();
            }
        }
    }

    /**
     * Unparks {@code thread}, which this scheduler carries. Called on the loop's platform thread
     * (and not while it shuts down), the thread's continuation runs right here, in the current
     * callback, in the same iteration.
     */
    void unpark(Thread thread) {
        step(thread, false);
    }

    /** Starts {@code thread}, which this scheduler carries: as {@link #unpark}, its first step may run right here. */
    void start(Thread thread) {
        step(thread, true);
    }

    private void step(Thread thread, boolean start) {
        // Only on the platform thread: a carried thread that wakes another must not run it on
        // its own stack (and a carried thread counts as the loop thread, so ask isVirtual too).
        if (inline || Thread.currentThread().isVirtual() || !loop.inLoop() || loop.isShuttingDown()) {
            submitStep(thread, start);
            return;
        }
        inline = true;
        try {
            submitStep(thread, start);
        } finally {
            inline = false;
        }
    }

    private static void submitStep(Thread thread, boolean start) {
        if (start) {
            thread.start();
        } else {
            LockSupport.unpark(thread);
        }
    }

    private void runOne() {
        Carried task = pending.poll();
        if (task != null) {
            run(task);
        }
    }

    /** Runs one step of a thread, as the loop thread. */
    private void run(Carried task) {
        CARRIED_RUNS.setOpaque(this, carriedRuns + 1);
        task.run();
    }

    /** Continuations run by the loop thread so far; for tests and diagnostics. */
    long carriedRuns() {
        return (long) CARRIED_RUNS.getOpaque(this);
    }

    /** After termination: starts the orphans thread unless one runs already; it runs what is pending. */
    private void drainToOrphans() {
        if (!pending.isEmpty() && orphansRunning.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name(loop.name() + "-vthread-orphans").start(this::runOrphans);
        }
    }

    /**
     * Runs the pending continuations until none is left. Not as the loop thread: the loop is gone,
     * and this is not its thread. One thread at a time, so continuations of this loop's threads never
     * run in parallel: socket state they touch directly stays single-threaded after the loop is gone.
     */
    private void runOrphans() {
        do {
            for (Carried task; (task = pending.poll()) != null; ) {
                task.continuation().run();
            }
            orphansRunning.set(false);
            // a continuation queued after the last poll and before the reset found it still running
        } while (!pending.isEmpty() && orphansRunning.compareAndSet(false, true));
    }
}
