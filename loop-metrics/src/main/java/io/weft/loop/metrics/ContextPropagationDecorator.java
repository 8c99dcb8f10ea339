package io.weft.loop.metrics;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.weft.loop.core.TaskDecorator;
import java.util.Objects;

/**
 * A {@link TaskDecorator} built on Micrometer's context-propagation library: it captures every
 * {@code ThreadLocal} registered with a {@link ContextRegistry} (a trace id, an MDC map, the
 * current observation) on the thread that hands a task to the loop, and restores them around the
 * task on the loop thread, or on the worker of a {@code BlockingWork}, then puts back what was
 * there. A value that was missing on the submitting thread is cleared for the task, so a loop
 * thread never runs a task under a context left by an earlier one.
 *
 * <p>Needs {@code io.micrometer:context-propagation} on the class or module path; loop-metrics
 * declares it optional, so add it to your build to use this class.
 *
 * {@snippet :
 * ContextRegistry.getInstance().registerThreadLocalAccessor("trace.id", TRACE_ID); // once, at start-up
 * EventLoop loop = EventLoop.builder().taskDecorator(ContextPropagationDecorator.create()).build();
 * }
 *
 * <p>Thread-safe; {@link #decorate} allocates one snapshot and one wrapper per task.
 */
public final class ContextPropagationDecorator implements TaskDecorator {
    private final ContextSnapshotFactory snapshots;

    private ContextPropagationDecorator(ContextSnapshotFactory snapshots) {
        this.snapshots = snapshots;
    }

    /** {@return a decorator carrying what is registered with {@link ContextRegistry#getInstance()}} */
    public static ContextPropagationDecorator create() {
        return of(ContextRegistry.getInstance());
    }

    /**
     * {@return a decorator carrying what is registered with {@code registry}}
     *
     * @param registry the registry whose thread-local accessors are captured and restored
     */
    // context-propagation is optional (requires static): a caller that has a ContextRegistry reads that
    // module itself, so the type not being re-exported is intended.
    @SuppressWarnings("exports")
    public static ContextPropagationDecorator of(ContextRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return new ContextPropagationDecorator(ContextSnapshotFactory.builder().contextRegistry(registry).clearMissing(true).build());
    }

    /** Captures the registered thread-local values now and returns {@code task} wrapped to run with them. */
    @Override
    public Runnable decorate(Runnable task) {
        return snapshots.captureAll().wrap(task);
    }
}
