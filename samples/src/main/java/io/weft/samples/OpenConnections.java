package io.weft.samples;

import io.weft.loop.core.net.TcpConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The open connections of a callback-style server, so that a graceful stop can ask each to finish
 * ({@link #drain}): its handler closes the connection at the next response boundary, and {@link
 * TcpConnection#close()} flushes what is queued before the socket goes. Handlers call {@link
 * #opened} from {@code onOpen} and {@link #closed} from {@code onClose}. Thread-safe.
 */
public final class OpenConnections implements GracefulStop.Drain {
    /** A handler that can be asked to finish. */
    @FunctionalInterface
    public interface Finishing {
        /**
         * Called once, on the connection's loop: stop starting new requests, close the connection
         * now if no request is in progress, else right after its response.
         */
        void finish(TcpConnection connection);
    }

    private final Map<TcpConnection, Finishing> open = new ConcurrentHashMap<>();
    private final Object lock = new Object();

    /** Records an open connection; from the handler's {@code onOpen}. */
    public void opened(TcpConnection connection, Finishing handler) {
        open.put(connection, handler);
    }

    /** Forgets a closed connection; from the handler's {@code onClose}. */
    public void closed(TcpConnection connection) {
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
     * Asks every open connection to finish (on its own loop), then waits until all have closed or
     * {@code deadlineNanos} ({@link System#nanoTime()}) has passed. Call after the listener is
     * closed, so that no connection opens meanwhile. Returns whether all closed in time.
     */
    @Override
    public boolean drain(long deadlineNanos) throws InterruptedException {
        open.forEach((connection, handler) -> {
            try {
                connection.loop().execute(() -> {
                    if (connection.isOpen()) {
                        handler.finish(connection);
                    }
                });
            } catch (RejectedExecutionException e) {
                // the loop is shutting down: it closes the connection itself
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
