package io.weft.loop.core;

import io.weft.loop.core.spi.Poller;
import java.util.concurrent.CompletableFuture;

/**
 * The loop's closing unit: a graceful shutdown (run what is queued, up to a deadline, then close),
 * a close (every watcher closed and its handler told, every timer cancelled, what is still queued
 * dropped and logged, the poller released) and the termination future. The thread that holds the
 * loop closes it: the thread running it, when its iteration is done, or, on a loop no thread runs,
 * the thread that asked.
 */
final class LoopClosing {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    private final String loopName;
    private final LoopClock clock;
    private final LoopThread thread;
    private final Poller poller;
    private final Callbacks callbacks;
    private final Timers timers;
    private final Watchers watchers;
    /** Re-reads the loop's cached time, before a closing thread runs what is queued. */
    private final Runnable resetTime;
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    /** Set by {@link #close()}: the holder closes at once, without draining what is queued. */
    private volatile boolean closeRequested;
    private volatile long shutdownDeadlineNanos;

    LoopClosing(String loopName, LoopClock clock, LoopThread thread, Poller poller, Callbacks callbacks, Timers timers,
            Watchers watchers, Runnable resetTime) {
        this.loopName = loopName;
        this.clock = clock;
        this.thread = thread;
        this.poller = poller;
        this.callbacks = callbacks;
        this.timers = timers;
        this.watchers = watchers;
        this.resetTime = resetTime;
    }

    /** Whether a shutdown that has begun may close now: close was asked, nothing is queued, or time is up. */
    boolean isDue() {
        return closeRequested || !callbacks.hasPending() || clock.nanoTime() - shutdownDeadlineNanos >= 0;
    }

    /** Whether the run ending now (with {@code alive} left) must close the loop before it returns. */
    boolean closesAfterRun(boolean alive) {
        return thread.lifecycle() == LoopThread.SHUTTING_DOWN && (!alive || isDue());
    }

    /** See {@link EventLoop#shutdownGracefully}. */
    CompletableFuture<Void> shutdownGracefully(long timeoutNanos) {
        if (thread.lifecycle() == LoopThread.OPEN) {
            shutdownDeadlineNanos = clock.nanoTime() + timeoutNanos;
            if (thread.beginShutdown()) {
                thread.wakeUp();
                if (thread.tryHold(false)) {
                    finishHere();
                }
            }
        }
        return termination;
    }

    CompletableFuture<Void> termination() {
        return termination;
    }

    /** See {@link EventLoop#close()}. */
    void close() {
        if (thread.lifecycle() == LoopThread.CLOSED) {
            return;
        }
        if (thread.tryHold(false)) {
            thread.beginShutdown();
            closeRequested = true;
            finishHere();
            return;
        }
        closeRequested = true;
        thread.beginShutdown();
        thread.wakeUp();
        if (thread.runsHere()) {
            return; // run closes it when this iteration is done
        }
        if (thread.tryHold(false)) {
            finishHere(); // the running thread left meanwhile
        } else {
            termination.join(); // the running thread closes it
        }
    }

    /** Called by a run that has let go of the loop: a shutdown or close asked meanwhile found it running; finish it here. */
    void afterRun() {
        if (thread.lifecycle() == LoopThread.SHUTTING_DOWN && thread.tryHold(true)) {
            finishHere();
        }
    }

    /** Finishes a shutdown on the calling thread, which holds the loop; releases it after. */
    private void finishHere() {
        try {
            resetTime.run();
            while (!isDue()) {
                callbacks.runQueued();
            }
            closeNow();
        } finally {
            thread.release();
        }
    }

    /** Closes the loop now, on the thread holding it; idempotent. */
    void closeNow() {
        if (thread.lifecycle() == LoopThread.CLOSED) {
            return;
        }
        int dropped = callbacks.drainForClose();
        watchers.closeAll();
        timers.cancelAll();
        thread.markClosed();
        try {
            poller.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "loop '" + loopName + "': closing the poller failed", e);
        }
        // Work another thread queued while we closed (its wake-up may have failed on the closed
        // poller) is done or dropped now.
        dropped += callbacks.drainForClose();
        if (dropped > 0) {
            LOG.log(System.Logger.Level.WARNING, "loop '" + loopName + "' closed with " + dropped + " queued callbacks not run");
        }
        termination.complete(null);
    }
}
