package io.weft.loop.core;

import io.weft.loop.core.spi.PollSource;
import java.time.Duration;
import java.util.Objects;

/**
 * Watches one source (a channel or a file descriptor) for readiness on an {@link EventLoop}, like
 * libuv's {@code uv_poll_t}.
 *
 * <p><b>Threads.</b> {@link #start}, {@link #stop}, {@link #ref} and {@link #unref} are loop-thread
 * only and fail fast elsewhere; {@link #close()} is safe from any thread. The handler runs on the
 * loop thread.
 *
 * <p><b>Batching.</b> Interest changes take effect in one batch before the loop next polls, and
 * only where the armed interest really changes. Dispatch masks readiness with the interest wanted
 * at that moment, so a watcher stopped or closed earlier in the same iteration gets nothing.
 *
 * <p><b>Lifecycle.</b> Closing deregisters the source from the poller at once (the owner may close
 * the source right after) and runs the optional close callback in the loop's close phase. The
 * watcher never closes its source.
 */
public final class Watcher {
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private final EventLoop loop;
    private final Watchers watchers;
    final PollSource source;
    final WatcherHandler handler;
    final int slot;
    final long token;
    private int wanted;
    private int armed;
    /** Whether it is on the loop's change list. */
    private boolean queued;
    private boolean referenced = true;
    private Runnable onClosed;
    private volatile int state;
    /** When it was opened, in loop-clock nanoseconds, for its age in a {@link LoopSnapshot}. */
    final long openedNanos;
    private String kind = "watcher";
    private String name;

    Watcher(EventLoop loop, Watchers watchers, PollSource source, WatcherHandler handler, int slot, long token) {
        this.loop = loop;
        this.openedNanos = loop.now();
        this.watchers = watchers;
        this.source = source;
        this.handler = handler;
        this.slot = slot;
        this.token = token;
    }

    int wanted() {
        return wanted;
    }

    int armed() {
        return armed;
    }

    boolean isOpen() {
        return state == OPEN;
    }

    /** Whether it keeps the loop alive: open, wanting something, referenced. */
    boolean holdsLoop() {
        return state == OPEN && wanted != 0 && referenced;
    }

    /** Wants {@code bits} from now on; whether it must join the change list (it is not on it yet). */
    boolean want(int bits) {
        wanted = bits;
        if (armed == bits || queued) {
            return false;
        }
        queued = true;
        return true;
    }

    /** Leaves the change list; whether the poller must be told its new interest. */
    boolean takeChange() {
        queued = false;
        return state == OPEN && armed != wanted;
    }

    /** The poller now watches for what it wants. */
    void markArmed() {
        armed = wanted;
    }

    /** Sets whether it keeps the loop alive. */
    void setReferenced(boolean keepsLoopAlive) {
        referenced = keepsLoopAlive;
    }

    /**
     * Begins closing: it wants nothing and will run {@code callback} in the close phase.
     *
     * @return the interest the poller had armed, for releasing it
     */
    int beginClosing(Runnable callback) {
        state = CLOSING;
        wanted = 0;
        onClosed = callback;
        int wasArmed = armed;
        armed = 0;
        return wasArmed;
    }

    /** Finishes closing; returns the close callback to run, or null. */
    Runnable finishClosing() {
        state = CLOSED;
        Runnable callback = onClosed;
        onClosed = null;
        return callback;
    }

    /**
     * Starts watching for {@code interest}, or changes what is watched for. Loop thread only.
     *
     * @param interest what to wait for from now on
     * @return this watcher
     * @throws IllegalArgumentException if {@code interest} is {@link Interest#NONE} (use {@link #stop()})
     * @throws IllegalStateException if the watcher is closed or this is not the loop thread
     */
    public Watcher start(Interest interest) {
        Objects.requireNonNull(interest, "interest");
        if (interest.isNone()) {
            throw new IllegalArgumentException("interest must be READABLE, WRITABLE or BOTH; use stop() to pause");
        }
        watchers.changeInterest(this, interest.bits(), "Watcher.start");
        return this;
    }

    /**
     * Stops watching until the next {@link #start}; a no-op on a closed watcher. Loop thread only.
     *
     * @return this watcher
     */
    public Watcher stop() {
        watchers.changeInterest(this, 0, "Watcher.stop");
        return this;
    }

    /** {@return what the watcher waits for now; {@link Interest#NONE} when stopped or closed} */
    public Interest interest() {
        return Interest.ofBits(wanted);
    }

    /** {@return whether it waits for something and is open, i.e. can receive events} */
    public boolean isActive() {
        return state == OPEN && wanted != 0;
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return state != OPEN;
    }

    /** {@return the source this watcher watches} */
    public PollSource source() {
        return source;
    }

    /** {@return the loop this watcher belongs to} */
    public EventLoop loop() {
        return loop;
    }

    /** Closes the watcher; safe from any thread and idempotent. */
    public void close() {
        close(null);
    }

    /**
     * Closes the watcher and runs {@code onClosed} on the loop thread in the close phase of this
     * iteration (or of the next, when called from another thread). Idempotent: a second call does
     * nothing, and its callback never runs.
     *
     * @param onClosed run once the watcher is closed, on the loop thread
     */
    public void close(Runnable onClosed) {
        watchers.requestClose(this, onClosed);
    }

    /**
     * Lets an active watcher keep the loop alive (the default). Loop thread only.
     *
     * @return this watcher
     */
    public Watcher ref() {
        watchers.changeReferenced(this, true);
        return this;
    }

    /**
     * Lets the loop's {@link RunMode#DEFAULT} run end even while this watcher is active.
     *
     * @return this watcher
     */
    public Watcher unref() {
        watchers.changeReferenced(this, false);
        return this;
    }

    /** {@return whether an active watcher keeps the loop alive} */
    public boolean isReferenced() {
        return referenced;
    }

    /**
     * Names this watcher in the loop's {@link LoopSnapshot} (for example what it serves); without a
     * name the snapshot shows its handler's {@code toString()}. Loop thread only.
     *
     * @param watcherName the name shown in snapshots
     * @return this watcher
     * @throws IllegalStateException if this is not the loop thread
     */
    public Watcher name(String watcherName) {
        watchers.checkThread("Watcher.name(String)");
        this.name = Objects.requireNonNull(watcherName, "name");
        return this;
    }

    /**
     * Says what this watcher is in the loop's {@link LoopSnapshot}: {@code "watcher"} unless set,
     * {@code "connection"} and {@code "listener"} for the TCP ones. Loop thread only.
     *
     * @param watcherKind the kind shown in snapshots
     * @return this watcher
     * @throws IllegalStateException if this is not the loop thread
     */
    public Watcher kind(String watcherKind) {
        watchers.checkThread("Watcher.kind(String)");
        this.kind = Objects.requireNonNull(watcherKind, "kind");
        return this;
    }

    /** What this watcher is shown as in a snapshot: {@link #name(String)}, else its handler's {@code toString()}. */
    HandleView view(long now) {
        return new HandleView(kind, name != null ? name : String.valueOf(handler), referenced, isActive(),
                interest().toString(), Duration.ofNanos(Math.max(0, now - openedNanos)));
    }

    @Override
    public String toString() {
        return "Watcher[" + source + ", " + interest() + (state == OPEN ? "" : ", closed") + "]";
    }
}
