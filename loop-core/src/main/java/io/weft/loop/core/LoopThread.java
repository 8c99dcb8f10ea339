package io.weft.loop.core;

import io.weft.loop.core.spi.LoopCarrier;
import io.weft.loop.core.spi.Poller;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * The loop's thread unit: which thread the loop belongs to (the one check, {@link #inLoop()}),
 * which thread holds it now (running, closing or shutting it down: one at a time), the virtual
 * thread it carries, the wake-up of a blocked poll, and the lifecycle (open, shutting down,
 * closed).
 *
 * <p>The owner is the thread that built the loop until a thread runs it, then the last thread that
 * ran it; while a thread holds the loop, the owner is that thread.
 */
final class LoopThread implements LoopCarrier {
    static final int OPEN = 0;
    static final int SHUTTING_DOWN = 1;
    static final int CLOSED = 2;

    private static final int AWAKE = 0;
    private static final int POLLING = 1;
    private static final int WOKEN = 2;

    private static final int FREE = 0;
    private static final int HELD = 1;
    /** Held by the idle owner for one quick step ({@link #tryHoldBriefly}), which a run waits out. */
    private static final int HELD_BRIEFLY = 2;

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    private static final VarHandle WAKE_STATE;
    private static final VarHandle LIFECYCLE;
    private static final VarHandle HOLD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WAKE_STATE = lookup.findVarHandle(LoopThread.class, "wakeState", int.class);
            LIFECYCLE = lookup.findVarHandle(LoopThread.class, "lifecycle", int.class);
            HOLD = lookup.findVarHandle(LoopThread.class, "hold", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String loopName;
    private final Poller poller;
    private volatile Thread owner = Thread.currentThread();
    private volatile Thread holder;
    private volatile Thread carried;
    private Thread ownerBeforeHold;
    private volatile int hold;
    private volatile int wakeState;
    private volatile int lifecycle;

    LoopThread(String loopName, Poller poller) {
        this.loopName = loopName;
        this.poller = poller;
    }

    /** Whether the caller is the loop's thread, or the virtual thread it carries right now. */
    boolean inLoop() {
        Thread current = Thread.currentThread();
        return current == owner || current == carried;
    }

    /** Fails fast, saying what to do, unless {@link #inLoop()}. */
    void check(String what) {
        if (!inLoop()) {
            throw new IllegalStateException(what + " must be called on the thread of loop '" + loopName + "' ('"
                    + owner.getName() + "'), not on '" + Thread.currentThread().getName()
                    + "'; hand it over with loop.execute(...)");
        }
    }

    /**
     * Makes the caller the thread holding the loop, if no thread does.
     *
     * @param keepOwner whether the caller stays the owner after {@link #release} (a run), or the
     *     owner before is restored (a close or shutdown done by another thread)
     */
    boolean tryHold(boolean keepOwner) {
        if (!HOLD.compareAndSet(this, FREE, HELD)) {
            return false;
        }
        Thread current = Thread.currentThread();
        ownerBeforeHold = keepOwner ? current : owner;
        owner = current;
        holder = current;
        return true;
    }

    /**
     * Makes the caller the thread holding and owning the loop, for a run. Waits out an idle owner's
     * brief step ({@link #tryHoldBriefly}) instead of failing.
     *
     * @throws IllegalStateException if the loop is closed or another thread runs it
     */
    void holdForRun() {
        if (lifecycle == CLOSED) {
            throw new IllegalStateException("loop '" + loopName + "' is closed; create a new one");
        }
        while (!tryHold(true)) {
            if (hold != HELD) {
                Thread.onSpinWait(); // the idle owner inserted a timer or closed a watcher: soon done
                continue;
            }
            Thread other = holder;
            throw new IllegalStateException("loop '" + loopName + "' is already running on thread '"
                    + (other == null ? "?" : other.getName()) + "'; a loop runs on one thread at a time");
        }
    }

    /**
     * For one quick step of the owner on an idle loop (inserting a timer, say): holds the loop if
     * the caller owns it and no thread holds it. A {@code run} starting meanwhile waits the step
     * out instead of failing. It costs one compare-and-set in and one release store out ({@link
     * #releaseBriefly}): the owner and holder stay as they are, since the caller owns the loop.
     */
    boolean tryHoldBriefly() {
        return Thread.currentThread() == owner && HOLD.compareAndSet(this, FREE, HELD_BRIEFLY);
    }

    /** Ends a step begun by {@link #tryHoldBriefly}; what it did happens-before the next hold. */
    void releaseBriefly() {
        HOLD.setRelease(this, FREE);
    }

    /** Whether the caller holds the loop now (runs or closes it), or is the virtual thread it carries. */
    boolean runsHere() {
        Thread current = Thread.currentThread();
        return current == holder || current == carried;
    }

    /** Lets go of the loop, held since {@link #tryHold}. */
    void release() {
        holder = null;
        owner = ownerBeforeHold;
        hold = FREE;
    }

    /** The thread holding the loop now, or null. */
    Thread holder() {
        return holder;
    }

    /** The virtual thread being carried now, or null. */
    Thread carried() {
        return carried;
    }

    @Override
    public void carry(Thread virtualThread, Runnable continuation) {
        Objects.requireNonNull(virtualThread, "virtualThread");
        Objects.requireNonNull(continuation, "continuation");
        check("LoopCarrier.carry(...)");
        Thread outer = carried;
        carried = virtualThread;
        try {
            continuation.run();
        } finally {
            carried = outer;
        }
    }

    // ---------------------------------------------------------------- wake-up

    /** Announces a blocking poll: wake-ups from now on interrupt it. */
    void enterPoll() {
        WAKE_STATE.setVolatile(this, POLLING);
    }

    void leavePoll() {
        WAKE_STATE.setVolatile(this, AWAKE);
    }

    /**
     * Wakes a blocked poll, at most once per poll. Safe from any thread. Never throws: the work
     * that asked for it is queued already, and a poller closed under us means the loop has closed,
     * whose last drain accounts for that work.
     */
    void wakeUp() {
        if ((int) WAKE_STATE.getVolatile(this) == POLLING && WAKE_STATE.compareAndSet(this, POLLING, WOKEN)) {
            wakePoller();
        }
    }

    /**
     * Out of line, so its handler and log line stay out of the compiled code of every {@code
     * execute}, keeping that small enough for C2 to inline into the caller.
     */
    private void wakePoller() {
        try {
            poller.wakeup();
        } catch (RuntimeException e) {
            if (lifecycle != CLOSED) {
                LOG.log(System.Logger.Level.WARNING, "loop '" + loopName + "': waking the poller failed", e);
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** What {@code execute} and {@code schedule} throw once the loop takes no more work. */
    RejectedExecutionException rejected() {
        return new RejectedExecutionException("loop '" + loopName + "' is "
                + (lifecycle == CLOSED ? "closed" : "shutting down") + " and takes no more tasks");
    }

    int lifecycle() {
        return lifecycle;
    }

    /** Moves from open to shutting down; whether this call did. */
    boolean beginShutdown() {
        return LIFECYCLE.compareAndSet(this, OPEN, SHUTTING_DOWN);
    }

    void markClosed() {
        LIFECYCLE.setVolatile(this, CLOSED);
    }
}
