package io.weft.loop.core.signal;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The process-wide side of one signal: installs the JVM handler ({@link JvmSignals}) when
 * the first handle or hook opens, posts each arrival to every open handle (each hands it to its own
 * loop) and runs every open {@link SignalHook}, and puts the previous handler back when the last
 * handle or hook closes or the last handle's loop has gone.
 *
 * <p>The JVM runs a handler on a new thread per arrival, so arrivals may be posted concurrently.
 */
final class SignalDispatch {
    private static final Map<Signal, SignalDispatch> BY_SIGNAL = new EnumMap<>(Signal.class);

    static {
        for (Signal signal : Signal.values()) {
            BY_SIGNAL.put(signal, new SignalDispatch(signal));
        }
    }

    private final Signal signal;
    private final CopyOnWriteArrayList<SignalHandle> handles = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<SignalHook> hooks = new CopyOnWriteArrayList<>();
    /** The handler ours replaced; non-null exactly while ours is installed. Guarded by this. */
    private Object previous;

    private SignalDispatch(Signal signal) {
        this.signal = signal;
    }

    static SignalDispatch of(Signal signal) {
        return BY_SIGNAL.get(signal);
    }

    /** The handles of this signal on every loop, as they are now; any thread, no lock. */
    List<SignalHandle> handles() {
        return handles;
    }

    /** Whether the JVM handler of this signal is ours now (for tests). */
    synchronized boolean installed() {
        return previous != null;
    }

    /** Adds an open handle, installing our JVM handler if it is the first handle or hook. */
    synchronized void add(SignalHandle handle) {
        handles.removeIf(h -> !h.isLive());
        installIfNeeded();
        handles.add(handle);
    }

    /** Adds an open hook, installing our JVM handler if it is the first handle or hook. */
    synchronized void add(SignalHook hook) {
        installIfNeeded();
        hooks.add(hook);
    }

    private void installIfNeeded() {
        if (previous == null) {
            Object replaced = install(null);
            if (JvmSignals.isIgnored(replaced) && signal.isShutdownSignal()) {
                install(replaced); // the JVM leaves an ignored shutdown signal ignored: ours is not in place
                throw new IllegalStateException(signal.signalName() + " is ignored by this process (started with"
                        + " nohup, or by a parent that ignores it), and the JVM keeps it ignored; start it without"
                        + " that, or use " + Signal.USR1.signalName());
            }
            previous = replaced;
        }
    }

    /** Removes a handle; the last handle or hook out puts the previous handler back. */
    synchronized void remove(SignalHandle handle) {
        if (handles.remove(handle)) {
            restoreIfUnused();
        }
    }

    /** Removes a hook; the last handle or hook out puts the previous handler back. */
    synchronized void remove(SignalHook hook) {
        if (hooks.remove(hook)) {
            restoreIfUnused();
        }
    }

    private void restoreIfUnused() {
        if (handles.isEmpty() && hooks.isEmpty() && previous != null) {
            restore();
        }
    }

    /** Installs {@code handler}, or ours when it is null; returns the handler before. */
    private Object install(Object handler) {
        try {
            return handler == null ? JvmSignals.handle(signal.name(), this::arrived) : JvmSignals.set(signal.name(), handler);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(signal.signalName() + " cannot be handled in this JVM (" + e.getMessage()
                    + "); was it started with -Xrs, which leaves the shutdown signals to native code?", e);
        }
    }

    private void restore() {
        install(previous);
        previous = null;
    }

    /**
     * One arrival, on a JVM signal thread: posted to the handles, then run by the hooks. When no
     * handle can take it any more (their loops have all closed) and no hook is open, the previous
     * handler is put back and the signal raised again, so that it has the effect it would have had
     * without us (a SIGTERM still ends the JVM).
     */
    private void arrived() {
        boolean taken = false;
        for (SignalHandle handle : handles) {
            taken |= handle.post();
        }
        for (SignalHook hook : hooks) {
            taken = true;
            try {
                hook.run();
            } catch (Throwable t) { // the hooks after it still run
                Thread current = Thread.currentThread();
                current.getUncaughtExceptionHandler().uncaughtException(current, t);
            }
        }
        if (!taken) {
            synchronized (this) {
                handles.removeIf(h -> !h.isLive());
                if (!handles.isEmpty() || !hooks.isEmpty() || previous == null) {
                    return; // a handle or hook opened meanwhile, or the last one closed as this arrived
                }
                restore();
            }
            JvmSignals.raise(signal.name());
        }
    }
}
