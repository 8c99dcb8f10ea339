package io.weft.loop.core;

/**
 * Receives every {@link Throwable} a callback, timer task or watcher handler threw, on the loop
 * thread; the loop counts it ({@link LoopStats#exceptions()}) and goes on with the next one, so one
 * failing callback (even an {@link AssertionError}) never takes down a loop that carries others.
 *
 * <p>A handler that throws ends {@link EventLoop#run} with what it threw, once the current
 * iteration is done; the loop is then consistent and {@link EventLoop#close()} cleans it up (or
 * {@code run} can be called again). The default handler logs through {@link System.Logger}.
 */
@FunctionalInterface
public interface LoopExceptionHandler {

    /**
     * Handles {@code error} thrown by {@code task} (the callback, timer task or watcher handler).
     * Runs on the loop thread.
     *
     * @param loop the loop the task ran on
     * @param task the callback, timer task or watcher handler that threw
     * @param error what it threw; an {@link Error} too
     */
    void handle(EventLoop loop, Object task, Throwable error);
}
