package io.weft.loop.core.signal;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Timer;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process signal delivered on a loop: while open, each arrival of its {@link Signal} reaches its
 * {@link SignalHandler} on the loop's thread (libuv's {@code uv_signal_t}).
 *
 * <p><b>Delivery.</b> Arrivals are coalesced: one handler call reports how many arrived since the
 * previous one, so a burst while the loop is busy costs one call. Several handles may watch the
 * same signal, on one loop or on many; each gets every arrival, handles of one loop in the order
 * they were opened.
 *
 * <p><b>Keeping the loop alive.</b> An open handle keeps its loop's {@code RunMode.DEFAULT} run
 * alive, like a timer or a watcher, unless {@link #unref()}'d. It ends with {@link #close()} or
 * with its loop.
 *
 * <p><b>The JVM's own handling.</b> While any handle of a signal is open, it replaces what the JVM
 * did on that signal: for SIGINT, SIGTERM and SIGHUP that is running the shutdown hooks and
 * exiting, so a handle for them owns the stop. Closing the last handle (and {@link SignalHook})
 * puts the JVM's handling back; an arrival that finds every handle's loop closed and no hook open
 * puts it back too and raises the signal again, so a SIGTERM is never swallowed by a loop that is gone.
 *
 * <p><b>Threads.</b> {@link #open} and {@link #ref()}/{@link #unref()} are loop-thread only ({@link
 * EventLoop#inLoop()}); {@link #close()} and the getters are safe from any thread.
 *
 * {@snippet :
 * SignalHandle reload = SignalHandle.open(loop, Signal.HUP, (handle, count) -> config.reload());
 * reload.unref(); // reload on SIGHUP, but do not keep the loop running for it
 * }
 */
public final class SignalHandle implements AutoCloseable {
    private final EventLoop loop;
    private final Signal signal;
    private final SignalHandler handler;
    private final SignalDispatch dispatch;
    /** What keeps the loop alive: a timer that never fires, referenced as this handle is. */
    private final Timer keepAlive;
    private final Runnable deliver = this::deliver;
    /** Arrivals not yet handed to the handler; the one that makes it non-zero queues a delivery. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean open = true;
    /** Written on the loop thread only. */
    private volatile long received;

    private SignalHandle(EventLoop loop, Signal signal, SignalHandler handler) {
        this.loop = loop;
        this.signal = signal;
        this.handler = handler;
        this.dispatch = SignalDispatch.of(signal);
        this.keepAlive = loop.schedule(ChronoUnit.FOREVER.getDuration(), () -> { });
    }

    /**
     * Starts delivering {@code signal} to {@code handler} on {@code loop}'s thread. Loop thread only.
     *
     * @param loop the loop to deliver on
     * @param signal the signal to deliver
     * @param handler called on the loop thread with each batch of arrivals
     * @return the open handle
     * @throws IllegalStateException off the loop thread, on a loop that is shutting down, or when
     *     the JVM does not let Java handle the signal (started with {@code -Xrs})
     */
    public static SignalHandle open(EventLoop loop, Signal signal, SignalHandler handler) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(handler, "handler");
        if (!loop.inLoop()) {
            throw new IllegalStateException("SignalHandle.open must be called on the thread of loop '" + loop.name()
                    + "', not on '" + Thread.currentThread().getName() + "'; hand it over with loop.execute(...)");
        }
        if (loop.isShuttingDown()) {
            throw new IllegalStateException("loop '" + loop.name() + "' is shutting down; open signal handles before");
        }
        SignalSection.register(loop);
        SignalHandle handle = new SignalHandle(loop, signal, handler);
        try {
            handle.dispatch.add(handle);
        } catch (RuntimeException e) {
            handle.keepAlive.cancel();
            throw e;
        }
        return handle;
    }

    /** {@return the signal this handle delivers} */
    public Signal signal() {
        return signal;
    }

    /** {@return the loop it delivers on} */
    public EventLoop loop() {
        return loop;
    }

    /** {@return whether it still delivers: not closed, and its loop is not shutting down} */
    public boolean isLive() {
        return open && !loop.isShuttingDown();
    }

    /**
     * {@return how many arrivals its handler has been told of, in all: the sum of the counts it was given}
     * Safe from any thread.
     */
    public long received() {
        return received;
    }

    /**
     * Lets this handle keep its loop alive (the default). Loop thread only.
     *
     * @return this handle
     */
    public SignalHandle ref() {
        keepAlive.ref();
        return this;
    }

    /**
     * Stops this handle from keeping its loop alive by itself; it still delivers. Loop thread only.
     *
     * @return this handle
     */
    public SignalHandle unref() {
        keepAlive.unref();
        return this;
    }

    /** {@return whether it keeps its loop alive} */
    public boolean isReferenced() {
        return keepAlive.isReferenced();
    }

    /**
     * Stops delivering (arrivals not yet handed to the handler are dropped) and lets the loop go.
     * Idempotent; safe from any thread.
     */
    @Override
    public void close() {
        if (open) {
            open = false;
            keepAlive.cancel();
            dispatch.remove(this);
        }
    }

    /** One arrival, on a JVM signal thread: whether this handle took it. */
    boolean post() {
        if (!isLive()) {
            return false;
        }
        if (pending.getAndIncrement() == 0) {
            try {
                loop.execute(deliver);
            } catch (RejectedExecutionException e) {
                return false; // the loop began shutting down meanwhile
            }
        }
        return true;
    }

    private void deliver() {
        int count = pending.getAndSet(0);
        if (count > 0 && open) {
            received += count;
            handler.onSignal(this, count);
        }
    }

    @Override
    public String toString() {
        return "SignalHandle[" + signal.signalName() + " on " + loop.name() + (open ? "" : ", closed") + "]";
    }
}
