package io.weft.loop.core.exec;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of one {@link BlockingWork}: how much work waits and runs now, and how much has been
 * submitted, completed and rejected, with the total time work waited for a worker and ran on one
 * (in the loop clock's nanoseconds). Readable from any thread; each value is exact on its own, but
 * two values read one after the other may straddle a change.
 */
public final class BlockingStats {
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong waitedNanos = new AtomicLong();
    private final AtomicLong ranNanos = new AtomicLong();

    BlockingStats() {
    }

    /** {@return work accepted and waiting for a worker (or for the work before it with the same key)} */
    public long queued() {
        return queued.get();
    }

    /** {@return work running on a worker now} */
    public long running() {
        return running.get();
    }

    /** {@return work accepted since the start} */
    public long submitted() {
        return submitted.get();
    }

    /** {@return work finished since the start, with a value, an exception or cancelled before it started} */
    public long completed() {
        return completed.get();
    }

    /** {@return submissions refused because the queue was full} */
    public long rejected() {
        return rejected.get();
    }

    /** {@return total time finished work waited between submission and the start of its run} */
    public long waitedNanos() {
        return waitedNanos.get();
    }

    /** {@return total time finished work ran on a worker} */
    public long ranNanos() {
        return ranNanos.get();
    }

    void accepted() {
        submitted.incrementAndGet();
        queued.incrementAndGet();
    }

    void refused() {
        rejected.incrementAndGet();
    }

    void started() {
        queued.decrementAndGet();
        running.incrementAndGet();
    }

    void finished(long waited, long ran) {
        waitedNanos.addAndGet(waited);
        ranNanos.addAndGet(ran);
        running.decrementAndGet();
        completed.incrementAndGet();
    }

    @Override
    public String toString() {
        return "BlockingStats[queued=" + queued() + ", running=" + running() + ", submitted=" + submitted()
                + ", completed=" + completed() + ", rejected=" + rejected() + ", waitedNanos=" + waitedNanos()
                + ", ranNanos=" + ranNanos() + "]";
    }
}
