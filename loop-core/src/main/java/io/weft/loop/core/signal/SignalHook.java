package io.weft.loop.core.signal;

import java.util.Objects;

/**
 * A process-level handler of a signal, run on the JVM's signal thread instead of a loop: for what
 * must happen even when every loop is stuck, such as the last-resort stop of a service (its
 * {@code main} installs one for SIGTERM and SIGINT that stops, with a bound, and halts).
 * Prefer a {@link SignalHandle} for everything else: it runs on the loop thread, with the loop's
 * state in reach.
 *
 * <p><b>Delivery.</b> Each arrival runs the action once, on a thread the JVM starts for it, so
 * arrivals may run concurrently; the action must be quick and thread-safe. Hooks and handles of
 * one signal coexist: an arrival runs every open hook and reaches every open handle. While a hook
 * is open it replaces what the JVM did on the signal (for SIGINT, SIGTERM and SIGHUP: running the
 * shutdown hooks and exiting), as a handle does; closing the last hook and handle puts that back.
 *
 * {@snippet :
 * SignalHook stop = SignalHook.install(Signal.TERM, () -> stopper.begin()); // stopper: your own stop
 * }
 */
public final class SignalHook implements AutoCloseable {
    private final Signal signal;
    private final Runnable action;
    private final SignalDispatch dispatch;
    private volatile boolean open = true;

    private SignalHook(Signal signal, Runnable action) {
        this.signal = signal;
        this.action = action;
        this.dispatch = SignalDispatch.of(signal);
    }

    /**
     * Runs {@code action} on each arrival of {@code signal} from now until {@link #close()}. Safe
     * from any thread.
     *
     * @param signal the signal to handle
     * @param action what each arrival runs, on a JVM signal thread; what it throws goes to that
     *     thread's uncaught-exception handler, and the other hooks of the signal still run
     * @return the open hook; close it to stop handling the signal
     * @throws IllegalStateException when the JVM does not let Java handle the signal (started with
     *     {@code -Xrs}), or when the process ignores a shutdown signal (started with {@code nohup},
     *     or in the background of a script for SIGINT) and the JVM keeps it ignored
     */
    public static SignalHook install(Signal signal, Runnable action) {
        SignalHook hook = new SignalHook(Objects.requireNonNull(signal, "signal"), Objects.requireNonNull(action, "action"));
        hook.dispatch.add(hook);
        return hook;
    }

    /** {@return the signal this hook handles} */
    public Signal signal() {
        return signal;
    }

    /** {@return whether it still runs its action: not closed} */
    public boolean isOpen() {
        return open;
    }

    /** Stops running the action; an arrival already running it finishes. Idempotent; safe from any thread. */
    @Override
    public void close() {
        if (open) {
            open = false;
            dispatch.remove(this);
        }
    }

    /** One arrival, on a JVM signal thread. */
    void run() {
        if (open) {
            action.run();
        }
    }

    @Override
    public String toString() {
        return "SignalHook[" + signal.signalName() + (open ? "" : ", closed") + "]";
    }
}
