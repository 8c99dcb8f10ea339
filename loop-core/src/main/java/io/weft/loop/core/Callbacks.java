package io.weft.loop.core;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The loop's callbacks unit: tasks queued by the loop thread (a plain deque) and by other threads
 * (the lock-free {@link CallbackQueue}), run in the callbacks phase, and drained when the loop
 * closes. Loop thread only, except {@link #addRemote} and {@link #sizeEstimate}.
 */
final class Callbacks {
    /**
     * Work the loop owes to another thread's call (a timer to insert or cancel, a watcher to
     * close): unlike a user's task, closing the loop does it instead of dropping it.
     */
    interface Command extends Runnable {
    }

    private final CallbackQueue remote;
    private final ArrayDeque<Runnable> local = new ArrayDeque<>(256);
    private final LoopStats stats;
    private final Consumer<Runnable> runTask;

    /** {@code runTask} runs a task with the loop's error handling. */
    Callbacks(CallbackQueue remote, LoopStats stats, Consumer<Runnable> runTask) {
        this.remote = remote;
        this.stats = stats;
        this.runTask = runTask;
    }

    /** Queues a task of the loop thread. */
    void addLocal(Runnable task) {
        local.addLast(task);
        stats.set(LoopStats.LOCAL_PENDING, local.size());
    }

    /** Queues a task of another thread; lock-free. */
    void addRemote(Runnable task) {
        remote.offer(task);
    }

    boolean hasPending() {
        return !local.isEmpty() || !remote.isEmpty();
    }

    /**
     * Runs the tasks queued before this phase began; what they queue waits for the next one, so a
     * task that re-queues itself cannot starve I/O.
     *
     * @return whether any ran
     */
    boolean runQueued() {
        int localCount = local.size();
        long remoteCount = remote.sizeEstimate();
        for (int i = 0; i < localCount; i++) {
            runTask.accept(local.pollFirst());
        }
        long ran = localCount;
        for (; remoteCount > 0; remoteCount--) {
            Runnable task = remote.poll();
            if (task == null) {
                break; // claimed but not yet published: it runs next iteration
            }
            runTask.accept(task);
            ran++;
        }
        stats.add(LoopStats.CALLBACKS_RUN, ran);
        stats.set(LoopStats.LOCAL_PENDING, local.size());
        return ran > 0;
    }

    /**
     * Closing: runs every queued {@link Command} and drops every other task.
     *
     * @return how many tasks it dropped
     */
    int drainForClose() {
        int dropped = local.size();
        local.clear();
        for (Runnable task; (task = remote.poll()) != null; ) {
            if (task instanceof Command) {
                runTask.accept(task);
            } else {
                dropped++;
            }
        }
        stats.set(LoopStats.LOCAL_PENDING, 0);
        return dropped;
    }
}
