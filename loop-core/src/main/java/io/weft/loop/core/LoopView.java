package io.weft.loop.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The live view of one loop ({@link EventLoop#view()}): {@link LoopSnapshot}s taken from any
 * thread, and the sections libraries add to them.
 *
 * <p>A snapshot is built on the loop thread, between two tasks, so it reads the loop's units as
 * they are; another thread hands the work to the loop and waits at most a timeout. A loop that
 * does not answer in time (it is blocked in a task, or not running) gets a partial snapshot, read
 * without it: its counters, and the task it is stuck in when it tracks tasks ({@link
 * LoopStats#trackTasks()}).
 *
 * {@snippet :
 * LoopSnapshot snapshot = loop.view().snapshot(Duration.ofMillis(100));
 * System.err.println(snapshot); // or snapshot.toJson()
 * }
 */
public final class LoopView {
    /** How many of the earliest timers a snapshot lists. */
    public static final int NEXT_TIMERS = 5;

    private final EventLoop loop;
    private final LoopThread thread;
    private final LoopStats stats;
    private final Timers timers;
    private final Watchers watchers;
    /** Queues a task for the loop thread and wakes it, even while the loop shuts down. */
    private final Consumer<Runnable> submit;
    private final Map<String, Supplier<List<String>>> sections = new ConcurrentHashMap<>();

    LoopView(EventLoop loop, LoopThread thread, LoopStats stats, Timers timers, Watchers watchers,
            Consumer<Runnable> submit) {
        this.loop = loop;
        this.thread = thread;
        this.stats = stats;
        this.timers = timers;
        this.watchers = watchers;
        this.submit = submit;
    }

    /**
     * A snapshot of the loop, waiting at most {@code timeout} for the loop thread to build it; safe
     * from any thread. On the loop thread (or from the thread that owns an idle loop) it is built at
     * once. Never throws for a loop that is blocked, closed or not running: the snapshot says the
     * loop did not answer, and why. A loop thread that asks another loop blocks for up to {@code
     * timeout}: keep it short there.
     *
     * @param timeout how long to wait for the loop thread
     * @return the snapshot, or one that says the loop did not answer and why
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public LoopSnapshot snapshot(Duration timeout) {
        long timeoutNanos = Timers.delayNanos(timeout, "timeout");
        if (thread.lifecycle() == LoopThread.CLOSED) {
            return partial("the loop is closed");
        }
        if (thread.runsHere()) {
            return build();
        }
        if (thread.tryHoldBriefly()) {
            try {
                return build();
            } finally {
                thread.releaseBriefly();
            }
        }
        CompletableFuture<LoopSnapshot> built = new CompletableFuture<>();
        // a command: a loop that closes before its callbacks phase still answers while closing
        submit.accept((Callbacks.Command) () -> built.complete(build()));
        try {
            return built.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return partial(thread.holder() == null ? "the loop is not running"
                    : "the loop did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return partial("interrupted while waiting for the loop");
        } catch (ExecutionException e) {
            return partial("building the snapshot failed: " + e.getCause());
        }
    }

    /**
     * Adds a section to every snapshot of this loop: {@code lines} is called on the loop thread
     * while a snapshot is built, must not block, and returns the section's lines (for example the
     * virtual threads parked on the loop). Safe from any thread. What it throws becomes the
     * section's only line.
     *
     * @param section the section's name, its heading in the snapshot
     * @param lines gives the section's lines
     * @throws IllegalStateException if the section is already contributed; one owner per name
     */
    public void contribute(String section, Supplier<List<String>> lines) {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(lines, "lines");
        if (sections.putIfAbsent(section, lines) != null) {
            throw new IllegalStateException("loop '" + loop.name() + "' already has a snapshot section '" + section
                    + "'; contribute each section once per loop (from an object made once per loop)");
        }
    }

    /** The full snapshot; on the loop thread (or while holding the idle loop). */
    private LoopSnapshot build() {
        long now = loop.now();
        Map<String, List<String>> added = new LinkedHashMap<>();
        sections.forEach((name, lines) -> {
            try {
                added.put(name, List.copyOf(lines.get()));
            } catch (RuntimeException e) {
                added.put(name, List.of("the section failed: " + e));
            }
        });
        return new LoopSnapshot(loop.name(), loop.pollerName(), true, "", stats.pendingCallbacks(),
                stats.liveWatchers(), stats.liveTimers(), watchers.views(now), timers.nextViews(NEXT_TIMERS, now),
                null, null, added);
    }

    /** What can be read without the loop thread. */
    private LoopSnapshot partial(String why) {
        Object task = stats.currentTask();
        long start = stats.taskStartNanos();
        boolean known = task != null && start != 0;
        Thread carried = loop.carriedThread();
        String current = !known ? null : carried == null ? task.toString() : task + " (carrying " + carried + ")";
        return new LoopSnapshot(loop.name(), loop.pollerName(), false, why, stats.pendingCallbacks(),
                stats.liveWatchers(), stats.liveTimers(), List.of(), List.of(), current,
                known ? Duration.ofNanos(Math.max(0, loop.clock().nanoTime() - start)) : null, Map.of());
    }
}
