package io.weft.loop.core;

/**
 * Receives what a callback, timer or watcher handler threw, on the loop thread; the loop counts it
 * and goes on. {@link Error}s are not passed here: they propagate out of {@link EventLoop#run}.
 *
 * <p>A handler that throws itself is logged and otherwise ignored.
 */
@FunctionalInterface
public interface LoopExceptionHandler {

    /**
     * Handles {@code error} thrown by {@code task} (the callback, timer task or watcher handler).
     */
    void handle(EventLoop loop, Object task, RuntimeException error);
}
