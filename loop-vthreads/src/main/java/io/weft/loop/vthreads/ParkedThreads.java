package io.weft.loop.vthreads;

import io.weft.loop.core.EventLoop;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The waiters parked on one loop, so that none parks forever once the loop is gone: when the loop
 * terminates (its timers cancelled and queued callbacks dropped, so the outcome a waiter expects
 * may never come), every waiter still here fails with its loop-closed exception.
 *
 * <p>Only waiting threads add and remove (never the loop's own thread, which must not park), and
 * the termination hook only iterates, which takes no lock: so the loop thread never waits on the
 * set's bin locks, and a carried thread never parks while it holds one.
 */
final class ParkedThreads {
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private volatile boolean terminated;

    private ParkedThreads(EventLoop loop) {
        loop.terminationFuture().whenComplete((ignored, error) -> {
            terminated = true;
            for (Waiter waiter : waiters) {
                waiter.failLoopClosed();
            }
        });
    }

    static ParkedThreads of(EventLoop loop) {
        return loop.localState(ParkedThreads.class, ParkedThreads::new);
    }

    /** Adds a waiter; fails it at once if the loop has already terminated. */
    void add(Waiter waiter) {
        waiters.add(waiter);
        if (terminated) {
            waiter.failLoopClosed(); // the hook may have run before the add
        }
    }

    void remove(Waiter waiter) {
        waiters.remove(waiter);
    }

    int size() {
        return waiters.size();
    }
}
