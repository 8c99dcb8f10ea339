package io.weft.loop.core;

import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The loop's watchers unit (libuv's {@code uv__io_*} and closing handles): the token table, the
 * change list flushed to the poller in one batch, dispatch of ready events, and the closing list
 * whose callbacks run in the close phase. Loop thread only, but for the requests of the watchers
 * themselves: their loop-thread-only calls are checked here, and a close from any thread is done
 * now or handed to the loop thread.
 */
final class Watchers {
    private final Poller poller;
    private final LoopStats stats;
    private final Consumer<Runnable> runTask;
    private final BiConsumer<Object, Throwable> errors;
    private final LoopThread thread;
    /** Queues a command for the loop thread and wakes it. */
    private final Consumer<Runnable> submit;
    private final WatcherTable table = new WatcherTable();
    private final Map<PollSource, Watcher> bySource = new HashMap<>();
    private ArrayList<Watcher> changed = new ArrayList<>();
    private ArrayList<Watcher> spareChanged = new ArrayList<>();
    private ArrayList<Watcher> closing = new ArrayList<>();
    private ArrayList<Watcher> spareClosing = new ArrayList<>();
    private int referenced;

    /**
     * {@code runTask} runs a close callback with the loop's error handling; {@code errors} takes
     * what a handler or the poller threw.
     */
    Watchers(Poller poller, LoopStats stats, Consumer<Runnable> runTask, BiConsumer<Object, Throwable> errors,
            LoopThread thread, Consumer<Runnable> submit) {
        this.poller = poller;
        this.stats = stats;
        this.runTask = runTask;
        this.errors = errors;
        this.thread = thread;
        this.submit = submit;
    }

    /**
     * Opens a watcher on {@code source}, armed at the next flush.
     *
     * @throws IllegalStateException if the source is watched already
     * @throws IllegalArgumentException if the poller cannot watch it
     */
    Watcher open(EventLoop loop, PollSource source, int bits, WatcherHandler handler) {
        if (bySource.containsKey(source)) {
            throw new IllegalStateException(source + " is already watched by loop '" + loop.name()
                    + "'; change its interest with Watcher.start(...) or close that watcher first");
        }
        try {
            poller.validate(source);
        } catch (IOException e) {
            throw new IllegalArgumentException("loop '" + loop.name() + "' cannot watch " + source + ": " + e.getMessage(), e);
        }
        long token = table.reserve();
        Watcher watcher = new Watcher(loop, this, source, handler, (int) token, token);
        table.put(watcher);
        bySource.put(source, watcher);
        stats.set(LoopStats.LIVE_WATCHERS, table.size());
        want(watcher, bits);
        return watcher;
    }

    /** Changes what an open watcher wants; the poller learns it at the next flush. */
    void want(Watcher watcher, int bits) {
        boolean held = watcher.holdsLoop();
        if (watcher.want(bits)) {
            changed.add(watcher);
        }
        recount(watcher, held);
    }

    void setReferenced(Watcher watcher, boolean keepsLoopAlive) {
        boolean held = watcher.holdsLoop();
        watcher.setReferenced(keepsLoopAlive);
        recount(watcher, held);
    }

    private void recount(Watcher watcher, boolean held) {
        referenced += (watcher.holdsLoop() ? 1 : 0) - (held ? 1 : 0);
    }

    /** Tells the poller every interest that changed since the last flush, in one batch. */
    void flush() {
        if (changed.isEmpty()) {
            return;
        }
        ArrayList<Watcher> batch = changed;
        changed = spareChanged;
        for (int i = 0, n = batch.size(); i < n; i++) {
            Watcher watcher = batch.get(i);
            if (watcher.takeChange()) {
                try {
                    poller.update(watcher.source, watcher.token, watcher.armed(), watcher.wanted());
                    watcher.markArmed();
                } catch (IOException | RuntimeException e) {
                    close(watcher, null);
                    errors.accept(watcher, e instanceof IOException io
                            ? new UncheckedIOException("arming " + watcher + " failed; it was closed", io) : e);
                }
            }
        }
        batch.clear();
        spareChanged = batch;
    }

    /** Closes an open watcher now (a no-op otherwise); {@code onClosed} runs in the close phase. */
    void close(Watcher watcher, Runnable onClosed) {
        if (!watcher.isOpen()) {
            return;
        }
        if (watcher.holdsLoop()) {
            referenced--;
        }
        int armed = watcher.beginClosing(onClosed);
        try {
            poller.release(watcher.source, armed);
        } catch (IOException | RuntimeException e) {
            errors.accept(watcher, e instanceof IOException io
                    ? new UncheckedIOException("releasing " + watcher + " failed", io) : e);
        }
        table.remove(watcher);
        bySource.remove(watcher.source);
        stats.set(LoopStats.LIVE_WATCHERS, table.size());
        closing.add(watcher);
    }

    /** Delivers the ready events to their watchers, masked by what each wants now; then clears them. */
    void dispatch(ReadyEvents ready) {
        int events = 0;
        for (int i = 0, n = ready.size(); i < n; i++) {
            Watcher watcher = table.lookup(ready.token(i));
            if (watcher == null) {
                continue; // closed earlier in this batch, or a stale generation
            }
            int ops = ready.readyOps(i) & watcher.wanted();
            if (ops == 0) {
                continue;
            }
            events++;
            stats.enterTask(watcher.handler);
            try {
                watcher.handler.onReady(watcher, Interest.ofBits(ops));
            } catch (Throwable e) {
                errors.accept(watcher.handler, e);
            } finally {
                stats.exitTask();
            }
        }
        ready.clear();
        stats.add(LoopStats.IO_EVENTS, events);
    }

    /** Runs the close callbacks of the watchers closed so far (ones closed meanwhile wait). */
    void runCloseCallbacks() {
        if (closing.isEmpty()) {
            return;
        }
        ArrayList<Watcher> batch = closing;
        closing = spareClosing;
        int callbacks = 0;
        for (int i = 0, n = batch.size(); i < n; i++) {
            Runnable onClosed = batch.get(i).finishClosing();
            if (onClosed != null) {
                callbacks++;
                runTask.accept(onClosed);
            }
        }
        batch.clear();
        spareClosing = batch;
        stats.add(LoopStats.CALLBACKS_RUN, callbacks);
    }

    /** Whether a closing watcher waits for its close phase. */
    boolean isClosing() {
        return !closing.isEmpty();
    }

    /** Whether an active, referenced watcher keeps the loop alive. */
    boolean holdLoop() {
        return referenced > 0;
    }

    /** Tells every handler the loop is closing, closes every watcher and runs every close callback. */
    void closeAll() {
        for (Watcher watcher : table.snapshot()) {
            try {
                watcher.handler.onLoopClosing(watcher);
            } catch (Throwable e) {
                errors.accept(watcher.handler, e);
            }
            close(watcher, null);
        }
        while (isClosing()) {
            runCloseCallbacks();
        }
    }

    // ---------------------------------------------------------------- requests of the watchers themselves

    /** A watcher's start or stop: loop thread only ({@code what} names the call). */
    void changeInterest(Watcher watcher, int bits, String what) {
        thread.check(what);
        if (!watcher.isOpen()) {
            if (bits == 0) {
                return;
            }
            throw new IllegalStateException("watcher is closed; create a new one with loop.watch(...)");
        }
        want(watcher, bits);
    }

    /** A watcher's ref or unref: loop thread only. */
    void changeReferenced(Watcher watcher, boolean referenced) {
        thread.check(referenced ? "Watcher.ref()" : "Watcher.unref()");
        setReferenced(watcher, referenced);
    }

    /**
     * A watcher's close, from any thread: done now by the thread holding the loop (or the idle
     * owner, briefly holding it), else handed to the loop thread unless the loop has closed.
     */
    void requestClose(Watcher watcher, Runnable onClosed) {
        if (thread.runsHere()) {
            close(watcher, onClosed);
        } else if (thread.tryHoldBriefly()) {
            try {
                close(watcher, onClosed);
            } finally {
                thread.releaseBriefly();
            }
        } else if (thread.lifecycle() != LoopThread.CLOSED) {
            submit.accept((Callbacks.Command) () -> close(watcher, onClosed));
        }
    }
}
