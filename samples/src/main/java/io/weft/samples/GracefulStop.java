package io.weft.samples;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The stop path every sample shares, bounded end to end: close the listener, let the server drain
 * (finish what it started) and its connections close gracefully (flush, FIN, linger: see {@link
 * io.weft.loop.core.net.TcpConnection#close()}) for at most the grace period, shut the loops down,
 * and wait for the loop threads for at most {@link #THREAD_BOUND} more. A connection still
 * lingering when the grace period ends has flushed everything: the loop's shutdown closes it
 * without loss, and the stop is clean; one still flushing (or serving) makes it unclean. It never
 * waits longer than {@code grace + THREAD_BOUND} in total, whatever a handler does, before it reports what is still running
 * (which loop, which task, for how long, the loop thread's stack, and the loop's snapshot: the
 * handles and timers that kept it alive, see {@link io.weft.loop.core.LoopView}) and counts the stop
 * as unclean. The report waits at most {@link #SNAPSHOT_WAIT} per running loop for its snapshot.
 */
public final class GracefulStop {
    /** How long past the grace period the loop threads may take to end before the stop gives up on them. */
    public static final Duration THREAD_BOUND = Duration.ofSeconds(1);
    private static final int STACK_FRAMES = 12;
    /** How long a stuck stop waits for each running loop's snapshot of what it holds. */
    static final Duration SNAPSHOT_WAIT = Duration.ofMillis(100);
    /** How often the stop looks whether the connections have closed. */
    private static final long CLOSE_POLL_MILLIS = 5;

    /** What a server does between closing its listener and the loops' shutdown; see {@link #drain}. */
    @FunctionalInterface
    public interface Drain {
        /**
         * Finishes what the server started (responses produced, requests being handled) and begins
         * closing its connections gracefully, returning by {@code deadlineNanos} ({@link
         * System#nanoTime()}) at the latest; the stop follows the closes themselves. Returns whether
         * everything finished in time.
         *
         * @param deadlineNanos when to give up, on the {@link System#nanoTime()} scale
         * @return whether every connection finished in time
         * @throws InterruptedException if the stopping thread is interrupted
         */
        boolean drain(long deadlineNanos) throws InterruptedException;
    }

    private GracefulStop() {
    }

    /** Makes the group's loops record their running task, so that a stuck stop can name it; call once after building. */
    public static void trackTasks(LoopGroup group) {
        for (EventLoop loop : group) {
            loop.stats().trackTasks();
        }
    }

    /**
     * Stops: runs {@code closeListener}, then {@code drain}, then waits for the group's TCP
     * connections to close, both until the grace period ends; then shuts {@code group} down and
     * waits for its threads within {@link #THREAD_BOUND}. Returns true for a clean stop (everything
     * drained, every connection closed or {@linkplain TcpStats#lingeringConnections() lingering}
     * with all its output flushed, every loop thread ended); otherwise prints what is left to
     * {@code err} and returns false. Returns within {@code grace + THREAD_BOUND}, plus {@link
     * #SNAPSHOT_WAIT} per loop still running (plus scheduling).
     */
    public static boolean stop(LoopGroup group, Runnable closeListener, Drain drain, Duration grace, PrintStream err) {
        long start = System.nanoTime();
        long graceEnd = start + grace.toNanos();
        long hardEnd = graceEnd + THREAD_BOUND.toNanos();
        boolean clean = true;
        try {
            closeListener.run();
            boolean drained = drain.drain(graceEnd);
            long unfinished = awaitConnections(group, graceEnd);
            if (!drained || unfinished > 0) {
                clean = false;
                err.println("weft: the grace period of " + grace.toMillis() + " ms ended before every connection finished ("
                        + unfinished + " still serving or flushing; their output is cut off)");
            }
            group.shutdownGracefully(Duration.ofNanos(Math.max(0, graceEnd - System.nanoTime())));
            // LoopGroup.close() waits for the loop threads without a bound: wait for it within one.
            Thread closer = Thread.ofPlatform().daemon().name("weft-stop-wait").start(group::close);
            if (!closer.join(Duration.ofNanos(Math.max(0, hardEnd - System.nanoTime())))) {
                clean = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        }
        if (!clean) {
            for (String line : leftovers(group, start)) {
                err.println(line);
            }
            err.flush(); // what is said so far stays said, even if the snapshots below fail
            printSnapshots(group, err);
        }
        err.flush();
        return clean;
    }

    /**
     * Waits until no TCP connection of {@code group} is open, or until {@code deadlineNanos}; returns
     * how many are still open then and not {@linkplain TcpStats#lingeringConnections() lingering}
     * (so still serving or flushing: closing them loses output).
     */
    static long awaitConnections(LoopGroup group, long deadlineNanos) throws InterruptedException {
        while (true) {
            long open = 0;
            long unfinished = 0;
            for (EventLoop loop : group) {
                TcpStats stats = TcpStats.of(loop);
                // Open first: one that closes between the two reads then counts as unfinished, the safe side.
                long loopOpen = stats.openConnections();
                long lingering = stats.lingeringConnections();
                open += loopOpen;
                unfinished += Math.max(0, loopOpen - lingering);
            }
            if (open == 0 || System.nanoTime() - deadlineNanos >= 0) {
                return unfinished;
            }
            Thread.sleep(CLOSE_POLL_MILLIS);
        }
    }

    /**
     * The snapshot of each loop still running (what it holds, or the task it is stuck in), each
     * waited for at most {@link #SNAPSHOT_WAIT}. Out of memory (the stop may have begun with an
     * {@link OutOfMemoryError}), it says so and stops: the stop itself must go on.
     */
    static void printSnapshots(LoopGroup group, PrintStream err) {
        try {
            for (EventLoop loop : group) {
                if (loop.thread() != null) {
                    for (String line : loop.view().snapshot(SNAPSHOT_WAIT).toString().split("\n")) {
                        err.println("weft:   " + line);
                    }
                }
            }
        } catch (OutOfMemoryError e) {
            err.println("weft: no loop snapshot: out of memory");
        }
    }

    /** One paragraph per loop that is still running: its name, its task and since when, its stack. */
    static List<String> leftovers(LoopGroup group, long stopStartNanos) {
        List<String> lines = new ArrayList<>();
        long sinceStop = (System.nanoTime() - stopStartNanos) / 1_000_000;
        for (EventLoop loop : group) {
            Thread thread = loop.thread();
            if (thread == null) {
                continue; // closed, or between runs
            }
            Object task = loop.stats().currentTask();
            long taskStart = loop.stats().taskStartNanos();
            String running = task == null || taskStart == 0 ? "no task recorded"
                    : "task " + task + " running for " + (loop.clock().nanoTime() - taskStart) / 1_000_000 + " ms";
            lines.add("weft: loop '" + loop.name() + "' still running " + sinceStop + " ms after the stop began ("
                    + running + "), thread '" + thread.getName() + "' " + thread.getState() + ":");
            StackTraceElement[] stack = thread.getStackTrace();
            for (int i = 0; i < Math.min(stack.length, STACK_FRAMES); i++) {
                lines.add("weft:     at " + stack[i]);
            }

        }
        return lines;
    }
}
