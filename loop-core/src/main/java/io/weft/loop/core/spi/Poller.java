package io.weft.loop.core.spi;

import java.io.IOException;

/**
 * A readiness backend: it arms interest in sources and waits until some are ready.
 *
 * <p><b>Threads.</b> Every method but {@link #wakeup()} is called by the loop thread only;
 * {@code wakeup()} may be called from any thread, at any time, also before or after a poll.
 *
 * <p><b>Tokens.</b> The caller chooses a {@code long} token per registration and gets it back with
 * every event of that source; the poller keeps no map from sources to owners (mio's design). The
 * loop puts a generation in the token, so an event for a source that was closed and whose fd was
 * reused within one batch can be recognised as stale.
 *
 * <p><b>Ops.</b> {@link #READABLE} and {@link #WRITABLE} bits. A poller reports errors and hang-ups
 * as both bits, as libuv does; the loop masks the result with what the watcher wants. Registrations
 * are level-triggered: a source stays ready until its condition is consumed.
 */
public interface Poller extends AutoCloseable {

    /** Ready to read, or to accept on a listening socket. */
    int READABLE = 1;

    /** Ready to write, or a pending connect finished. */
    int WRITABLE = 2;

    /**
     * Checks, before a watcher is created, that this poller can watch {@code source} (libuv checks
     * an fd the same way in {@code uv_poll_init}). A {@linkplain PollSource#ofKnownPollableFd known
     * pollable} fd is trusted without a probe: the kind of source is still checked.
     *
     * @param source the source a watcher is about to be made for
     * @throws UnsupportedOperationException if this poller cannot watch this kind of source, naming
     *     the poller to use instead
     * @throws IOException if the source cannot be polled (closed, not pollable)
     */
    void validate(PollSource source) throws IOException;

    /**
     * Changes what the poller watches for on {@code source} from {@code armedOps} (what the last
     * call armed, 0 when it is not armed) to {@code wantedOps} (0 to stop watching it for now).
     * The loop calls this only when the two differ.
     *
     * @param source the source
     * @param token the loop's token of the source, reported back with its events
     * @param armedOps the ops armed now ({@link #READABLE}, {@link #WRITABLE}), 0 for none
     * @param wantedOps the ops to arm, 0 for none
     * @throws IOException if the backend refuses, naming the call and the reason
     * @throws UnsupportedOperationException if this poller cannot watch this kind of source
     */
    void update(PollSource source, long token, int armedOps, int wantedOps) throws IOException;

    /**
     * Forgets {@code source} for good: its watcher is closing. Called before the owner closes the
     * source, so the backend can still name it.
     *
     * @param source the source to forget
     * @param armedOps the ops armed now, 0 for none
     * @throws IOException if the backend refuses; the loop reports it and closes the watcher anyway
     */
    void release(PollSource source, int armedOps) throws IOException;

    /**
     * Waits until a source is ready, {@link #wakeup()} is called, or the timeout passes, and
     * appends the ready events to {@code ready}. An interrupted wait (EINTR) is retried inside
     * with the time that is left.
     *
     * @param ready where the ready events are appended
     * @param timeoutNanos 0 to return at once, a negative value to wait without bound
     * @throws IOException if the wait fails for a reason other than an interruption
     */
    void poll(long timeoutNanos, ReadyEvents ready) throws IOException;

    /**
     * Makes the current or the next {@link #poll} return soon. Safe from any thread; the loop
     * calls it at most once per blocked poll.
     */
    void wakeup();

    /** Releases the backend's resources. Called once, by the loop thread, when the loop closes. */
    @Override
    void close();
}
