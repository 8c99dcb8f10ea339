package io.weft.loop.core.exec;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.internal.LoopLocals;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Blocking calls (a JDBC query, a file read, an SDK without an async API) run off the loop, on a
 * bounded set of workers, with their outcome delivered back on the loop thread: libuv's {@code
 * uv_queue_work}, Tornado's {@code run_in_executor}, Vert.x's {@code executeBlocking}.
 *
 * {@snippet :
 * BlockingWork.of(loop)
 *         .submitBlocking(() -> Files.readString(path))          // on a worker (a virtual thread)
 *         .thenAccept(text -> connection.write(ByteBuffer.wrap(text.getBytes(UTF_8)))); // on the loop thread
 * }
 *
 * <p><b>Bounds.</b> At most {@code maxRunning} pieces of work run at once (default 64); up to
 * {@code maxQueued} more wait (default 4096), and a submission beyond that fails at once with a
 * {@link RejectedExecutionException} that says how to make room. Workers are new virtual threads
 * by default, or the tasks of the {@link Executor} you give.
 *
 * <p><b>Order.</b> {@link #submitBlocking(Callable)} runs work in any order, up to {@code
 * maxRunning} at once. {@link #submitBlocking(Object, Callable)} runs the work of one key one at a
 * time, in submission order (per-connection or per-submitter FIFO: pass the connection as the key);
 * work of different keys runs side by side.
 *
 * <p><b>Outcome.</b> The returned {@link LoopFuture} completes on the loop thread with the value or
 * the exception of the work, so its dependents run there. Cancelling it before the work starts
 * skips the work; a running piece of work is not interrupted. If the loop shuts down before the
 * outcome reaches it, the future fails with a {@link RejectedExecutionException} (see {@link
 * LoopFuture#completeOnLoop(Object, Throwable)}). The loop's {@link io.weft.loop.core.TaskDecorator}
 * wraps the work on the submitting thread, so a context captured there is in place on the worker
 * and again on the loop.
 *
 * <p>Thread-safe: submit from any thread, the loop's own included.
 */
public final class BlockingWork {
    private final EventLoop loop;
    private final Executor workers;
    private final int maxRunning;
    private final int maxQueued;
    private final BlockingStats stats = new BlockingStats();
    private final ReentrantLock lock = new ReentrantLock();
    /** Work that may start now: unkeyed work, and the oldest waiting work of each idle key. Guarded by lock. */
    private final ArrayDeque<Job<?>> ready = new ArrayDeque<>();
    /** For each key with work queued or running: the work behind it. Guarded by lock. */
    private final Map<Object, ArrayDeque<Job<?>>> behindKey = new HashMap<>();
    /** Guarded by lock. */
    private int queued;
    /** Guarded by lock. */
    private int running;

    private BlockingWork(Builder builder) {
        this.loop = builder.loop;
        this.maxRunning = builder.maxRunning;
        this.maxQueued = builder.maxQueued;
        this.workers = builder.executor != null ? builder.executor : virtualThreads(loop);
    }

    private static Executor virtualThreads(EventLoop loop) {
        ThreadFactory factory = Thread.ofVirtual().name(loop.name() + "-blocking-", 0).factory();
        return task -> factory.newThread(task).start();
    }

    /**
     * {@return the loop's shared blocking work, with the defaults; created on first use} Safe from any thread.
     *
     * @param loop the loop whose blocking work it is
     */
    public static BlockingWork of(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        return LoopLocals.get(loop, BlockingWork.class, l -> builder(l).build());
    }

    /**
     * {@return a builder of blocking work for {@code loop} with bounds or workers of your choice}
     *
     * @param loop the loop outcomes are delivered on
     */
    public static Builder builder(EventLoop loop) {
        return new Builder(Objects.requireNonNull(loop, "loop"));
    }

    /** {@return the loop outcomes are delivered on} */
    public EventLoop loop() {
        return loop;
    }

    /** {@return the counters; see {@link BlockingStats}} */
    public BlockingStats stats() {
        return stats;
    }

    /**
     * Runs {@code work} on a worker, in no particular order with other work; the future completes
     * on the loop thread.
     *
     * @param <T> the type of the work's result
     * @param work the blocking call; may throw
     * @return completed on the loop thread with the work's result or exception
     * @throws RejectedExecutionException if {@code maxQueued} pieces of work already wait, or the
     *     loop is shutting down
     */
    public <T> LoopFuture<T> submitBlocking(Callable<? extends T> work) {
        return submit(null, work);
    }

    /**
     * Runs {@code work} on a worker after all work submitted earlier with an equal {@code key} has
     * finished, and before any submitted later with it; the future completes on the loop thread.
     *
     * @param <T> the type of the work's result
     * @param key orders the work among work with an equal key ({@code equals}); a user id, a file name
     * @param work the blocking call; may throw
     * @return completed on the loop thread with the work's result or exception
     * @throws RejectedExecutionException if {@code maxQueued} pieces of work already wait, or the
     *     loop is shutting down
     */
    public <T> LoopFuture<T> submitBlocking(Object key, Callable<? extends T> work) {
        return submit(Objects.requireNonNull(key, "key"), work);
    }

    private <T> LoopFuture<T> submit(Object key, Callable<? extends T> work) {
        Objects.requireNonNull(work, "work");
        if (loop.isShuttingDown()) {
            throw new RejectedExecutionException("loop '" + loop.name()
                    + "' is shutting down and takes no more blocking work");
        }
        Job<T> job = new Job<>(key, work, LoopFuture.create(loop), loop.clock().nanoTime());
        job.body = loop.taskDecorator().decorate(() -> run(job));
        List<Job<?>> toStart;
        lock.lock();
        try {
            boolean mustWait = running >= maxRunning || (key != null && behindKey.containsKey(key));
            if (mustWait && queued >= maxQueued) {
                stats.refused();
                throw new RejectedExecutionException("blocking work of loop '" + loop.name() + "' is full: " + queued
                        + " queued and " + running + " running; raise BlockingWork.builder(loop).maxQueued(...) or"
                        + " .maxRunning(...), or slow the producer down");
            }
            queued++;
            stats.accepted();
            if (key == null) {
                ready.addLast(job);
            } else {
                ArrayDeque<Job<?>> behind = behindKey.get(key);
                if (behind != null) {
                    behind.addLast(job);
                } else {
                    behindKey.put(key, new ArrayDeque<>());
                    ready.addLast(job);
                }
            }
            toStart = takeStartable();
        } finally {
            lock.unlock();
        }
        start(toStart);
        return job.future;
    }

    /** Claims the ready work there are workers for. Under the lock. */
    private List<Job<?>> takeStartable() {
        List<Job<?>> toStart = List.of();
        while (running < maxRunning && !ready.isEmpty()) {
            if (toStart.isEmpty()) {
                toStart = new ArrayList<>();
            }
            toStart.add(ready.pollFirst());
            queued--;
            running++;
            stats.started();
        }
        return toStart;
    }

    /** Hands claimed work to workers, outside the lock: an executor may run it inline. */
    private void start(List<Job<?>> jobs) {
        for (Job<?> job : jobs) {
            try {
                workers.execute(job.body);
            } catch (RejectedExecutionException e) {
                job.finish(null, new RejectedExecutionException("the workers of blocking work of loop '" + loop.name()
                        + "' refused it: " + e.getMessage(), e));
                finished(job, loop.clock().nanoTime());
            }
        }
    }

    private <T> void run(Job<T> job) {
        long started = loop.clock().nanoTime();
        if (job.future.isDone()) {
            finished(job, started); // cancelled before it started
            return;
        }
        T value = null;
        Throwable error = null;
        try {
            value = job.work.call();
        } catch (Throwable t) {
            error = t;
        }
        long ended = loop.clock().nanoTime();
        stats.finished(started - job.submittedNanos, ended - started);
        job.finish(value, error);
        release(job);
    }

    private void finished(Job<?> job, long now) {
        stats.finished(now - job.submittedNanos, 0);
        release(job);
    }

    /** Frees the worker of {@code job} and starts what may start now. */
    private void release(Job<?> job) {
        List<Job<?>> toStart;
        lock.lock();
        try {
            running--;
            if (job.key != null) {
                ArrayDeque<Job<?>> behind = behindKey.get(job.key);
                Job<?> next = behind.pollFirst();
                if (next == null) {
                    behindKey.remove(job.key);
                } else {
                    ready.addLast(next);
                }
            }
            toStart = takeStartable();
        } finally {
            lock.unlock();
        }
        start(toStart);
    }

    @Override
    public String toString() {
        return "BlockingWork[" + loop.name() + ", maxRunning=" + maxRunning + ", maxQueued=" + maxQueued + ", " + stats + "]";
    }

    /** One piece of work, from submission to its outcome on the loop. */
    private static final class Job<T> {
        final Object key;
        final Callable<? extends T> work;
        final LoopFuture<T> future;
        final long submittedNanos;
        Runnable body;

        Job(Object key, Callable<? extends T> work, LoopFuture<T> future, long submittedNanos) {
            this.key = key;
            this.work = work;
            this.future = future;
            this.submittedNanos = submittedNanos;
        }

        void finish(T value, Throwable error) {
            future.completeOnLoop(value, error);
        }
    }

    /** Builds a {@link BlockingWork}. Not thread-safe; every setting is optional. */
    public static final class Builder {
        private final EventLoop loop;
        private int maxRunning = 64;
        private int maxQueued = 4096;
        private Executor executor;

        private Builder(EventLoop loop) {
            this.loop = loop;
        }

        /**
         * How many pieces of work may run at once (default 64).
         *
         * @param limit the most pieces running at once, at least 1
         * @return this builder
         */
        public Builder maxRunning(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("maxRunning must be at least 1, got " + limit);
            }
            this.maxRunning = limit;
            return this;
        }

        /**
         * How many more may wait for a worker before submissions are rejected (default 4096; 0: none wait).
         *
         * @param limit the most pieces waiting, 0 or more
         * @return this builder
         */
        public Builder maxQueued(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("maxQueued must be >= 0, got " + limit);
            }
            this.maxQueued = limit;
            return this;
        }

        /**
         * The workers (default: a new virtual thread per piece of work). Each piece of work is one
         * {@code execute}; the executor stays yours to shut down.
         *
         * @param workers runs each piece of work on a thread that may block
         * @return this builder
         */
        public Builder executor(Executor workers) {
            this.executor = Objects.requireNonNull(workers, "workers");
            return this;
        }

        /**
         * Builds it.
         *
         * @return blocking work for the builder's loop
         */
        public BlockingWork build() {
            return new BlockingWork(this);
        }
    }
}
