package io.weft.loop.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters an {@link EventLoop} keeps about itself, for metrics and diagnostics.
 *
 * <p><b>Threads.</b> Only the loop thread writes them, with plain-cost (opaque) stores: no lock, no
 * allocation, no fence per update. Any thread may read them; a reading is recent, and each value
 * is consistent by itself, but two values read one after the other may be from different moments.
 *
 * <p>Times are in nanoseconds of the loop's {@link LoopClock}. Counters only grow.
 */
public final class LoopStats {
    static final int ITERATIONS = 0;
    static final int IO_EVENTS = 1;
    static final int CALLBACKS_RUN = 2;
    static final int TIMERS_FIRED = 3;
    static final int TIMER_RUNS_SKIPPED = 4;
    static final int EXCEPTIONS = 5;
    static final int BUSY_NANOS = 6;
    static final int POLL_NANOS = 7;
    static final int LOCAL_PENDING = 8;
    static final int LIVE_WATCHERS = 9;
    static final int LIVE_TIMERS = 10;
    static final int TASK_START_NANOS = 11;
    static final int TIMER_HEAP = 12;
    private static final int COUNT = 13;

    private static final VarHandle VALUE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle TASK;

    static {
        try {
            TASK = MethodHandles.lookup().findVarHandle(LoopStats.class, "task", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] values = new long[COUNT];
    private final CallbackQueue remote;
    private final LoopClock clock;
    private volatile boolean trackingTasks;
    @SuppressWarnings("unused") // written and read through TASK
    private Object task;

    LoopStats(CallbackQueue remote, LoopClock clock) {
        this.remote = remote;
        this.clock = clock;
    }

    void add(int index, long delta) {
        VALUE.setOpaque(values, index, values[index] + delta);
    }

    void set(int index, long value) {
        VALUE.setOpaque(values, index, value);
    }

    private long get(int index) {
        return (long) VALUE.getOpaque(values, index);
    }

    /** {@return loop iterations completed} */
    public long iterations() {
        return get(ITERATIONS);
    }

    /** {@return readiness events delivered to watcher handlers} */
    public long ioEvents() {
        return get(IO_EVENTS);
    }

    /** {@return callbacks run (from {@code execute} and close callbacks)} */
    public long callbacksRun() {
        return get(CALLBACKS_RUN);
    }

    /** {@return timer tasks run; a repeating timer counts once per run} */
    public long timersFired() {
        return get(TIMERS_FIRED);
    }

    /** {@return runs of repeating timers skipped because the loop was more than a period late} */
    public long timerRunsSkipped() {
        return get(TIMER_RUNS_SKIPPED);
    }

    /** {@return exceptions thrown by callbacks, timers and handlers (each was passed to the handler)} */
    public long exceptions() {
        return get(EXCEPTIONS);
    }

    /** {@return time spent running, outside the poller} */
    public long busyNanos() {
        return get(BUSY_NANOS);
    }

    /** {@return time spent waiting in the poller} */
    public long pollNanos() {
        return get(POLL_NANOS);
    }

    /** {@return callbacks queued and not yet run (an estimate while other threads are queuing)} */
    public long pendingCallbacks() {
        return get(LOCAL_PENDING) + remote.sizeEstimate();
    }

    /** {@return open watchers} */
    public long liveWatchers() {
        return get(LIVE_WATCHERS);
    }

    /** {@return timers scheduled and not yet finished or cancelled} */
    public long liveTimers() {
        return get(LIVE_TIMERS);
    }

    /**
     * {@return entries in the timer heap, cancelled timers included until they are popped or purged: how
     * much memory timers hold, next to {@link #liveTimers()}}
     */
    public long timerHeapSize() {
        return get(TIMER_HEAP);
    }

    /**
     * Makes the loop record when each callback, timer task or handler starts, for {@link
     * #taskStartNanos()} and {@link #currentTask()}. Off by default: it costs one clock reading per
     * task. A watchdog turns it on; it stays on.
     */
    public void trackTasks() {
        trackingTasks = true;
    }

    /** {@return when the task running now started, in loop-clock nanoseconds; 0 when none is running or tracking is off} */
    public long taskStartNanos() {
        return get(TASK_START_NANOS);
    }

    /** {@return the callback, timer task or watcher handler running now, or null; needs {@link #trackTasks()}} */
    public Object currentTask() {
        return TASK.getOpaque(this);
    }

    void enterTask(Object running) {
        if (trackingTasks) {
            TASK.setOpaque(this, running);
            // 0 means "nothing running"; a clock that reads 0 is nudged by one nanosecond.
            long start = clock.nanoTime();
            set(TASK_START_NANOS, start == 0 ? 1 : start);
        }
    }

    void exitTask() {
        if (trackingTasks) {
            set(TASK_START_NANOS, 0);
            TASK.setOpaque(this, null);
        }
    }
}
