package io.weft.loop.core;

/**
 * Wraps each task handed to a loop, on the thread that hands it over, so the wrapper can carry
 * context from there to where the task runs: a tracing span, an MDC map, a security principal.
 * The usual decorator captures the submitter's context in {@link #decorate} and returns a task
 * that restores it around the original and clears it afterwards.
 *
 * <p>A loop built with {@link EventLoopBuilder#taskDecorator} applies it in {@link
 * EventLoop#execute}, {@link EventLoop#schedule} and {@link EventLoop#scheduleRepeating} (once per
 * timer, not once per run), and the blocking pool of {@code io.weft.loop.core.exec.BlockingWork}
 * applies it to the work it runs off the loop. The loop's own internal hand-offs are not decorated.
 *
 * <p>{@link #decorate} runs on the submitting thread, once per task; it must be thread-safe and
 * must not throw. The task it returns runs on the loop thread (or a worker).
 *
 * {@snippet :
 * ThreadLocal<String> traceId = new ThreadLocal<>();
 * TaskDecorator carryTraceId = task -> {
 *     String captured = traceId.get();
 *     return () -> {
 *         String outer = traceId.get();
 *         traceId.set(captured);
 *         try {
 *             task.run();
 *         } finally {
 *             traceId.set(outer);
 *         }
 *     };
 * };
 * EventLoop loop = EventLoop.builder().taskDecorator(carryTraceId).build();
 * }
 */
@FunctionalInterface
public interface TaskDecorator {

    /**
     * {@return the task to queue in place of {@code task}; called on the submitting thread}
     *
     * @param task the task as submitted
     */
    Runnable decorate(Runnable task);
}
