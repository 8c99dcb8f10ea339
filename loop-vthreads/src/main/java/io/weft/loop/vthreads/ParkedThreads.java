package io.weft.loop.vthreads;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.internal.LoopLocals;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The waiters parked on one loop, so that none parks forever once the loop is gone: when the loop
 * terminates (its timers cancelled and queued callbacks dropped, so the outcome a waiter expects
 * may never come), every waiter still here fails with its loop-closed exception.
 *
 * <p>Only waiting threads add and remove (never the loop's own thread, which must not park), and
 * the termination hook only iterates, which takes no lock: so the loop thread never waits on the
 * set's bin locks, and a carried thread never parks while it holds one. The loop's snapshots list
 * them (section {@value #SECTION}, see {@link io.weft.loop.core.LoopView}), iterating the same way.
 */
final class ParkedThreads {
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    /** The section of the loop's snapshot that names the parked threads. */
    static final String SECTION = "parked virtual threads";

    private volatile boolean terminated;

    private ParkedThreads(EventLoop loop) {
        loop.view().contribute(SECTION, this::names);
        loop.terminationFuture().whenComplete((ignored, error) -> {
            terminated = true;
            for (Waiter waiter : waiters) {
                waiter.failLoopClosed();
            }
        });
    }

    static ParkedThreads of(EventLoop loop) {
        return LoopLocals.get(loop, ParkedThreads.class, ParkedThreads::new);
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

    /** The parked threads, one line each (for a snapshot, on the loop thread; takes no lock). */
    private List<String> names() {
        List<String> names = new ArrayList<>();
        for (Waiter waiter : waiters) {
            names.add(waiter.thread.toString());
        }
        return names;
    }

    int size() {
        return waiters.size();
    }
}
