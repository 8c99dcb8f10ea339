package io.weft.loop.core;

/**
 * The loop's error routing: runs a task so that every {@link Throwable} it throws goes to the
 * {@link LoopExceptionHandler} and is counted, and keeps what the handler itself threw until
 * {@link EventLoop#run} can end with it. Loop thread only.
 */
final class LoopErrors {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    private final EventLoop loop;
    private final LoopExceptionHandler handler;
    private final LoopStats stats;
    private Throwable fatal;

    /** {@code handler} null means the default: log through {@link System.Logger}. */
    LoopErrors(EventLoop loop, LoopExceptionHandler handler, LoopStats stats) {
        this.loop = loop;
        this.handler = handler != null ? handler : LoopErrors::log;
        this.stats = stats;
    }

    /** Runs {@code task}; what it throws goes to {@link #report}. Never throws. */
    void run(Runnable task) {
        stats.enterTask(task);
        try {
            task.run();
        } catch (Throwable e) {
            report(task, e);
        } finally {
            stats.exitTask();
        }
    }

    /**
     * Counts {@code error} and passes it to the handler; what the handler throws is kept for
     * {@link #rethrowFatal} (the first such throwable; later ones are added to it as suppressed).
     */
    void report(Object task, Throwable error) {
        stats.add(LoopStats.EXCEPTIONS, 1);
        try {
            handler.handle(loop, task, error);
        } catch (Throwable handlerFailure) {
            if (fatal == null) {
                fatal = handlerFailure;
            } else if (fatal != handlerFailure) {
                fatal.addSuppressed(handlerFailure);
            }
        }
    }

    /** Whether the handler threw since the last {@link #rethrowFatal}. */
    boolean hasFatal() {
        return fatal != null;
    }

    /** Throws what the handler threw, unchanged (checked or not), and clears it; returns if it threw nothing. */
    void rethrowFatal() {
        Throwable failure = fatal;
        if (failure != null) {
            fatal = null;
            throw LoopErrors.<RuntimeException>sneaky(failure);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable failure) throws T {
        throw (T) failure;
    }

    private static void log(EventLoop loop, Object task, Throwable error) {
        LOG.log(System.Logger.Level.ERROR, "loop '" + loop.name() + "': " + task + " threw", error);
    }
}
