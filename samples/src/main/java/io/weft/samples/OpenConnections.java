package io.weft.samples;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The open connections of a server, so that a graceful stop can ask each to finish ({@link
 * #drain}) and wait until all have. A server records a connection with {@link #opened} when it
 * opens and forgets it with {@link #closed} once the server is done with it: closed, or closing
 * gracefully (its flush and linger are the connection's own, and {@link GracefulStop} follows
 * them). Thread-safe.
 *
 * @param <C> what the server knows a connection by
 */
public final class OpenConnections<C> implements GracefulStop.Drain {
    private final Map<C, Runnable> open = new ConcurrentHashMap<>();
    private final Object lock = new Object();

    /**
     * Records an open connection. {@code finish} is run once by {@link #drain}, on the draining
     * thread: it must return at once (hand the work to the connection's loop or thread), and make
     * the connection stop starting new requests and close at the next response boundary.
     */
    public void opened(C connection, Runnable finish) {
        open.put(connection, finish);
    }

    /** Forgets a connection that has closed, or begun its graceful close; idempotent. */
    public void closed(C connection) {
        if (open.remove(connection) != null) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** How many connections are open. */
    public int size() {
        return open.size();
    }

    /**
     * Asks every open connection to finish (on its own loop), then waits until all are forgotten or
     * {@code deadlineNanos} ({@link System#nanoTime()}) has passed. Call after the listener is
     * closed, so that no connection opens meanwhile. Returns whether all finished in time.
     */
    @Override
    public boolean drain(long deadlineNanos) throws InterruptedException {
        open.forEach((connection, finish) -> {
            try {
                finish.run();
            } catch (RejectedExecutionException e) {
                // its loop is shutting down: that closes the connection
            }
        });
        synchronized (lock) {
            while (!open.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
        return true;
    }
}
