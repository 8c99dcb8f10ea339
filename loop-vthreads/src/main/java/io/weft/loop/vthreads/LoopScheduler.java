package io.weft.loop.vthreads;

import io.weft.loop.core.EventLoop;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>After the loop has terminated, nothing would run the queued continuations, and their threads
 * would stay parked forever. They run instead on one platform "orphans" thread, which exists only
 * while it has work: there they meet closed sockets and failed waits and can finish.
 */
final class LoopScheduler implements Executor {
    final EventLoop loop;
    private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final Runnable runOne = this::runOne;
    private final AtomicLong carriedRuns = new AtomicLong();
    private volatile boolean terminated;
    private volatile ThreadPoolExecutor orphans;
    /** Loop thread only: the next submission comes from {@link #unpark} and may run at once. */
    private boolean inline;

    LoopScheduler(EventLoop loop) {
        this.loop = loop;
        loop.terminationFuture().whenComplete((ignored, error) -> {
            terminated = true;
            drainToOrphans();
        });
    }

    @Override
    public void execute(Runnable continuation) {
        if (inline && loop.inLoop()) {
            inline = false; // what this run submits (a yield) waits its turn
            run(continuation);
            return;
        }
        pending.add(continuation);
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
        if (inline || !loop.inLoop() || loop.isShuttingDown()) {
            LockSupport.unpark(thread);
            return;
        }
        inline = true;
        try {
            LockSupport.unpark(thread);
        } finally {
            inline = false;
        }
    }

    private void runOne() {
        Runnable continuation = pending.poll();
        if (continuation != null) {
            run(continuation);
        }
    }

    private void run(Runnable continuation) {
        carriedRuns.incrementAndGet();
        continuation.run();
    }

    /** Continuations run by the loop thread so far; for tests and diagnostics. */
    long carriedRuns() {
        return carriedRuns.get();
    }

    private void drainToOrphans() {
        for (Runnable continuation; (continuation = pending.poll()) != null; ) {
            orphans().execute(continuation);
        }
    }

    private ThreadPoolExecutor orphans() {
        ThreadPoolExecutor executor = orphans;
        if (executor == null) {
            synchronized (this) {
                executor = orphans;
                if (executor == null) {
                    // One thread, so continuations of this loop's threads never run in parallel:
                    // socket state they touch directly stays single-threaded after the loop is gone.
                    executor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                            task -> Thread.ofPlatform().daemon().name(loop.name() + "-vthread-orphans").unstarted(task));
                    executor.allowCoreThreadTimeOut(true);
                    orphans = executor;
                }
            }
        }
        return executor;
    }
}
